package esl_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/fsim"
)

// serveOn starts srv on 127.0.0.1:0 and shuts it down at cleanup.
func serveOn(t *testing.T, srv *esl.Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, esl.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().String()
}

type fsimCall struct {
	uuid, dest, getvar, api, played, mode string
	full                                  bool
	cause                                 string
	afterHangup                           []string
	err                                   error
}

// TestSessionAgainstFsim lets fsim's socket application (dialplan 7777:
// not answered; 7778: answered first) dial a Server, and drives each call
// as the real captures do: linger, answer, playback, getvar, api, hangup,
// the events after the hangup, exit.
func TestSessionAgainstFsim(t *testing.T) {
	results := make(chan fsimCall, 1)
	srv := &esl.Server{Handler: esl.HandlerFunc(func(ctx context.Context, s *esl.Session) {
		r := fsimCall{uuid: s.UUID(), mode: s.SocketMode(), full: s.Full()}
		defer func() { results <- r }()
		events := s.Events(esl.ForEvents("CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_STATE", "CHANNEL_UNPARK"))
		defer events.Close()
		step := func(name string, err error) bool {
			if err != nil {
				r.err = fmt.Errorf("%s: %w (cause %v)", name, err, context.Cause(ctx))
			}
			return err == nil
		}
		if !step("linger", s.Linger(ctx, 0)) || !step("answer", s.Answer(ctx)) {
			return
		}
		var err error
		r.played, err = s.Playback(ctx, "tone_stream://%(100,0,440);loops=1")
		if !step("playback", err) || !step("set", s.Set(ctx, "eslkit_test", "value with spaces")) {
			return
		}
		r.dest = s.ChannelData().Get("Channel-Destination-Number")
		r.getvar, err = s.GetVar(ctx, "eslkit_test")
		if !step("getvar", err) {
			return
		}
		r.api, err = s.API(ctx, "uuid_getvar "+s.UUID()+" destination_number")
		if !step("api", err) || !step("hangup", s.Hangup(ctx, "USER_BUSY")) {
			return
		}
		<-ctx.Done()
		for ev := range events.Events() {
			r.afterHangup = append(r.afterHangup, ev.Get("Event-Name"))
			if ev.Get("Event-Name") == "CHANNEL_HANGUP_COMPLETE" {
				break
			}
		}
		var he *esl.HangupError
		if errors.As(s.HungUp(), &he) {
			r.cause = he.Cause
		}
		if !step("exit", s.Exit(context.Background())) {
			return
		}
		<-s.Disconnected()
	})}
	addr := serveOn(t, srv)
	sim := fsim.Run(t, fsim.Options{SocketAddr: addr})

	for _, ext := range []string{"7777", "7778"} {
		t.Run(ext, func(t *testing.T) {
			job := sim.BgAPI("originate loopback/" + ext + "/default &park")
			if job == "" {
				t.Fatal("bgapi originate gave no job")
			}
			var r fsimCall
			select {
			case r = <-results:
			case <-time.After(10 * time.Second):
				t.Fatal("fsim's socket application never called")
			}
			if r.err != nil {
				t.Fatalf("call %s: %v", r.uuid, r.err)
			}
			if r.mode != "async" || !r.full {
				t.Errorf("mode %q full %v", r.mode, r.full)
			}
			if r.dest != ext || r.getvar != "value with spaces" || r.api != ext {
				t.Errorf("destination: channel data %q, getvar %q, api %q", r.dest, r.getvar, r.api)
			}
			if r.played != "FILE PLAYED" {
				t.Errorf("playback: %q", r.played)
			}
			if r.cause != "USER_BUSY" {
				t.Errorf("hangup cause %q", r.cause)
			}
			if n := len(r.afterHangup); n == 0 || r.afterHangup[0] != "CHANNEL_HANGUP" || r.afterHangup[n-1] != "CHANNEL_HANGUP_COMPLETE" {
				t.Errorf("events after hangup (linger): %v", r.afterHangup)
			}
		})
	}
}

// TestSessionAgainstFsimWithoutFull uses a dialplan whose socket
// application lacks "full": api and linger are refused as ErrNotFull,
// getvar and execute still work.
func TestSessionAgainstFsimWithoutFull(t *testing.T) {
	type outcome struct{ api, linger, getvar, answer error }
	got := make(chan outcome, 1)
	srv := &esl.Server{Handler: esl.HandlerFunc(func(ctx context.Context, s *esl.Session) {
		var o outcome
		_, o.api = s.API(ctx, "status")
		o.linger = s.Linger(ctx, time.Second)
		_, o.getvar = s.GetVar(ctx, "destination_number")
		o.answer = s.Answer(ctx)
		_ = s.Hangup(ctx, "")
		got <- o
	})}
	addr := serveOn(t, srv)
	dp := fsim.DefaultDialplan()
	dp.Add("default", "7000", fsim.Action{App: "socket", Data: "127.0.0.1:8084 async"})
	sim := fsim.Run(t, fsim.Options{SocketAddr: addr, Dialplan: dp})
	sim.BgAPI("originate loopback/7000/default &park")
	var o outcome
	select {
	case o = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no call")
	}
	var ce *esl.CommandError
	if !errors.Is(o.api, esl.ErrNotFull) || !errors.As(o.api, &ce) || !strings.Contains(ce.Reply, "command not found") {
		t.Errorf("api without full: %v", o.api)
	}
	if !errors.Is(o.linger, esl.ErrNotFull) {
		t.Errorf("linger without full: %v", o.linger)
	}
	if o.getvar != nil || o.answer != nil {
		t.Errorf("getvar %v, answer %v", o.getvar, o.answer)
	}
}
