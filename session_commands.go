package esl

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// MyEvents subscribes the connection to its own call's events (myevents):
// 23 CHANNEL_* types plus DTMF, TALK, NOTALK and DETECTED_SPEECH, only for
// this channel, in format. The Server already did this unless
// Server.NoMyEvents; asking again with the same format is a no-op, and
// with another format an error (FreeSWITCH would answer "-ERR aready
// enabled." and keep the first format).
func (s *Session) MyEvents(ctx context.Context, format EventFormat) error {
	if format == "" {
		format = FormatPlain
	}
	if !validFormat(format) {
		return argErr("event format "+strconv.Quote(string(format)), "must be plain, json or xml")
	}
	s.mu.Lock()
	on, cur := s.myevents, s.format
	s.mu.Unlock()
	if on {
		if format == cur {
			return nil
		}
		return argErr("myevents format "+string(format), "myevents is already on in format "+string(cur))
	}
	line := "myevents"
	if format != FormatPlain {
		line += " " + string(format)
	}
	if _, err := s.do(ctx, &command{line: line}, false); err != nil {
		return err
	}
	s.mu.Lock()
	s.myevents, s.execEvents, s.format = true, true, format
	s.mu.Unlock()
	return nil
}

// Subscribe asks for more events (event <format> NAME…), e.g.
// PLAYBACK_START or BACKGROUND_JOB. With myevents on, FreeSWITCH still
// delivers only this channel's events (and its own jobs). Needs "full".
func (s *Session) Subscribe(ctx context.Context, names ...EventName) error {
	return s.subscribe(ctx, names, nil)
}

// SubscribeCustom asks for CUSTOM events of these subclasses (exact,
// e.g. "conference::maintenance"). Needs "full".
func (s *Session) SubscribeCustom(ctx context.Context, subclasses ...string) error {
	return s.subscribe(ctx, nil, subclasses)
}

func (s *Session) subscribe(ctx context.Context, events []EventName, subclasses []string) error {
	names, err := checkEventNames(events)
	if err != nil {
		return err
	}
	if err := checkSubclasses(subclasses); err != nil {
		return err
	}
	if len(names) == 0 && len(subclasses) == 0 {
		return argErr("event names", "none given")
	}
	s.mu.Lock()
	format := s.format
	s.mu.Unlock()
	if _, err := s.do(ctx, eventCommand("event", format, names, subclasses), true); err != nil {
		return err
	}
	s.mu.Lock()
	for _, n := range names {
		switch n {
		case "ALL":
			s.execEvents, s.bgSub, s.bgUser = true, true, true
		case "CHANNEL_EXECUTE_COMPLETE":
			s.execEvents = true
		case "BACKGROUND_JOB":
			s.bgSub, s.bgUser = true, true
		}
	}
	s.mu.Unlock()
	return nil
}

// Filter adds an event filter (filter <header> <value>): once any filter
// exists only events passing one are delivered. Works without "full".
func (s *Session) Filter(ctx context.Context, header, value string) error {
	if err := checkFilterHeader(header); err != nil {
		return err
	}
	if value == "" {
		return argErr("filter value", "is empty")
	}
	_, err := s.do(ctx, &command{line: "filter " + header + " " + value}, false)
	return err
}

// FilterDelete removes filters on header: those with value, or all of
// them when value is "".
func (s *Session) FilterDelete(ctx context.Context, header, value string) error {
	if err := checkFilterHeader(header); err != nil {
		return err
	}
	line := "filter delete " + header
	if value != "" {
		line += " " + value
	}
	_, err := s.do(ctx, &command{line: line}, false)
	return err
}

// Linger keeps the connection open for d after the channel hangs up, so the
// call's last events (CHANNEL_HANGUP_COMPLETE, …) are delivered; a
// KindLinger message marks the hang-up and FreeSWITCH's disconnect notice
// the end, on which the session closes the socket. d <= 0 lingers until
// Exit or the handler returns; d is rounded up to whole seconds. Needs
// "full".
func (s *Session) Linger(ctx context.Context, d time.Duration) error {
	line := "linger"
	if d > 0 {
		line += " " + strconv.Itoa(int((d+time.Second-1)/time.Second))
	}
	_, err := s.do(ctx, &command{line: line}, true)
	return err
}

// NoLinger turns lingering off (nolinger). Needs "full".
func (s *Session) NoLinger(ctx context.Context) error {
	_, err := s.do(ctx, &command{line: "nolinger"}, true)
	return err
}

// API runs an API command (api <command>) and returns its output exactly
// as FreeSWITCH printed it. An output starting with "-ERR" or "-USAGE"
// comes with a *CommandError. Needs "full" (ErrNotFull otherwise). It
// runs in FreeSWITCH's connection thread: nothing else is answered or
// delivered on this connection until it returns.
func (s *Session) API(ctx context.Context, cmd string) (string, error) {
	cmd = strings.TrimSpace(cmd)
	if cmd == "" {
		return "", argErr("api command", "is empty")
	}
	rep, err := s.do(ctx, &command{line: "api " + cmd}, true)
	if rep == nil {
		return "", err
	}
	if rep.contentType == wire.TypeAPIResponse {
		return rep.body, err
	}
	return rep.text(), err
}

// GetVar returns a channel variable (getvar <name>). FreeSWITCH cannot
// tell an unset variable from an empty one (it answers both with "-ERR
// command not found"): both return "" and no error. Values longer than
// 511 bytes are cut by FreeSWITCH; use API("uuid_getvar …") for those.
func (s *Session) GetVar(ctx context.Context, name string) (string, error) {
	if err := checkWord("variable name", name); err != nil {
		return "", err
	}
	rep, err := s.c.roundTrip(ctx, &command{line: "getvar " + name})
	if err != nil {
		return "", err
	}
	t := rep.text()
	if t == "-ERR command not found" {
		return "", nil
	}
	return t, nil
}

// SendMsg sends a message to the call (sendmsg): see ExecuteMsg,
// HangupMsg, UnicastMsg, NoMediaMsg. In async mode FreeSWITCH answers once
// the message is queued; in static mode only after it was carried out.
func (s *Session) SendMsg(ctx context.Context, msg *Msg) error {
	cmd, err := msg.command("sendmsg")
	if err != nil {
		return err
	}
	_, err = s.do(ctx, cmd, false)
	return err
}

// Hangup hangs the call up (sendmsg hangup) with a cause name such as
// "NORMAL_CLEARING" or "USER_BUSY", or a Q.850 number ("" for
// NORMAL_CLEARING). It returns when FreeSWITCH accepted the message; the
// session's context is cancelled when CHANNEL_HANGUP arrives.
func (s *Session) Hangup(ctx context.Context, cause string) error {
	if cause != "" {
		if err := checkWord("hangup cause", cause); err != nil {
			return err
		}
	}
	return s.SendMsg(ctx, HangupMsg(cause))
}

// Resume makes the channel continue its dialplan where it was when this
// connection ends (resume), instead of after the socket application.
func (s *Session) Resume(ctx context.Context) error {
	_, err := s.do(ctx, &command{line: "resume"}, false)
	return err
}

// DivertEvents routes the events FreeSWITCH would otherwise keep inside the
// channel (e.g. some DTMF) to this connection (divert_events on|off).
func (s *Session) DivertEvents(ctx context.Context, on bool) error {
	line := "divert_events off"
	if on {
		line = "divert_events on"
	}
	_, err := s.do(ctx, &command{line: line}, false)
	return err
}

// Exit asks FreeSWITCH to end the connection (exit) and returns once it
// said "+OK bye"; FreeSWITCH then sends its disconnect notice and the
// session closes. Returning from the handler has the same effect without
// the goodbye.
func (s *Session) Exit(ctx context.Context) error {
	_, err := s.do(ctx, &command{line: "exit"}, false)
	return err
}
