package track

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/eslkit/esl"
)

// mk builds a channel event: name, uuid, then header name/value pairs.
// Channel-State defaults to CS_EXECUTE so that it reads as channel data.
func mk(name, uuid string, kv ...string) *esl.Event {
	hs := []esl.Header{{Name: "Event-Name", Value: name}, {Name: "Unique-ID", Value: uuid}}
	hasState := false
	for i := 0; i+1 < len(kv); i += 2 {
		hs = append(hs, esl.Header{Name: kv[i], Value: kv[i+1]})
		hasState = hasState || kv[i] == "Channel-State"
	}
	if !hasState {
		hs = append(hs, esl.Header{Name: "Channel-State", Value: "CS_EXECUTE"})
	}
	return esl.NewEvent(hs, "")
}

// clock is a manual clock for expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// drain returns every change queued on f without waiting.
func drain(f *Feed) []Change {
	var out []Change
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 0)
		c, err := f.Next(ctx)
		cancel()
		if err != nil {
			return out
		}
		out = append(out, c)
	}
}

// us formats a time as FreeSWITCH's µs since the epoch.
func us(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

func mustChannel(t *testing.T, tr *Tracker, uuid string) Channel {
	t.Helper()
	c, ok := tr.Channel(uuid)
	if !ok {
		t.Fatalf("channel %s not tracked", uuid)
	}
	return c
}
