// Command ivr is a small IVR served over FreeSWITCH's outbound socket: it
// answers, plays a prompt, collects one digit (with a timeout) and
// transfers the call, or says goodbye and hangs up.
//
// Point a dialplan extension at it:
//
//	<extension name="ivr">
//	  <condition field="destination_number" expression="^7777$">
//	    <action application="socket" data="127.0.0.1:8084 async full"/>
//	  </condition>
//	</extension>
//
// then run "go run ./examples/ivr" (or "-listen host:port") and call 7777,
// e.g. "originate loopback/7777/default &park" from fs_cli. It runs
// unchanged against fsim ("esl sim" or fsim.Options.SocketAddr).
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/examples/ivr/ivr"
)

func main() {
	listen := flag.String("listen", esl.DefaultOutboundAddr, "address FreeSWITCH's socket application dials")
	maxSessions := flag.Int("max-sessions", 0, "calls handled at once (0: no limit)")
	timeout := flag.Duration("timeout", 5*time.Second, "wait for a digit after each prompt")
	verbose := flag.Bool("v", false, "debug logging")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	cfg := ivr.DefaultConfig()
	cfg.Timeout = *timeout
	cfg.Logger = log
	srv := &esl.Server{Addr: *listen, Handler: ivr.New(cfg), MaxSessions: *maxSessions, Logger: log}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			log.Warn("ivr: calls still running at exit", "err", err)
			_ = srv.Close()
		}
	}()
	log.Info("ivr: listening", "addr", *listen)
	if err := srv.ListenAndServe(); !errors.Is(err, esl.ErrServerClosed) {
		log.Error("ivr: serve", "err", err)
		os.Exit(1)
	}
	<-drained // Shutdown waits for the running calls
}
