package fsim

import (
	"strconv"
	"strings"
	"sync"
	"testing"

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
