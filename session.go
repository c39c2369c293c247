package esl

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// Session is one call handed to a Server by FreeSWITCH's socket
// application. Its methods are safe for concurrent use; commands are
// pipelined on the one connection and answered in order.
//
// # FreeSWITCH's outbound rules
//
// The first command on the connection must be connect, within 25 seconds
// (FreeSWITCH drops the reply of any other first command); the Server
// sends it before the handler runs, and ChannelData holds the reply.
//
// The socket application's arguments set the mode:
//
//   - "full" allows every command. Without it FreeSWITCH answers api,
//     bgapi, linger, nolinger, event, nixevent, noevents, log, nolog and
//     sendevent with "-ERR command not found"; those methods then return
//     an error matching both ErrNotFull and *CommandError. connect,
//     myevents, getvar, filter, sendmsg, resume, divert_events and exit
//     always work. Full reports the mode.
//   - "async" (SocketMode "async") queues each sendmsg on the channel and
//     answers at once, so commands and events flow while an application
//     runs. Without it ("static"), FreeSWITCH executes a sendmsg inside the
//     connection's own thread: its reply comes only after the application
//     finished, the events it produced follow the reply, and every later
//     command waits behind it. Execute works in both modes (it waits for
//     CHANNEL_EXECUTE_COMPLETE, not for the reply); in static mode
//     ExecuteAsync cannot overlap applications.
//
// Use "socket 127.0.0.1:8084 async full" unless you have a reason not to.
//
// # Hang-up and linger
//
// The session's context (Context, and the ctx given to ServeESL) is
// cancelled when the channel hangs up (CHANNEL_HANGUP or
// CHANNEL_HANGUP_COMPLETE, or a linger notice) or the connection ends;
// context.Cause returns a *HangupError or a *DisconnectError. Without
// linger FreeSWITCH then closes the connection at once, dropping events not
// yet written. After Linger, the connection stays up: the events that
// follow the hang-up are still delivered (Events) until FreeSWITCH's
// disconnect notice, on which the session closes the socket itself.
type Session struct {
	c      *conn
	log    *slog.Logger
	hub    *hub
	ctx    context.Context
	cancel context.CancelCauseFunc
	format EventFormat
	remote net.Addr
	wg     sync.WaitGroup

	mu         sync.Mutex
	data       *Event
	uuid       string
	mode       string
	control    string
	execs      map[string]*Execution
	jobs       map[string]*Job
	down       error // *HangupError once the channel is down
	myevents   bool
	execEvents bool // CHANNEL_EXECUTE_COMPLETE is subscribed
	bgSub      bool // BACKGROUND_JOB is subscribed
	bgUser     bool // … because the user asked for it (then jobs' events are shown)
}

// sessionReadBuffer is the size of a session's read buffer.
const sessionReadBuffer = 16 << 10

type sessionConfig struct {
	logger           *slog.Logger
	handshakeTimeout time.Duration
	writeTimeout     time.Duration
	format           EventFormat
	noMyEvents       bool
}

// newSession runs the outbound handshake on nc: connect (and myevents
// unless disabled). On failure nc is closed.
func newSession(parent context.Context, nc net.Conn, cfg sessionConfig) (*Session, error) {
	if cfg.logger == nil {
		cfg.logger = discardLogger
	}
	if cfg.handshakeTimeout <= 0 {
		cfg.handshakeTimeout = DefaultHandshakeTimeout
	}
	if cfg.format == "" {
		cfg.format = FormatPlain
	}
	if !validFormat(cfg.format) {
		_ = nc.Close()
		return nil, argErr("event format "+fmt.Sprintf("%q", cfg.format), "must be plain, json or xml")
	}
	s := &Session{
		log:    cfg.logger,
		hub:    newHub(),
		format: cfg.format,
		remote: nc.RemoteAddr(),
		execs:  make(map[string]*Execution),
		jobs:   make(map[string]*Job),
	}
	s.ctx, s.cancel = context.WithCancelCause(parent)
	// One call's traffic is small (the connect reply is the largest frame,
	// a few KiB; longer lines are still read whole), and a server holds
	// thousands of sessions: a 16 KiB read buffer instead of the engine's
	// 64 KiB default.
	r := wire.NewReader(bufio.NewReaderSize(nc, sessionReadBuffer), wire.Limits{})
	s.c = newConn(nc, r, connConfig{
		logger:       cfg.logger,
		writeTimeout: cfg.writeTimeout,
		onEvent:      s.onEvent,
		onLog:        s.onLog,
		onLinger:     s.onLinger,
	})
	s.wg.Add(1)
	go s.watch()

	hctx, cancel := context.WithTimeout(s.ctx, cfg.handshakeTimeout)
	defer cancel()
	if _, err := s.Connect(hctx); err != nil {
		s.close()
		return nil, handshakeErr("connect", hctx, err)
	}
	if !cfg.noMyEvents {
		if err := s.MyEvents(hctx, cfg.format); err != nil {
			s.close()
			return nil, handshakeErr("myevents", hctx, err)
		}
	}
	return s, nil
}

func handshakeErr(step string, ctx context.Context, err error) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("esl: outbound %s: no reply in time: %w", step, ErrTimeout)
	}
	return fmt.Errorf("esl: outbound %s: %w", step, err)
}

// Connect sends connect and returns the channel data FreeSWITCH answers
// with (a CHANNEL_DATA event: Unique-ID, Channel-Name, Caller-*,
// variable_*). The Server already did this once before the handler ran;
// calling it again refreshes ChannelData with the channel's current state.
func (s *Session) Connect(ctx context.Context) (*Event, error) {
	rep, err := s.c.roundTrip(ctx, &command{line: "connect"})
	if err != nil {
		return nil, err
	}
	if err := rep.err(); err != nil {
		return nil, err
	}
	ev, mode, control := parseConnectReply(rep.headers)
	if ev.Get("Unique-ID") == "" {
		return nil, fmt.Errorf("esl: connect reply without Unique-ID (Reply-Text %q): %w", rep.text(), ErrNotFreeSWITCH)
	}
	s.mu.Lock()
	s.data, s.mode, s.control = ev, mode, control
	s.uuid = ev.Get("Unique-ID")
	s.mu.Unlock()
	return ev, nil
}

// parseConnectReply splits connect's reply into the channel data event and
// the four reply headers FreeSWITCH appends after it (Content-Type,
// Reply-Text, Socket-Mode, Control): everything from the last
// Content-Type on is reply, not channel data.
func parseConnectReply(hs wire.Headers) (ev *Event, mode, control string) {
	cut := len(hs)
	for i := len(hs) - 1; i >= 0; i-- {
		if wire.EqualFold(hs[i].Name, "Content-Type") {
			cut = i
			break
		}
	}
	tail := hs[cut:]
	return NewEvent(hs[:cut:cut], ""), tail.Get("Socket-Mode"), tail.Get("Control")
}

// ChannelData returns the channel data of the last connect: a
// CHANNEL_DATA event with Unique-ID, Channel-Name, Caller-* and every
// channel variable (variable_*, read with Event.Var).
func (s *Session) ChannelData() *Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data
}

// UUID returns the channel's Unique-ID (followed when FreeSWITCH renames
// the channel: CHANNEL_UUID).
func (s *Session) UUID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uuid
}

// SocketMode returns "async" or "static", as FreeSWITCH reported in the
// connect reply.
func (s *Session) SocketMode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mode
}

// Async reports whether the socket application runs in async mode.
func (s *Session) Async() bool { return s.SocketMode() == "async" }

// Full reports whether the socket application was given "full" (Control:
// full), which api, bgapi, linger and event need.
func (s *Session) Full() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.control == "full"
}

// RemoteAddr returns FreeSWITCH's address.
func (s *Session) RemoteAddr() net.Addr { return s.remote }

// Context returns the session's context, cancelled when the channel hangs
// up or the connection ends (context.Cause says which).
func (s *Session) Context() context.Context { return s.ctx }

// Disconnected is closed when the connection has ended; DisconnectErr
// then says why.
func (s *Session) Disconnected() <-chan struct{} { return s.c.done }

// DisconnectErr returns why the connection ended (a *DisconnectError), or
// nil while it is up.
func (s *Session) DisconnectErr() error { return s.c.err() }

// HungUp returns the *HangupError once the channel is down, else nil.
func (s *Session) HungUp() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

// Events returns a subscription to what this connection receives: the
// call's events, log lines, the linger notice (KindLinger) and, at the
// end, KindDisconnected. It only reads what FreeSWITCH sends (myevents is
// on unless Server.NoMyEvents; add more with Subscribe). Close it when
// done.
func (s *Session) Events(opts ...SubscribeOption) *Subscription {
	return s.hub.subscribe(opts)
}

// onEvent runs on the reader for every event, in wire order.
func (s *Session) onEvent(c *conn, ev *Event) {
	switch name := ev.Get("Event-Name"); {
	case wire.EqualFold(name, "CHANNEL_EXECUTE_COMPLETE"):
		if id := ev.Get("Application-UUID"); id != "" {
			s.completeExec(id, ev)
		}
	case wire.EqualFold(name, "CHANNEL_HANGUP"), wire.EqualFold(name, "CHANNEL_HANGUP_COMPLETE"):
		if ev.UniqueID() == s.UUID() {
			s.channelDown(&HangupError{Cause: ev.Get("Hangup-Cause"), Event: ev})
		}
	case wire.EqualFold(name, "CHANNEL_UUID"):
		s.mu.Lock()
		if old := ev.Get("Old-Unique-ID"); old != "" && old == s.uuid {
			s.uuid = ev.UniqueID()
		}
		s.mu.Unlock()
	case wire.EqualFold(name, "BACKGROUND_JOB"):
		if s.completeJob(ev) {
			return
		}
	}
	s.hub.publish(Message{Kind: KindEvent, Event: ev}, c)
}

func (s *Session) onLog(c *conn, rec *LogRecord) {
	s.hub.publish(Message{Kind: KindLog, Log: rec}, c)
}

// onLinger: FreeSWITCH saw the channel down and lingers; the linger notice
// can come before CHANNEL_HANGUP, so it also marks the hang-up.
func (s *Session) onLinger(c *conn, notice *Event) {
	s.channelDown(&HangupError{Event: notice})
	s.hub.publish(Message{Kind: KindLinger, Event: notice}, c)
}

// channelDown records the first hang-up, fails the applications still
// running and cancels the session context.
func (s *Session) channelDown(err *HangupError) {
	s.mu.Lock()
	if s.down != nil {
		// Keep the first, unless it (a linger notice) had no cause and
		// this one has: HungUp then reports the cause.
		if he, ok := s.down.(*HangupError); ok && he.Cause == "" && err.Cause != "" {
			s.down = err
		}
		s.mu.Unlock()
		return
	}
	s.down = err
	execs := s.takeExecsLocked()
	s.mu.Unlock()
	for _, x := range execs {
		x.finish(nil, err)
	}
	s.cancel(err)
}

// watch waits for the connection to end, then fails what still waits and
// ends the subscriptions.
func (s *Session) watch() {
	defer s.wg.Done()
	<-s.c.done
	err := s.c.err()
	s.mu.Lock()
	execs := s.takeExecsLocked()
	jobs := s.jobs
	s.jobs = map[string]*Job{}
	s.mu.Unlock()
	for _, x := range execs {
		x.finish(nil, err)
	}
	for _, j := range jobs {
		j.finish(nil, err)
	}
	s.cancel(err)
	s.hub.publish(Message{Kind: KindDisconnected, Err: err}, nil)
	s.hub.end(err)
}

// close ends the connection and waits for the session's goroutines.
func (s *Session) close() {
	s.c.close()
	s.wg.Wait()
	s.cancel(ErrClosed)
}

// do runs one command and turns a refusal into an error. A command that
// needs "full" and got "-ERR command not found" gets an error matching
// ErrNotFull.
func (s *Session) do(ctx context.Context, cmd *command, needsFull bool) (*reply, error) {
	rep, err := s.c.roundTrip(ctx, cmd)
	if err != nil {
		return nil, err
	}
	if err := rep.err(); err != nil {
		if needsFull && rep.contentType == wire.TypeCommandReply && strings.TrimSpace(rep.text()) == "-ERR command not found" {
			return rep, fmt.Errorf("%w (%s): %w", ErrNotFull, cmd.name(), err)
		}
		return rep, err
	}
	return rep, nil
}
