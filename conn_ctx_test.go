package esl

import (
	"bufio"
	"context"
	"net"
	"sync/atomic"
	"testing"
)

// lateCtx is a context whose Done blocks until ready fires and then
// reports the context as cancelled. roundTrip asks for Done only when it
// starts to wait, so a test can make both the reply and the end of the
// context ready at that moment: the case a plain select decides at random.
type lateCtx struct {
	context.Context
	ready <-chan struct{}
	ended atomic.Bool
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (c *lateCtx) Done() <-chan struct{} {
	<-c.ready
	c.ended.Store(true)
	return closedChan
}

func (c *lateCtx) Err() error {
	if c.ended.Load() {
		return context.Canceled
	}
	return nil
}

// TestConnArrivedReplyWinsOverEndedContext: when the reply is already
// there as the caller's context ends, the caller gets the reply, never
// "context canceled" for a command FreeSWITCH carried out.
func TestConnArrivedReplyWinsOverEndedContext(t *testing.T) {
	const rounds = 64 // a coin flip each without the rule: 2^-64 to pass by luck
	srv, cli := net.Pipe()
	served := make(chan struct{})
	go func() {
		defer close(served)
		defer srv.Close()
		if _, err := srv.Write([]byte("Content-Type: auth/request\n\n")); err != nil {
			return
		}
		br := bufio.NewReader(srv)
		const ev = "Event-Name: HEARTBEAT\n\n"
		for range rounds {
			if _, err := readCommand(br); err != nil {
				return
			}
			// The reply, then an event: the event hook runs only after
			// the reply was handed to its waiter.
			if _, err := srv.Write([]byte("Content-Type: api/response\nContent-Length: 2\n\nok" +
				"Content-Type: text/event-plain\nContent-Length: " + itoa(len(ev)) + "\n\n" + ev)); err != nil {
				return
			}
		}
	}()
	events := make(chan struct{}, rounds)
	c := engineOn(t, cli, connConfig{onEvent: func(*conn, *Event) { events <- struct{}{} }})
	for i := range rounds {
		ctx := &lateCtx{Context: context.Background(), ready: events}
		rep, err := c.roundTrip(ctx, &command{line: "api status"})
		if err != nil {
			t.Fatalf("round %d: %v (the reply had arrived)", i, err)
		}
		if rep.body != "ok" {
			t.Fatalf("round %d: body %q", i, rep.body)
		}
		if !ctx.ended.Load() {
			t.Fatalf("round %d: the context never ended; the test proves nothing", i)
		}
	}
	c.close()
	<-served
}
