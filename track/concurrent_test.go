package track

import (
	"context"
	"sync"
	"testing"
)

// TestConcurrentReadersSeeConsistentSnapshots applies the load capture from
// one goroutine while others read; every snapshot must be internally
// consistent (run with -race).
func TestConcurrentReadersSeeConsistentSnapshots(t *testing.T) {
	evs := captureEvents(t, "load")
	tr := New(Options{})
	feed := tr.Subscribe(64) // a slow reader that drops
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				s := tr.Snapshot()
				sum := 0
				for _, n := range s.ByState {
					sum += n
				}
				if sum != len(s.Channels) {
					t.Errorf("state counts %d for %d channels", sum, len(s.Channels))
					return
				}
				byID := make(map[string]Channel, len(s.Channels))
				for _, c := range s.Channels {
					byID[c.UniqueID] = c
				}
				for _, c := range s.Channels {
					if p, ok := byID[c.Peer]; c.Peer != "" && ok && p.Peer != c.UniqueID {
						t.Errorf("half a bridge: %s -> %s -> %s", c.UniqueID, c.Peer, p.Peer)
						return
					}
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if _, err := feed.Next(ctx); err != nil {
				return
			}
		}
	}()
	for _, ev := range evs {
		tr.Apply(ev)
	}
	cancel()
	wg.Wait()
	feed.Close()
	if n, m := tr.Len(); n != 0 || m != 0 {
		t.Fatalf("%d channels %d calls after the load capture", n, m)
	}
}
