package main

import (
	"context"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/examples/ivr/ivr"
)

// demoIVR is the outbound server that fsim's socket application (extension
// 7777) calls into, serving the example IVR in this process.
type demoIVR struct {
	addr  string
	srv   *esl.Server
	done  chan struct{}
	turns atomic.Int64
}

// startDemoIVR listens on a free port and serves the example IVR. Each
// session is counted, and a digit is pressed for it a moment later through
// dtmf (1: transfer to 9999, 2: to 8888, every third call: none, so the IVR
// times out and says goodbye).
func startDemoIVR(stats *demoStats, dtmf func(uuid, digit string)) (*demoIVR, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	quiet := slog.New(slog.DiscardHandler) // the screen belongs to the view
	cfg := ivr.DefaultConfig()
	cfg.Timeout = 2 * time.Second
	cfg.Tries = 2
	cfg.Logger = quiet
	h := ivr.New(cfg)
	d := &demoIVR{addr: ln.Addr().String(), done: make(chan struct{})}
	d.srv = &esl.Server{Logger: quiet, Handler: esl.HandlerFunc(func(ctx context.Context, s *esl.Session) {
		stats.ivr.Add(1)
		if digit := [...]string{"1", "2", ""}[d.turns.Add(1)%3]; digit != "" {
			uuid := s.UUID()
			t := time.AfterFunc(700*time.Millisecond, func() {
				if ctx.Err() == nil {
					dtmf(uuid, digit)
				}
			})
			defer t.Stop()
		}
		h.ServeESL(ctx, s)
	})}
	go func() {
		defer close(d.done)
		d.srv.Serve(ln)
	}()
	return d, nil
}

// close stops the server, giving running calls a moment to end.
func (d *demoIVR) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if d.srv.Shutdown(ctx) != nil {
		d.srv.Close()
	}
	<-d.done
}
