package esl

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// testConn is a conn with nothing behind it, for the Block policy's
// pending-reply check.
func testConn() *conn {
	return &conn{psig: make(chan struct{}, 1), done: make(chan struct{}), wsig: make(chan struct{}, 1), log: discardLogger}
}

func seqEvent(i int) Message {
	return Message{Kind: KindEvent, Event: NewEvent([]Header{{Name: "Event-Name", Value: "CUSTOM"}, {Name: "N", Value: strconv.Itoa(i)}}, "")}
}

// drain reads what is buffered and renders it: "1 2 gap3 5".
func drain(s *Subscription) []string {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out []string
	for {
		m, ok := s.Next(ctx)
		if !ok {
			return out
		}
		switch m.Kind {
		case KindGap:
			out = append(out, "gap"+strconv.FormatUint(m.Lost, 10))
		case KindEvent:
			out = append(out, m.Event.Get("N"))
		default:
			out = append(out, m.Kind.String())
		}
	}
}

func publishN(h *hub, c *conn, from, to int) {
	for i := from; i <= to; i++ {
		h.publish(seqEvent(i), c)
	}
}

func eq(a []string, b ...string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestOverflowDropNewest(t *testing.T) {
	h := newHub()
	s := h.subscribe([]SubscribeOption{WithBuffer(2), WithOverflow(DropNewest)})
	c := testConn()
	publishN(h, c, 1, 5)
	if got := drain(s); !eq(got, "1", "2", "gap3") {
		t.Fatalf("got %v", got)
	}
	publishN(h, c, 6, 6)
	if got := drain(s); !eq(got, "6") || s.Lost() != 3 {
		t.Fatalf("got %v lost %d", got, s.Lost())
	}
}

func TestOverflowDropOldest(t *testing.T) {
	h := newHub()
	s := h.subscribe([]SubscribeOption{WithBuffer(2), WithOverflow(DropOldest)})
	c := testConn()
	publishN(h, c, 1, 5)
	if got := drain(s); !eq(got, "gap3", "4", "5") || s.Lost() != 3 {
		t.Fatalf("got %v lost %d", got, s.Lost())
	}
}

func TestOverflowBlockLimitDrops(t *testing.T) {
	h := newHub()
	s := h.subscribe([]SubscribeOption{WithBuffer(1), WithOverflow(Block), WithBlockLimit(time.Millisecond)})
	c := testConn()
	publishN(h, c, 1, 2)
	if got := drain(s); !eq(got, "1", "gap1") {
		t.Fatalf("got %v", got)
	}
}

func TestOverflowBlockWaitsForConsumer(t *testing.T) {
	h := newHub()
	s := h.subscribe([]SubscribeOption{WithBuffer(1), WithOverflow(Block), WithBlockLimit(-1)})
	c := testConn()
	done := make(chan struct{})
	go func() {
		publishN(h, c, 1, 50)
		close(done)
	}()
	var got []string
	for len(got) < 50 {
		m, ok := s.Next(context.Background())
		if !ok || m.Kind != KindEvent {
			t.Fatalf("unexpected %v %v", m.Kind, ok)
		}
		got = append(got, m.Event.Get("N"))
	}
	<-done
	for i, n := range got {
		if n != strconv.Itoa(i+1) {
			t.Fatalf("order: %v", got)
		}
	}
	if s.Lost() != 0 {
		t.Fatal("lost")
	}
}

func TestOverflowBlockNeverHoldsReplies(t *testing.T) {
	h := newHub()
	s := h.subscribe([]SubscribeOption{WithBuffer(1), WithOverflow(Block), WithBlockLimit(-1)})
	c := testConn()
	publishN(h, c, 1, 1)
	done := make(chan struct{})
	go func() {
		publishN(h, c, 2, 2) // blocks: the buffer is full, no reply pending
		close(done)
	}()
	// A command is queued: the reader must go on to read its reply.
	if err := c.enqueue(&command{line: "api status"}, &waiter{ch: make(chan result, 1)}); err != nil {
		t.Fatal(err)
	}
	<-done
	if got := drain(s); !eq(got, "1", "2") {
		t.Fatalf("got %v", got)
	}
}

func TestSubscriptionFiltersAndNotices(t *testing.T) {
	h := newHub()
	byName := h.subscribe([]SubscribeOption{ForEvents(EventChannelAnswer)})
	byCall := h.subscribe([]SubscribeOption{ForUniqueID("u1"), WithLogs()})
	c := testConn()
	h.publish(Message{Kind: KindEvent, Event: NewEvent([]Header{{Name: "Event-Name", Value: "CHANNEL_ANSWER"}, {Name: "Unique-ID", Value: "u2"}}, "")}, c)
	h.publish(Message{Kind: KindEvent, Event: NewEvent([]Header{{Name: "Event-Name", Value: "CHANNEL_HANGUP"}, {Name: "Unique-ID", Value: "u1"}}, "")}, c)
	h.publish(Message{Kind: KindLog, Log: &LogRecord{UserData: "u1", Text: "x"}}, c)
	h.publish(Message{Kind: KindLog, Log: &LogRecord{UserData: "u2", Text: "y"}}, c)
	h.publish(Message{Kind: KindDisconnected}, nil)
	h.end(nil)
	if got := drain(byName); len(got) != 2 || got[1] != "disconnected" {
		t.Fatalf("byName %v", got)
	}
	var kinds []MessageKind
	for m := range byCall.Messages() {
		kinds = append(kinds, m.Kind)
	}
	if len(kinds) != 3 || kinds[0] != KindEvent || kinds[1] != KindLog || kinds[2] != KindDisconnected {
		t.Fatalf("byCall %v", kinds)
	}
}

func TestSubscriptionChannelAndClose(t *testing.T) {
	h := newHub()
	s := h.subscribe(nil)
	c := testConn()
	publishN(h, c, 1, 3)
	ch := s.C()
	for i := 1; i <= 3; i++ {
		m := <-ch
		if m.Event.Get("N") != strconv.Itoa(i) {
			t.Fatalf("got %v", m.Event.Get("N"))
		}
	}
	s.Close()
	if _, ok := <-ch; ok {
		t.Fatal("channel open after Close")
	}
	publishN(h, c, 4, 4) // no one listening: must not block or panic
}
