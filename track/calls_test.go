package track

import (
	"maps"
	"slices"
	"testing"

	"github.com/eslkit/esl"
)

func bridgeEv(name, a, b string) *esl.Event {
	return mk(name, a, "Bridge-A-Unique-ID", a, "Bridge-B-Unique-ID", b, "Event-Date-Timestamp", "1795645338974945")
}

func TestCallLivesUntilLastLegDestroyed(t *testing.T) {
	tr := New(Options{})
	f := tr.Subscribe(0)
	defer f.Close()
	tr.Apply(mk("CHANNEL_CREATE", "a"))
	tr.Apply(mk("CHANNEL_CREATE", "b"))
	tr.Apply(bridgeEv("CHANNEL_BRIDGE", "a", "b"))
	call, ok := tr.CallOf("b")
	if !ok || call.A != "a" || call.B != "b" || !call.Bridged || call.BridgedAt.IsZero() || call.ID != "a" {
		t.Fatalf("call = %+v %v", call, ok)
	}
	if a, b := mustChannel(t, tr, "a"), mustChannel(t, tr, "b"); a.Peer != "b" || b.Peer != "a" || a.CallID != "a" || b.CallID != "a" {
		t.Fatalf("legs %+v %+v", a, b)
	}
	tr.Apply(bridgeEv("CHANNEL_UNBRIDGE", "a", "b"))
	call, _ = tr.Call("a")
	if call.Bridged || call.UnbridgedAt.IsZero() {
		t.Fatalf("after unbridge: %+v", call)
	}
	if a := mustChannel(t, tr, "a"); a.Peer != "" || a.CallID != "a" {
		t.Fatalf("after unbridge a = %+v", a)
	}
	tr.Apply(mk("CHANNEL_DESTROY", "b"))
	if _, ok := tr.Call("a"); !ok {
		t.Fatal("call ended with a leg still up")
	}
	tr.Apply(mk("CHANNEL_DESTROY", "a"))
	if _, ok := tr.Call("a"); ok {
		t.Fatal("call outlived its legs")
	}
	var kinds []ChangeKind
	for _, c := range drain(f) {
		if c.Kind >= CallAdded {
			kinds = append(kinds, c.Kind)
		}
	}
	if want := []ChangeKind{CallAdded, CallChanged, CallRemoved}; !slices.Equal(kinds, want) {
		t.Fatalf("call changes %v, want %v", kinds, want)
	}
}

func TestRebridgeStartsNewCall(t *testing.T) {
	tr := New(Options{})
	for _, u := range []string{"a", "b1", "b2"} {
		tr.Apply(mk("CHANNEL_CREATE", u))
	}
	tr.Apply(bridgeEv("CHANNEL_BRIDGE", "a", "b1"))
	tr.Apply(bridgeEv("CHANNEL_UNBRIDGE", "a", "b1"))
	tr.Apply(bridgeEv("CHANNEL_BRIDGE", "a", "b2"))
	c, ok := tr.CallOf("a")
	if !ok || c.B != "b2" || !c.Bridged {
		t.Fatalf("a's call = %+v", c)
	}
	old, ok := tr.CallOf("b1")
	if !ok || old.ID == c.ID {
		t.Fatalf("b1 should stay in the old call until destroyed: %+v", old)
	}
	tr.Apply(mk("CHANNEL_DESTROY", "b1"))
	if _, n := tr.Len(); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
	// Bridging the same pair again re-bridges the same call.
	tr.Apply(bridgeEv("CHANNEL_UNBRIDGE", "a", "b2"))
	tr.Apply(bridgeEv("CHANNEL_BRIDGE", "a", "b2"))
	if again, _ := tr.CallOf("a"); again.ID != c.ID || !again.Bridged || !again.UnbridgedAt.IsZero() {
		t.Fatalf("re-bridge = %+v, want call %s bridged", again, c.ID)
	}
}

func TestBridgeBeforeBLegIsSeen(t *testing.T) {
	tr := New(Options{})
	tr.Apply(bridgeEv("CHANNEL_BRIDGE", "a", "b")) // a late join: A's bridge event first
	if _, ok := tr.Channel("a"); !ok {
		t.Fatal("A leg not added from CHANNEL_BRIDGE")
	}
	tr.Apply(mk("CHANNEL_STATE", "b", "Channel-State", "CS_EXCHANGE_MEDIA"))
	if b := mustChannel(t, tr, "b"); b.Peer != "a" || b.CallID != "a" {
		t.Fatalf("B leg joined without its call: %+v", b)
	}
	tr.Apply(mk("CHANNEL_DESTROY", "a"))
	tr.Apply(mk("CHANNEL_DESTROY", "b"))
	if n, m := tr.Len(); n != 0 || m != 0 {
		t.Fatalf("%d channels %d calls left", n, m)
	}
}

func TestRenameKeepsCallAndPeer(t *testing.T) {
	tr := New(Options{})
	f := tr.Subscribe(0)
	defer f.Close()
	tr.Apply(mk("CHANNEL_CREATE", "old", "Channel-Name", "x"))
	tr.Apply(mk("CHANNEL_CREATE", "b"))
	tr.Apply(bridgeEv("CHANNEL_BRIDGE", "old", "b"))
	drain(f)
	tr.Apply(mk("CHANNEL_UUID", "new", "Old-Unique-ID", "old"))
	if _, ok := tr.Channel("old"); ok {
		t.Fatal("old uuid still tracked")
	}
	c := mustChannel(t, tr, "new")
	if c.Name != "x" || c.Peer != "b" {
		t.Fatalf("renamed channel lost its data: %+v", c)
	}
	if b := mustChannel(t, tr, "b"); b.Peer != "new" {
		t.Fatalf("peer still points at %q", b.Peer)
	}
	if call, ok := tr.CallOf("new"); !ok || call.A != "new" || call.B != "b" {
		t.Fatalf("call after rename = %+v", call)
	}
	var renamed bool
	for _, ch := range drain(f) {
		renamed = renamed || (ch.Kind == ChannelChanged && ch.OldUniqueID == "old" && ch.Channel.UniqueID == "new")
	}
	if !renamed {
		t.Fatal("no ChannelChanged with OldUniqueID on the feed")
	}
	// Late events for the old uuid are dropped.
	tr.Apply(mk("CODEC", "old", "Channel-State", "CS_NONE"))
	if _, ok := tr.Channel("old"); ok {
		t.Fatal("event for the old uuid brought it back")
	}
	// A rename of a channel never seen creates it under its new uuid.
	tr.Apply(mk("CHANNEL_UUID", "n2", "Old-Unique-ID", "o2", "Channel-State", "CS_NEW"))
	if c := mustChannel(t, tr, "n2"); c.State != esl.CSNew {
		t.Fatalf("n2 = %+v", c)
	}
}

func TestCountsAgreeWithSnapshot(t *testing.T) {
	tr := New(Options{})
	evs := captureEvents(t, "call-plain")
	for i, ev := range evs {
		tr.Apply(ev)
		n, s := tr.Counts(), tr.Snapshot()
		bridged := 0
		for _, c := range s.Calls {
			if c.Bridged {
				bridged++
			}
		}
		if n.Channels != len(s.Channels) || n.Calls != len(s.Calls) || n.Bridged != bridged || n.Answered != s.Answered ||
			!maps.Equal(n.ByState, s.ByState) || !maps.Equal(n.ByCallState, s.ByCallState) {
			t.Fatalf("after event %d: counts %+v, snapshot %d channels %d calls %v", i, n, len(s.Channels), len(s.Calls), s.ByState)
		}
		if ev.Get("Event-Name") == "CHANNEL_BRIDGE" && n.Bridged != 1 {
			t.Fatalf("bridged %d after CHANNEL_BRIDGE", n.Bridged)
		}
	}
}
