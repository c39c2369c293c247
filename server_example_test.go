package esl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"time"

	"github.com/eslkit/esl"
)

// A complete outbound server: FreeSWITCH runs
// <action application="socket" data="127.0.0.1:8084 async full"/> and
// the handler drives each call.
func ExampleServer() {
	srv := &esl.Server{
		Addr:        "127.0.0.1:8084",
		MaxSessions: 500,
		Logger:      slog.Default(),
		Handler: esl.HandlerFunc(func(ctx context.Context, s *esl.Session) {
			log.Printf("call %s from %s", s.UUID(), s.ChannelData().Get("Caller-Caller-ID-Number"))
			if err := s.Answer(ctx); err != nil {
				return // hung up already
			}
			if _, err := s.Playback(ctx, "ivr/ivr-welcome.wav"); err != nil {
				return
			}
			_ = s.Hangup(ctx, "NORMAL_CLEARING")
		}),
	}
	if err := srv.ListenAndServe(); !errors.Is(err, esl.ErrServerClosed) {
		log.Fatal(err)
	}
}

// Execute waits for the application to finish and returns its
// Application-Response; it returns early if the caller hangs up.
func ExampleSession_Execute() {
	handler := func(ctx context.Context, s *esl.Session) {
		resp, err := s.Execute(ctx, "playback", "ivr/ivr-welcome.wav")
		switch {
		case errors.Is(err, esl.ErrHangup):
			log.Print("caller hung up during the prompt")
		case err != nil:
			log.Print(err)
		default:
			log.Print(resp) // FILE PLAYED
		}
	}
	_ = esl.HandlerFunc(handler)
}

// ExecuteAsync starts an application and lets the handler do other work
// meanwhile; Wait collects the result.
func ExampleSession_ExecuteAsync() {
	handler := func(ctx context.Context, s *esl.Session) {
		music, err := s.ExecuteAsync(ctx, "playback", "local_stream://moh")
		if err != nil {
			return
		}
		out, err := s.API(ctx, "uuid_getvar "+s.UUID()+" caller_id_number") // needs "full"
		if errors.Is(err, esl.ErrNotFull) {
			log.Print("add 'full' to the socket application's data")
		}
		log.Print(out)
		_, _ = music.Wait(ctx)
	}
	_ = esl.HandlerFunc(handler)
}

// Collecting digits: PlayAndGetDigits returns what the caller typed.
func ExampleSession_PlayAndGetDigits() {
	handler := func(ctx context.Context, s *esl.Session) {
		_ = s.Answer(ctx)
		digits, err := s.PlayAndGetDigits(ctx, esl.DigitsOptions{
			Min: 4, Max: 4, Tries: 3, Timeout: 5 * time.Second,
			File: "ivr/ivr-please_enter_pin_followed_by_pound.wav",
		})
		if err != nil || digits == "" {
			_ = s.Hangup(ctx, "NORMAL_CLEARING")
			return
		}
		_ = s.Transfer(ctx, "1000", "XML", "default")
	}
	_ = esl.HandlerFunc(handler)
}

// With Linger, the events that follow the hang-up still arrive; the
// session context is cancelled at the hang-up, the subscription ends at
// FreeSWITCH's disconnect notice.
func ExampleSession_Linger() {
	handler := func(ctx context.Context, s *esl.Session) {
		if err := s.Linger(ctx, 10*time.Second); err != nil {
			return
		}
		events := s.Events(esl.ForEvents("CHANNEL_HANGUP_COMPLETE"))
		defer events.Close()
		_ = s.Answer(ctx)
		_ = s.Hangup(ctx, "NORMAL_CLEARING")
		for ev := range events.Events() {
			fmt.Println("billed seconds:", ev.Var("billsec"))
		}
	}
	_ = esl.HandlerFunc(handler)
}
