package esl

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestSessionWithoutFullRefusesAsNotFull(t *testing.T) {
	s := pipeSession(t, sessionConfig{}, func(f *obFS) {
		f.handshake("async", "single-channel")
		for _, line := range []string{"api status", "linger", "bgapi status"} {
			if line == "bgapi status" {
				line = "event plain BACKGROUND_JOB" // bgapi subscribes first
			}
			f.expect(line)
			f.write(cmdReply("-ERR command not found"))
		}
		f.expect("getvar nothing_here")
		f.write(cmdReply("-ERR command not found"))
		f.next()
	})
	ctx := testCtx(t)
	if s.Full() {
		t.Fatal("Full() with Control: single-channel")
	}
	_, err := s.API(ctx, "status")
	var ce *CommandError
	if !errors.Is(err, ErrNotFull) || !errors.As(err, &ce) || ce.Reply != "-ERR command not found" {
		t.Errorf("api without full: %v", err)
	}
	if err := s.Linger(ctx, 0); !errors.Is(err, ErrNotFull) {
		t.Errorf("linger without full: %v", err)
	}
	if _, err := s.BgAPI(ctx, "status"); !errors.Is(err, ErrNotFull) {
		t.Errorf("bgapi without full: %v", err)
	}
	// getvar works without full; FreeSWITCH's answer for an unset variable
	// is "-ERR command not found", which is no error.
	if v, err := s.GetVar(ctx, "nothing_here"); err != nil || v != "" {
		t.Errorf("getvar unset: %q, %v", v, err)
	}
}

func TestSessionExecuteReturnsEarlyOnHangup(t *testing.T) {
	got := make(chan string, 1)
	s := pipeSession(t, sessionConfig{}, func(f *obFS) {
		f.handshake("async", "full")
		cmd := f.expect("sendmsg")
		got <- cmd
		id := headerOf(cmd, "Event-UUID")
		f.write(cmdReply("+OK"),
			plainEvent("Event-Name", "CHANNEL_EXECUTE", "Unique-ID", testUUID, "Application", "playback", "Application-UUID", id),
			plainEvent("Event-Name", "CHANNEL_HANGUP", "Unique-ID", testUUID, "Hangup-Cause", "USER_BUSY"))
		f.next()
	})
	// With the session's own context, which the hang-up cancels: the
	// caller still learns it was a hang-up.
	_, err := s.Playback(s.Context(), "/tmp/long prompt.wav")
	var he *HangupError
	if !errors.As(err, &he) || !errors.Is(err, ErrHangup) || he.Cause != "USER_BUSY" {
		t.Fatalf("playback during hangup: %v", err)
	}
	cmd := <-got
	if headerOf(cmd, "execute-app-arg") != "/tmp/long prompt.wav" || headerOf(cmd, "call-command") != "execute" {
		t.Errorf("sendmsg %q", cmd)
	}
	if ctxErr := context.Cause(s.Context()); !errors.Is(ctxErr, ErrHangup) {
		t.Errorf("session context cause %v", ctxErr)
	}
}

func TestSessionHangupOfOtherChannelIgnored(t *testing.T) {
	s := pipeSession(t, sessionConfig{}, func(f *obFS) {
		f.handshake("async", "full")
		cmd := f.expect("sendmsg")
		id := headerOf(cmd, "Event-UUID")
		f.write(cmdReply("+OK"),
			plainEvent("Event-Name", "CHANNEL_HANGUP", "Unique-ID", "someone-else", "Hangup-Cause", "USER_BUSY"),
			plainEvent("Event-Name", "CHANNEL_EXECUTE_COMPLETE", "Unique-ID", testUUID, "Application", "bridge",
				"Application-Response", "_none_", "Application-UUID", id))
		f.next()
	})
	if err := s.Bridge(testCtx(t), "loopback/9999/default"); err != nil {
		t.Fatal(err)
	}
	if s.Context().Err() != nil || s.HungUp() != nil {
		t.Error("another channel's hangup ended this session")
	}
}

func TestSessionExecuteFailsOnDisconnect(t *testing.T) {
	s := pipeSession(t, sessionConfig{}, func(f *obFS) {
		f.handshake("async", "full")
		f.expect("sendmsg")
		f.write(cmdReply("+OK"))
		// FreeSWITCH goes away mid-application.
	})
	_, err := s.Execute(testCtx(t), "sleep", "10000")
	var de *DisconnectError
	if !errors.As(err, &de) || de.Reason != ReasonEOF {
		t.Fatalf("execute on disconnect: %v", err)
	}
	<-s.Context().Done()
	if !errors.Is(context.Cause(s.Context()), ErrDisconnected) {
		t.Errorf("context cause %v", context.Cause(s.Context()))
	}
}

func TestSessionLongArgumentGoesInBody(t *testing.T) {
	got := make(chan string, 1)
	s := pipeSession(t, sessionConfig{}, func(f *obFS) {
		f.handshake("async", "full")
		cmd := f.expect("sendmsg")
		got <- cmd
		f.write(cmdReply("+OK"), plainEvent("Event-Name", "CHANNEL_EXECUTE_COMPLETE", "Unique-ID", testUUID,
			"Application", "set", "Application-Response", "_none_", "Application-UUID", headerOf(cmd, "Event-UUID")))
		f.next()
	})
	value := "line one\nline two"
	if err := s.Set(testCtx(t), "greeting", value); err != nil {
		t.Fatal(err)
	}
	cmd := <-got
	head, body, _ := strings.Cut(cmd, "\n\n")
	if body != "greeting="+value || headerOf(head, "content-type") != "text/plain" || headerOf(head, "execute-app-arg") != "" {
		t.Errorf("sendmsg with multi-line argument:\n%s", cmd)
	}
}

func TestSessionRefusesInjectionBeforeWriting(t *testing.T) {
	s := pipeSession(t, sessionConfig{}, func(f *obFS) {
		f.handshake("async", "full")
		if cmd := f.next(); cmd != "" {
			t.Errorf("something was written: %q", cmd)
		}
	})
	ctx := testCtx(t)
	for name, err := range map[string]error{
		"filter":   s.Filter(ctx, "Unique-ID", "x\nexit"),
		"api":      func() error { _, err := s.API(ctx, "status\n\nexit"); return err }(),
		"getvar":   func() error { _, err := s.GetVar(ctx, "a b"); return err }(),
		"hangup":   s.Hangup(ctx, "NORMAL_CLEARING\nx: y"),
		"app name": func() error { _, err := s.Execute(ctx, "play back", ""); return err }(),
		"var name": s.Set(ctx, "a=b", "c"),
		"dtmf":     s.SendDTMF(ctx, "12\r\n"),
	} {
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", name, err)
		}
	}
}

func TestSessionHandshakeTimeout(t *testing.T) {
	fs, app := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f := newObFS(t, fs)
		f.expect("connect")
		f.next() // never answers; returns when the session gives up
	}()
	_, err := newSession(context.Background(), app, sessionConfig{handshakeTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("handshake without reply: %v", err)
	}
	<-done
	fs.Close()
}

func TestSessionHandshakeRefusesNonChannelReply(t *testing.T) {
	fs, app := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f := newObFS(t, fs)
		f.expect("connect")
		f.write(cmdReply("+OK"))
		f.next()
	}()
	_, err := newSession(context.Background(), app, sessionConfig{})
	if !errors.Is(err, ErrNotFreeSWITCH) {
		t.Errorf("connect reply without channel data: %v", err)
	}
	<-done
	fs.Close()
}

func TestSessionNoMyEventsSubscribesOnFirstExecute(t *testing.T) {
	s := pipeSession(t, sessionConfig{noMyEvents: true, format: FormatJSON}, func(f *obFS) {
		f.expect("connect")
		f.write(connectReply(t, "static", "full"))
		f.expect("myevents json")
		f.write(cmdReply("+OK Events Enabled"))
		cmd := f.expect("sendmsg")
		// Static mode: the reply comes after the application, then its events.
		js := `{"Event-Name":"CHANNEL_EXECUTE_COMPLETE","Unique-ID":"` + testUUID + `","Application-Response":"done","Application-UUID":"` + headerOf(cmd, "Event-UUID") + `"}`
		f.write(cmdReply("+OK"), "Content-Length: "+itoa(len(js))+"\nContent-Type: text/event-json\n\n"+js)
		f.next()
	})
	if s.Async() {
		t.Error("Async() with Socket-Mode: static")
	}
	resp, err := s.Execute(testCtx(t), "sleep", "10")
	if err != nil || resp != "done" {
		t.Fatalf("execute: %q, %v", resp, err)
	}
	if err := s.MyEvents(testCtx(t), FormatJSON); err != nil {
		t.Errorf("MyEvents again with the same format: %v", err)
	}
	if err := s.MyEvents(testCtx(t), FormatXML); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("MyEvents with another format: %v", err)
	}
}

func TestSessionBgAPIOwnJob(t *testing.T) {
	s := pipeSession(t, sessionConfig{}, func(f *obFS) {
		f.handshake("async", "full")
		f.expect("event plain BACKGROUND_JOB")
		f.write(cmdReply("+OK event listener enabled plain"))
		cmd := f.expect("bgapi status")
		id := headerOf(cmd, "Job-UUID")
		f.write("Content-Type: command/reply\nReply-Text: +OK Job-UUID: "+id+"\nJob-UUID: "+id+"\n\n",
			plainEventBody("UP 0 years\n", "Event-Name", "BACKGROUND_JOB", "Job-UUID", id, "Job-Owner-UUID", testUUID, "Job-Command", "status"))
		f.next()
	})
	sub := s.Events()
	defer sub.Close()
	ctx := testCtx(t)
	j, err := s.BgAPI(ctx, "status")
	if err != nil {
		t.Fatal(err)
	}
	out, err := j.Wait(ctx)
	if err != nil || out != "UP 0 years\n" {
		t.Fatalf("job: %q, %v", out, err)
	}
	// The job's event was not asked for by the user: it is not shown.
	if n := len(drainEvents(sub)); n != 0 {
		t.Errorf("%d events shown", n)
	}
}

// drainEvents returns the events buffered now.
func drainEvents(sub *Subscription) []*Event {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var out []*Event
	for {
		m, ok := sub.Next(ctx)
		if !ok {
			return out
		}
		if m.Kind == KindEvent {
			out = append(out, m.Event)
		}
	}
}

func plainEventBody(body string, kv ...string) string {
	ev := plainEvent(kv...)
	head, inner, _ := strings.Cut(ev, "\n\n")
	_ = head
	inner = strings.TrimSuffix(inner, "\n") + "Content-Length: " + itoa(len(body)) + "\n\n" + body
	return "Content-Length: " + itoa(len(inner)) + "\nContent-Type: text/event-plain\n\n" + inner
}

// headerOf returns a header of a command block.
func headerOf(cmd, name string) string {
	for _, line := range strings.Split(cmd, "\n") {
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ": "); ok && strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func TestSessionDigitsFromCompletionEvent(t *testing.T) {
	got := make(chan string, 1)
	s := pipeSession(t, sessionConfig{}, func(f *obFS) {
		f.handshake("async", "full")
		cmd := f.expect("sendmsg")
		got <- headerOf(cmd, "execute-app-arg")
		f.write(cmdReply("+OK"), plainEvent("Event-Name", "CHANNEL_EXECUTE_COMPLETE", "Unique-ID", testUUID,
			"variable_choice", "42", "Application", "play_and_get_digits", "Application-UUID", headerOf(cmd, "Event-UUID")))
		f.next()
	})
	digits, err := s.PlayAndGetDigits(testCtx(t), DigitsOptions{Min: 1, Max: 2, Tries: 3, Timeout: 4 * time.Second,
		File: "ivr/menu.wav", Var: "choice"})
	if err != nil || digits != "42" {
		t.Fatalf("digits %q, %v", digits, err)
	}
	if arg, want := <-got, `1 2 3 4000 # ivr/menu.wav silence_stream://250 choice \d+ 4000`; arg != want {
		t.Errorf("argument %q\nwant     %q", arg, want)
	}
}

// TestSessionHangupWithSessionContext: the +OK of a hangup and the
// CHANNEL_HANGUP that cancels the session context arrive together; Hangup
// given that context must report the +OK.
func TestSessionHangupWithSessionContext(t *testing.T) {
	for range 200 {
		s := pipeSession(t, sessionConfig{}, func(f *obFS) {
			f.handshake("async", "full")
			f.expect("sendmsg")
			f.write(cmdReply("+OK") + plainEvent("Event-Name", "CHANNEL_HANGUP", "Unique-ID", testUUID, "Hangup-Cause", "NORMAL_CLEARING"))
			f.next()
		})
		if err := s.Hangup(s.Context(), ""); err != nil {
			t.Fatalf("hangup: %v", err)
		}
		<-s.Context().Done()
		s.close()
	}
}
