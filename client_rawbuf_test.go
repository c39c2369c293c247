package esl

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"testing"
)

// slabEventBody is a small plain event numbered i, padded to vary its
// length (so frames straddle slab ends at different places).
func slabEventBody(i int) string {
	return "Event-Name: CUSTOM\nEvent-Subclass: test%3A%3Aslab\nN: " + strconv.Itoa(i) +
		"\nPad: " + strings.Repeat("x", 100+i%977) + "\n\n"
}

func checkSlabEvent(t *testing.T, i int, ev *Event) {
	t.Helper()
	if ev.Get("N") != strconv.Itoa(i) || ev.Subclass() != "test::slab" || len(ev.Get("Pad")) != 100+i%977 {
		t.Fatalf("event %d decoded as N=%q subclass=%q pad=%d", i, ev.Get("N"), ev.Subclass(), len(ev.Get("Pad")))
	}
}

// Decoded events keep their content after their slab is reused, and an
// event not yet decoded keeps its slab from reuse however many frames
// follow it.
func TestRawCarverReusesOnlyDecodedSlabs(t *testing.T) {
	var a rawCarver
	held := a.carve(ContentEventPlain, []byte(slabEventBody(0)))
	heldSlab := held.slab
	var kept []*Event
	for i := 1; i < 2000; i++ {
		l := a.carve(ContentEventPlain, []byte(slabEventBody(i)))
		ev, err := l.get()
		if err != nil {
			t.Fatal(err)
		}
		if l.raw != nil || l.slab != nil {
			t.Fatalf("event %d still holds its frame after decoding", i)
		}
		kept = append(kept, ev)
	}
	if heldSlab.refs.Load() != 1 {
		t.Fatalf("slab of the undecoded event has %d references, want 1 (the event)", heldSlab.refs.Load())
	}
	ev, err := held.get()
	if err != nil {
		t.Fatal(err)
	}
	checkSlabEvent(t, 0, ev)
	for i, ev := range kept {
		checkSlabEvent(t, i+1, ev)
	}
	if heldSlab.refs.Load() != 0 {
		t.Fatalf("slab has %d references after its last event was decoded", heldSlab.refs.Load())
	}
	big := strings.Repeat("y", slabMaxFrame)
	l := a.carve(ContentEventPlain, []byte("Event-Name: CUSTOM\nBig: "+big+"\n\n"))
	if l.slab != nil {
		t.Fatal("a frame larger than slabMaxFrame was carved from a slab")
	}
	if ev, err := l.get(); err != nil || ev.Get("Big") != big {
		t.Fatalf("big event: %v", err)
	}
	a.retire()
}

// End to end over loopback TCP: thousands of distinct events published
// undecoded, all kept by the consumer, all intact at the end (their slabs
// were reused many times meanwhile).
func TestClientLazyEventsSurviveSlabReuse(t *testing.T) {
	const n = 5000
	fs := startLoopbackFS(t, func(w *bufio.Writer) {
		for i := range n {
			body := slabEventBody(i)
			w.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\nContent-Type: text/event-plain\n\n" + body)
		}
	})
	ctx := context.Background()
	c, err := Dial(ctx, fs.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub := c.Listen(WithBuffer(64), WithOverflow(Block), WithBlockLimit(-1))
	defer sub.Close()
	if err := c.Subscribe(ctx, EventAll); err != nil {
		t.Fatal(err)
	}
	kept := make([]*Event, 0, n)
	for len(kept) < n {
		m, ok := sub.Next(ctx)
		if !ok {
			t.Fatalf("stream ended after %d events", len(kept))
		}
		if m.Kind != KindEvent {
			t.Fatalf("unexpected %v after %d events", m.Kind, len(kept))
		}
		kept = append(kept, m.Event)
	}
	for i, ev := range kept {
		checkSlabEvent(t, i, ev)
	}
}
