package track

import (
	"bytes"
	"testing"

	"github.com/eslkit/esl"
)

// FuzzApply feeds arbitrary plain events (separated by a line "--") and
// checks that the tracker neither panics nor loses its invariants: bridges
// are symmetric and a bridged channel's call knows it.
func FuzzApply(f *testing.F) {
	var seed []byte
	for i, ev := range captureEvents(f, "call-plain") {
		if i%3 == 0 {
			seed = ev.AppendPlain(seed)
			seed = append(seed, "--\n"...)
		}
	}
	f.Add(seed)
	f.Add([]byte("Event-Name: CHANNEL_BRIDGE\nUnique-ID: a\nChannel-State: CS_EXECUTE\nBridge-A-Unique-ID: a\nBridge-B-Unique-ID: b\n\n--\nEvent-Name: CHANNEL_UUID\nUnique-ID: c\nOld-Unique-ID: b\nChannel-State: CS_NEW\n\n--\nEvent-Name: CHANNEL_BRIDGE\nUnique-ID: c\nChannel-State: CS_EXECUTE\nBridge-A-Unique-ID: c\nBridge-B-Unique-ID: a\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := New(Options{Variables: []string{"billsec"}})
		for chunk := range bytes.SplitSeq(data, []byte("--\n")) {
			ev, err := esl.ParseEvent("text/event-plain", chunk)
			if err != nil {
				continue
			}
			tr.Apply(ev)
		}
		tr.Expire()
		s := tr.Snapshot()
		byID := map[string]Channel{}
		for _, c := range s.Channels {
			byID[c.UniqueID] = c
		}
		for _, c := range s.Channels {
			if c.Peer == "" {
				continue
			}
			if p, ok := byID[c.Peer]; ok && p.Peer != c.UniqueID {
				t.Fatalf("%s -> %s but %s -> %s", c.UniqueID, c.Peer, p.UniqueID, p.Peer)
			}
			if call, ok := tr.CallOf(c.UniqueID); !ok || !call.Bridged {
				t.Fatalf("%s bridged to %s without a bridged call (%+v)", c.UniqueID, c.Peer, call)
			}
		}
	})
}
