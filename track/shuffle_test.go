package track

import (
	"math/rand/v2"
	"testing"

	"github.com/eslkit/esl"
)

// TestAnyInterleavingOfChannels replays the captures with the channels'
// event streams interleaved at random (FreeSWITCH orders events only
// within a channel) and every tenth event duplicated: the tracker must
// still end empty, with each channel's cause as reported.
func TestAnyInterleavingOfChannels(t *testing.T) {
	for _, sc := range []string{"call-plain", "call-park-hold", "load"} {
		evs := captureEvents(t, sc)
		var order []string
		streams := map[string][]*esl.Event{}
		cause := map[string]string{}
		alias := map[string]string{} // renamed uuid -> the stream it continues
		for _, ev := range evs {
			u := ev.UniqueID()
			if ev.Get("Event-Name") == "CHANNEL_UUID" {
				alias[u] = ev.Get("Old-Unique-ID") // one stream across the rename
			}
			if a, ok := alias[u]; ok {
				u = a
			}
			if _, ok := streams[u]; !ok {
				order = append(order, u)
			}
			streams[u] = append(streams[u], ev)
			if ev.Get("Event-Name") == "CHANNEL_HANGUP_COMPLETE" {
				cause[ev.UniqueID()] = ev.Get("Hangup-Cause")
			}
		}
		for seed := range uint64(10) {
			rng := rand.New(rand.NewPCG(seed, 7))
			tr := New(Options{})
			f := tr.Subscribe(1 << 16)
			pos := map[string]int{}
			live := append([]string(nil), order...)
			n := 0
			for len(live) > 0 {
				i := rng.IntN(len(live))
				u := live[i]
				ev := streams[u][pos[u]]
				tr.Apply(ev)
				if n++; n%10 == 0 {
					tr.Apply(ev)
				}
				if pos[u]++; pos[u] == len(streams[u]) {
					live = append(live[:i], live[i+1:]...)
				}
			}
			tr.mu.RLock()
			legs := len(tr.legCall)
			tr.mu.RUnlock()
			if c, m := tr.Len(); c != 0 || m != 0 || legs != 0 {
				t.Fatalf("%s seed %d: %d channels %d calls %d call legs left", sc, seed, c, m, legs)
			}
			for _, ch := range drain(f) {
				if ch.Kind != ChannelRemoved {
					continue
				}
				if want := cause[ch.Channel.UniqueID]; ch.Channel.HangupCause.String() != want {
					t.Fatalf("%s seed %d: %s cause %v, want %s", sc, seed, ch.Channel.UniqueID, ch.Channel.HangupCause, want)
				}
			}
			f.Close()
		}
	}
}
