// Command monitor prints a line for every change to FreeSWITCH's channels
// and calls: the inbound Client feeds a channel tracker and the tracker's
// change feed is printed as it happens.
//
//	go run ./examples/monitor -addr 127.0.0.1:8021 -password ClueCon
//
// Run it against `esl sim` (or `esl demo`'s simulator) to try it without a
// FreeSWITCH.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/track"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Args[1:]); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "monitor:", err)
		os.Exit(1)
	}
}

// run monitors until ctx ends.
func run(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8021", "FreeSWITCH event socket")
	password := fs.String("password", envOr("ESL_PASSWORD", "ClueCon"), "event socket password")
	if err := fs.Parse(args); err != nil {
		return err
	}

	// Reconnect on loss; the tracker resyncs when the client says it is
	// back.
	c, err := esl.Dial(ctx, *addr, esl.WithPassword(*password), esl.WithReconnect(time.Second, 30*time.Second))
	if err != nil {
		return err
	}
	defer c.Close()

	tr := track.New(track.Options{})
	feed := tr.Subscribe(256)
	defer feed.Close()

	// Listen before subscribing so no event is missed.
	sub := c.Listen()
	defer sub.Close()
	if err := c.Subscribe(ctx, track.Events()...); err != nil {
		return err
	}
	fmt.Fprintf(out, "monitoring %s\n", *addr)

	// Run applies the events, loads what is already up (Sync) and resyncs
	// after a reconnect or a gap.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- tr.Run(ctx, sub, c, time.Minute) }()
	defer func() { cancel(); <-ran }()
	for {
		ch, err := feed.Next(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, describe(ch))
	}
}

// describe is one line for a change.
func describe(ch track.Change) string {
	c := ch.Channel
	switch ch.Kind {
	case track.ChannelAdded:
		return fmt.Sprintf("+ %s %s %s -> %s", c.UniqueID, c.Name, c.CallerNumber, c.Destination)
	case track.ChannelChanged:
		s := fmt.Sprintf("~ %s %s %s", c.UniqueID, c.State, c.CallState)
		if c.Application != "" {
			s += " app=" + c.Application
		}
		if c.Held {
			s += " held"
		}
		if c.Parked {
			s += " parked"
		}
		return s
	case track.ChannelRemoved:
		return fmt.Sprintf("- %s %s cause=%s billsec=%d", c.UniqueID, c.Name, c.HangupCause, c.Billsec)
	case track.CallAdded:
		return fmt.Sprintf("= call %s: %s <-> %s", ch.Call.ID, ch.Call.A, ch.Call.B)
	case track.CallRemoved:
		return fmt.Sprintf("= call %s ended", ch.Call.ID)
	}
	return fmt.Sprintf("%s %s", ch.Kind, ch.Call.ID)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
