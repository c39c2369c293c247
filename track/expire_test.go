package track

import (
	"testing"
	"time"
)

func TestExpireHungUpWithoutDestroy(t *testing.T) {
	clk := newClock()
	tr := New(Options{Now: clk.Now, HangupTimeout: 30 * time.Second})
	f := tr.Subscribe(0)
	defer f.Close()
	tr.Apply(mk("CHANNEL_CREATE", "up"))
	tr.Apply(mk("CODEC", "new", "Channel-State", "CS_NONE")) // not hung up either
	tr.Apply(mk("CHANNEL_CREATE", "dead"))
	tr.Apply(mk("CHANNEL_HANGUP", "dead", "Hangup-Cause", "NORMAL_CLEARING", "Answer-State", "hangup"))
	clk.Advance(29 * time.Second)
	if n := tr.Expire(); n != 0 {
		t.Fatalf("expired %d before the timeout", n)
	}
	clk.Advance(time.Second)
	if n := tr.Expire(); n != 1 {
		t.Fatalf("expired %d, want 1", n)
	}
	if _, ok := tr.Channel("dead"); ok {
		t.Fatal("hung-up channel still tracked")
	}
	// A quiet live channel (a parked call sends nothing) stays without an
	// idle timeout.
	clk.Advance(time.Hour)
	if n := tr.Expire(); n != 0 {
		t.Fatalf("expired a live channel: %d", n)
	}
	var removed []string
	for _, c := range drain(f) {
		if c.Kind == ChannelRemoved {
			if c.Cause != CauseExpire {
				t.Fatalf("removal cause %q", c.Cause)
			}
			removed = append(removed, c.Channel.UniqueID)
		}
	}
	if len(removed) != 1 || removed[0] != "dead" {
		t.Fatalf("removed %v", removed)
	}
	if st := tr.Stats(); st.Expired != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestExpireIdle(t *testing.T) {
	clk := newClock()
	tr := New(Options{Now: clk.Now, IdleTimeout: time.Minute, HangupTimeout: -1})
	tr.Apply(mk("CHANNEL_CREATE", "a"))
	tr.Apply(mk("CHANNEL_CREATE", "b"))
	tr.Apply(bridgeEv("CHANNEL_BRIDGE", "a", "b"))
	clk.Advance(40 * time.Second)
	tr.Apply(mk("SESSION_HEARTBEAT", "a"))
	clk.Advance(40 * time.Second)
	if n := tr.Expire(); n != 1 {
		t.Fatalf("expired %d, want 1 (b)", n)
	}
	if a := mustChannel(t, tr, "a"); a.Peer != "" {
		t.Fatalf("a still bridged to an expired channel: %+v", a)
	}
	clk.Advance(time.Minute)
	tr.Expire()
	if n, m := tr.Len(); n != 0 || m != 0 {
		t.Fatalf("%d channels, %d calls left", n, m)
	}
}
