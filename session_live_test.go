package esl

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSessionLiveFreeSWITCH runs outbound calls on a real FreeSWITCH. It
// needs ESL_TEST_ADDR (inbound event socket, ESL_TEST_PASSWORD or
// ClueCon) and a dialplan whose extensions 7777 (not answered) and 7778
// (answered first) run "socket 127.0.0.1:8084 async full", as in the
// captures' lab; ESL_TEST_OUTBOUND_ADDR changes where this test listens and
// ESL_TEST_OUTBOUND_EXT which extension it calls. It skips without
// ESL_TEST_ADDR.
func TestSessionLiveFreeSWITCH(t *testing.T) {
	addr := os.Getenv("ESL_TEST_ADDR")
	if addr == "" {
		t.Skip("ESL_TEST_ADDR not set: no real FreeSWITCH to call")
	}
	password := os.Getenv("ESL_TEST_PASSWORD")
	if password == "" {
		password = "ClueCon"
	}
	listen := os.Getenv("ESL_TEST_OUTBOUND_ADDR")
	if listen == "" {
		listen = DefaultOutboundAddr
	}
	exts := []string{"7777", "7778"}
	if e := os.Getenv("ESL_TEST_OUTBOUND_EXT"); e != "" {
		exts = strings.Fields(e)
	}

	type result struct {
		uuid, ext, dest, api, played string
		cause                        string
		afterHangup                  []string
		err                          error
	}
	results := make(chan result, 1)
	srv := &Server{Handler: HandlerFunc(func(ctx context.Context, s *Session) {
		r := result{uuid: s.UUID(), ext: s.ChannelData().Get("Caller-Destination-Number")}
		defer func() { results <- r }()
		events := s.Events(ForEvents("CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_STATE"))
		defer events.Close()
		bg := context.Background()
		if r.err = s.Linger(ctx, 5*time.Second); r.err != nil {
			return
		}
		if r.err = s.Answer(ctx); r.err != nil {
			return
		}
		if r.played, r.err = s.Playback(ctx, "tone_stream://%(300,0,440);loops=1"); r.err != nil {
			return
		}
		if r.dest, r.err = s.GetVar(ctx, "destination_number"); r.err != nil {
			return
		}
		if r.api, r.err = s.API(ctx, "uuid_getvar "+s.UUID()+" destination_number"); r.err != nil {
			return
		}
		if r.err = s.Hangup(ctx, "NORMAL_CLEARING"); r.err != nil {
			return
		}
		<-ctx.Done()
		if !errors.Is(context.Cause(ctx), ErrHangup) {
			r.err = context.Cause(ctx)
			return
		}
		for ev := range events.Events() { // until FreeSWITCH's disconnect notice
			r.afterHangup = append(r.afterHangup, ev.Get("Event-Name"))
			if ev.Get("Event-Name") == "CHANNEL_HANGUP_COMPLETE" {
				break
			}
		}
		var he *HangupError
		if errors.As(s.HungUp(), &he) {
			r.cause = he.Cause // the linger notice may have come first, without a cause
		}
		r.err = s.Exit(bg)
	})}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		t.Fatalf("listen on %s (ESL_TEST_OUTBOUND_ADDR): %v", listen, err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-served
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, WithPassword(password))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, ext := range exts {
		t.Run(ext, func(t *testing.T) {
			job, err := c.BgAPI(ctx, "originate loopback/"+ext+"/default &park")
			if err != nil {
				t.Fatal(err)
			}
			var r result
			select {
			case r = <-results:
			case <-ctx.Done():
				t.Fatal("FreeSWITCH did not connect: is the dialplan's socket application pointed at " + listen + "?")
			}
			if out, err := job.Wait(ctx); err != nil || !strings.HasPrefix(out, "+OK") {
				t.Errorf("originate: %q, %v", out, err)
			}
			if r.err != nil {
				t.Fatalf("call %s: %v", r.uuid, r.err)
			}
			if r.ext != ext || r.dest != ext || r.api != ext {
				t.Errorf("destination: channel data %q, getvar %q, api %q; want %s", r.ext, r.dest, r.api, ext)
			}
			if r.played != "FILE PLAYED" {
				t.Errorf("playback response %q", r.played)
			}
			if r.cause != "NORMAL_CLEARING" {
				t.Errorf("hangup cause %q", r.cause)
			}
			if len(r.afterHangup) == 0 || r.afterHangup[len(r.afterHangup)-1] != "CHANNEL_HANGUP_COMPLETE" {
				t.Errorf("events after the hangup (linger): %v", r.afterHangup)
			}
		})
	}
}
