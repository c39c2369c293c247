package track

import (
	"context"
	"maps"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/fsim"
)

// TestRunResyncsAfterFsimDropsTheConnection runs a tracker with Run on a
// reconnecting client. fsim drops the connection; while the client is away
// calls end (their events are lost); after Reconnected the tracker must
// match fsim again, the dead channels removed by the resync.
func TestRunResyncsAfterFsimDropsTheConnection(t *testing.T) {
	clk := fsim.NewManualClock(time.Time{})
	sim := fsim.Run(t, fsim.Options{Clock: clk, HeartbeatInterval: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Redials wait for the test to end the outage.
	gate := &gatedDialer{open: make(chan struct{})}
	c, err := esl.Dial(ctx, sim.Addr(), esl.WithPassword(sim.Password()), esl.WithDialer(gate),
		esl.WithReconnect(time.Millisecond, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub := c.Listen(esl.WithBuffer(1 << 14))
	defer sub.Close()
	watch := c.Listen(esl.ForEvents("NONE")) // connection notices only
	defer watch.Close()
	if err := c.Subscribe(ctx, Events()...); err != nil {
		t.Fatal(err)
	}

	// The tracker's clock is fsim's, so SyncGrace is measured in simulated
	// time too.
	tr := New(Options{Now: clk.Now})
	feed := tr.Subscribe(1 << 14)
	defer feed.Close()
	runDone := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { runDone <- tr.Run(runCtx, sub, c, 0) }()
	defer func() { stop(); <-runDone }()

	fsUUIDs := func() []string {
		rows, err := parseRows(sim.API("show channels as json"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r["uuid"])
		}
		slices.Sort(out)
		return out
	}
	myUUIDs := func() []string {
		s := tr.Snapshot()
		var out []string
		for _, ch := range s.Channels {
			out = append(out, ch.UniqueID)
		}
		slices.Sort(out)
		return out
	}
	syncRemoved := map[string]bool{}
	// waitMatch reads the tracker's feed until it holds what fsim holds.
	waitMatch := func(label string, extra func() bool) {
		t.Helper()
		want := fsUUIDs()
		note := func(ch Change) {
			if ch.Missed > 0 {
				t.Fatalf("%s: feed missed %d", label, ch.Missed)
			}
			if ch.Kind == ChannelRemoved && ch.Cause == "sync" {
				syncRemoved[ch.Channel.UniqueID] = true
			}
		}
		for !slices.Equal(myUUIDs(), want) || (extra != nil && !extra()) {
			ch, err := feed.Next(ctx)
			if err != nil {
				t.Fatalf("%s: tracker %d channels, fsim %d: %v", label, len(myUUIDs()), len(want), err)
			}
			note(ch)
		}
		for _, ch := range drain(feed) { // what the tracker did up to now
			note(ch)
		}
	}

	var parked []string
	for range 20 {
		if u := originateUUID(sim, "loopback/8888/default &park"); u != "" {
			parked = append(parked, u)
		}
		originateUUID(sim, "loopback/9999/default &park")
		originateUUID(sim, "loopback/5555/default &park")
	}
	sim.Settle()
	waitMatch("calls up", nil)
	before := map[string]bool{}
	for _, u := range myUUIDs() {
		before[u] = true
	}

	sim.InjectFault(fsim.FaultDrop)
	if m, ok := watch.Next(ctx); !ok || m.Kind != esl.KindDisconnected {
		t.Fatalf("expected a disconnect notice, got %v %v", m.Kind, ok)
	}
	clk.Advance(5 * time.Second) // the tones end: 9999 and 5555 calls hang up unseen
	sim.Settle()
	close(gate.open)
	if m, ok := watch.Next(ctx); !ok || m.Kind != esl.KindReconnected {
		t.Fatalf("expected a reconnect notice, got %v %v", m.Kind, ok)
	}
	waitMatch("after the resync", func() bool { return tr.Stats().Syncs >= 2 })

	var wantRemoved []string
	alive := map[string]bool{}
	for _, u := range fsUUIDs() {
		alive[u] = true
	}
	for u := range before {
		if !alive[u] {
			wantRemoved = append(wantRemoved, u)
		}
	}
	slices.Sort(wantRemoved)
	if got := slices.Sorted(maps.Keys(syncRemoved)); len(wantRemoved) == 0 || !slices.Equal(got, wantRemoved) {
		t.Fatalf("resync removed %d channels, want the %d that ended during the outage", len(got), len(wantRemoved))
	}
	h := &fsimHarness{t: t, ctx: ctx, sim: sim}
	h.compare("after the resync", tr)

	for _, u := range parked {
		sim.API("uuid_kill " + u)
	}
	clk.Advance(time.Second)
	sim.Settle()
	waitMatch("all over", func() bool { n, m := tr.Len(); return n == 0 && m == 0 })
}

// gatedDialer dials at once the first time, then only after open closes.
type gatedDialer struct {
	n    atomic.Int32
	open chan struct{}
}

func (g *gatedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if g.n.Add(1) > 1 {
		select {
		case <-g.open:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// originateUUID runs an originate in fsim and returns the A leg's uuid.
func originateUUID(sim *fsim.Sim, args string) string {
	h := &fsimHarness{sim: sim}
	return h.originate(args)
}
