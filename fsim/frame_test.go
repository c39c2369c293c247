package fsim

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// TestSharedFramesSurviveRecycling: events go to subscribers of all three
// formats, two of each, while being fired from two goroutines; their
// serialisations are shared and recycled (frame.go) and InjectEvent's
// events themselves too. Every subscriber must still get every event
// whole, with its own values, in firing order per goroutine.
func TestSharedFramesSurviveRecycling(t *testing.T) {
	s := Run(t, Options{HeartbeatInterval: -1})
	formats := []string{"plain", "json", "xml", "plain", "json", "xml"}
	var conns []*rawConn
	for _, f := range formats {
		c := authed(t, s)
		if r := c.reply("event " + f + " CUSTOM t::recycle"); !strings.HasPrefix(r, "+OK") {
			t.Fatalf("event %s: %q", f, r)
		}
		conns = append(conns, c)
	}
	const perFirer = 300
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perFirer {
				v := strconv.Itoa(g) + "-" + strconv.Itoa(i)
				// Sizes vary so that recycled buffers are reused for
				// shorter and longer frames.
				hs := []Header{{"Firer", strconv.Itoa(g)}, {"N", strconv.Itoa(i)}, {"Pad", strings.Repeat("x y", i%50)}}
				s.InjectEvent("CUSTOM", "t::recycle", hs, "body "+v)
			}
		}()
	}
	wg.Wait()
	for k, c := range conns {
		next := [2]int{}
		for range 2 * perFirer {
			f := c.read()
			ev, err := decodeAny(f.get("Content-Type"), f.body)
			if err != nil {
				t.Fatalf("%s subscriber: %v in %q", formats[k], err, f.body)
			}
			g, _ := strconv.Atoi(ev.Headers.Get("Firer"))
			i, _ := strconv.Atoi(ev.Headers.Get("N"))
			if g < 0 || g > 1 || i != next[g] {
				t.Fatalf("%s subscriber: event %d of firer %d, want %d: %+v", formats[k], i, g, next[g], ev)
			}
			next[g]++
			want := "body " + strconv.Itoa(g) + "-" + strconv.Itoa(i)
			if ev.Body != want || ev.Headers.Get("Pad") != strings.Repeat("x y", i%50) {
				t.Fatalf("%s subscriber: event %d-%d has body %q, Pad %q", formats[k], g, i, ev.Body, ev.Headers.Get("Pad"))
			}
		}
	}
}

func decodeAny(ctype, body string) (*wire.Event, error) {
	switch ctype {
	case "text/event-json":
		return wire.DecodeJSON([]byte(body))
	case "text/event-xml":
		return wire.DecodeXML([]byte(body))
	}
	return wire.DecodePlain([]byte(body))
}

// TestBatchedWrite: events that piled up while the connection was stalled
// go out in one batch, written straight from the shared serialisations in
// several writev chunks (writeFrames); they must arrive whole and in order.
func TestBatchedWrite(t *testing.T) {
	clk := NewManualClock(time.Time{})
	s := Run(t, Options{Clock: clk, HeartbeatInterval: -1})
	c := authed(t, s)
	c.reply("event plain CUSTOM t::batch")
	s.Stall(time.Second)
	const n = 200 // about 200 KB: several chunks
	pad := strings.Repeat("z", 900)
	for i := range n {
		s.InjectEvent("CUSTOM", "t::batch", []Header{{"N", strconv.Itoa(i)}, {"Pad", pad}}, "")
	}
	s.Advance(time.Second)
	for i := range n {
		f := c.read()
		if got := f.bodyHeader("N"); got != strconv.Itoa(i) || f.bodyHeader("Pad") != pad {
			t.Fatalf("event %d: N=%q, %d bytes", i, got, len(f.body))
		}
	}
	if l := s.openConns(); len(l) != 1 || l[0].writevs.Load() < 2 {
		t.Fatal("the batch did not go out in writev chunks")
	}
}
