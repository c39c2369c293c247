package track

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestMissingEvents replays the captures with a tenth of the events lost at
// random. Channels whose CHANNEL_DESTROY survived are gone; those that only
// showed they hung up are expired after HangupTimeout; nothing else is left.
func TestMissingEvents(t *testing.T) {
	for _, sc := range []string{"call-plain", "call-park-hold", "load"} {
		evs := captureEvents(t, sc)
		for seed := range uint64(10) {
			rng := rand.New(rand.NewPCG(seed, 99))
			clk := newClock()
			tr := New(Options{Now: clk.Now, HangupTimeout: time.Minute})

			// Expected, from the surviving events alone.
			destroyed, hungUp, seen := map[string]bool{}, map[string]bool{}, map[string]bool{}
			for _, ev := range evs {
				if rng.IntN(10) == 0 {
					continue // lost
				}
				tr.Apply(ev)
				u := ev.UniqueID()
				if u == "" || ev.Get("Channel-State") == "" {
					continue
				}
				if ev.Get("Event-Name") == "CHANNEL_UUID" && seen[ev.Get("Old-Unique-ID")] {
					delete(seen, ev.Get("Old-Unique-ID"))
				}
				n, _ := strconv.Atoi(ev.Get("Channel-State-Number"))
				switch {
				case ev.Get("Event-Name") == "CHANNEL_DESTROY":
					destroyed[u] = true
				case destroyed[u]:
				case ev.Get("Event-Name") == "CHANNEL_STATE" && ev.Get("Channel-State") == "CS_DESTROY":
				default:
					seen[u] = true
				}
				if ev.Get("Answer-State") == "hangup" || ev.Get("Hangup-Cause") != "" || (ev.Get("Event-Name") == "CHANNEL_STATE" && n >= 10) {
					hungUp[u] = true
				}
			}
			var want []string
			for u := range seen {
				if !destroyed[u] && !hungUp[u] {
					want = append(want, u) // up, as far as the tracker can know
				}
			}
			slices.Sort(want)

			clk.Advance(time.Minute)
			tr.Expire()
			var got []string
			for _, c := range tr.Snapshot().Channels {
				got = append(got, c.UniqueID)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s seed %d: left %v, want %v", sc, seed, got, want)
			}
			if _, calls := tr.Len(); len(got) == 0 && calls != 0 {
				t.Fatalf("%s seed %d: %d calls without channels", sc, seed, calls)
			}
		}
	}
}
