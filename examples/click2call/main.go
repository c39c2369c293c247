// Command click2call places a click-to-call: FreeSWITCH first calls the
// agent, and when the agent answers, bridges them to the customer. It
// prints the call's progress until it ends.
//
//	go run ./examples/click2call -from user/1000 -to sofia/gateway/pstn/5551234
//
// Against the simulator (`esl sim`): -from loopback/8888/default -to loopback/9999/default.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/eslkit/esl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "click2call:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("click2call", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8021", "FreeSWITCH event socket")
	password := fs.String("password", envOr("ESL_PASSWORD", "ClueCon"), "event socket password")
	from := fs.String("from", "", "dial string of the agent, called first (e.g. user/1000)")
	to := fs.String("to", "", "dial string of the customer, bridged when the agent answers")
	callerID := fs.String("caller-id", "click2call", "caller id number the agent sees")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("-from and -to are required")
	}
	if strings.ContainsAny(*callerID, ",}'") {
		return errors.New("-caller-id must not contain , } or '")
	}

	c, err := esl.Dial(ctx, *addr, esl.WithPassword(*password))
	if err != nil {
		return err
	}
	defer c.Close()

	// Pick the agent leg's uuid ourselves (origination_uuid), so its
	// events can be followed from the very first one.
	uuid := newUUID()
	sub := c.Listen(esl.ForUniqueID(uuid))
	defer sub.Close()
	if err := c.Subscribe(ctx, "CHANNEL_ANSWER", "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_HANGUP_COMPLETE"); err != nil {
		return err
	}

	// bgapi: originate waits for the agent to answer, which can take long.
	job, err := c.BgAPI(ctx, fmt.Sprintf("originate {origination_uuid=%s,origination_caller_id_number=%s}%s &bridge(%s)", uuid, *callerID, *from, *to))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "calling %s (call %s)\n", *from, uuid)
	result := make(chan error, 1)
	go func() {
		_, err := job.Wait(ctx)
		result <- err
	}()
	for {
		select {
		case err := <-result:
			if err != nil {
				return fmt.Errorf("originate: %w", err)
			}
			result = nil // answered; follow the events
		case m, ok := <-sub.C():
			if !ok {
				return errors.New("connection closed")
			}
			if m.Kind != esl.KindEvent {
				continue
			}
			ev := m.Event
			switch ev.Get("Event-Name") {
			case "CHANNEL_ANSWER":
				fmt.Fprintf(out, "agent answered; calling %s\n", *to)
			case "CHANNEL_BRIDGE":
				fmt.Fprintf(out, "connected to %s\n", ev.Get("Other-Leg-Unique-ID"))
			case "CHANNEL_UNBRIDGE":
				fmt.Fprintln(out, "disconnected")
			case "CHANNEL_HANGUP_COMPLETE":
				fmt.Fprintf(out, "call ended: %s, %s s billed\n", ev.Get("Hangup-Cause"), ev.Get("variable_billsec"))
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
