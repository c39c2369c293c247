package esl

import (
	"bufio"
	"context"
	"net"
	"testing"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// A BACKGROUND_JOB that FreeSWITCH sends right behind the +OK of
// "event plain ALL" is already subscribed: the client must deliver it, not
// hide it as a job result nobody asked for because its caller had not yet
// woken up to record the subscription.
func TestSubscribeTakesEffectAtItsReply(t *testing.T) {
	ev := &wire.Event{Headers: wire.Headers{
		{Name: "Event-Name", Value: "BACKGROUND_JOB"},
		{Name: "Job-UUID", Value: "someone-elses-job"},
	}, Body: "+OK done\n"}
	out := []byte("Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n")
	out, err := wire.AppendEventFrame(out, wire.TypeEventPlain, ev)
	if err != nil {
		t.Fatal(err)
	}
	serve := func(srv net.Conn) {
		br := bufio.NewReader(srv)
		srv.Write([]byte("Content-Type: auth/request\n\n"))
		if readCommandBlock(br) != nil {
			return
		}
		srv.Write([]byte("Content-Type: command/reply\nReply-Text: +OK accepted\n\n"))
		if readCommandBlock(br) != nil { // event plain ALL
			return
		}
		srv.Write(out) // the reply and the event in one write
		readCommandBlock(br)
	}
	round := func(i int) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := Dial(ctx, "pipe", WithDialer(pipeDialer(t, serve)))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sub := c.Listen()
		if err := c.Subscribe(ctx, EventAll); err != nil {
			t.Fatal(err)
		}
		m, ok := sub.Next(ctx)
		if !ok || m.Kind != KindEvent || m.Event.JobUUID() != "someone-elses-job" {
			t.Fatalf("round %d: got %+v (ok %v); want the BACKGROUND_JOB behind the +OK", i, m, ok)
		}
	}
	for i := range 20 {
		round(i)
	}
}

// readCommandBlock reads one client command up to its blank line.
func readCommandBlock(br *bufio.Reader) error {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		if line == "\n" {
			return nil
		}
	}
}
