package track

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/fsim"
)

// fsimHarness feeds a tracker from a real esl.Client subscribed to fsim,
// and compares it with fsim's own "show channels" / "show calls".
type fsimHarness struct {
	t       *testing.T
	ctx     context.Context
	sim     *fsim.Sim
	client  *esl.Client
	sub     *esl.Subscription
	tr      *Tracker
	markers int
	checks  int
	uuidEvs int // CHANNEL_UUID events seen
}

const markerSubclass = "track::checkpoint"

// catchUp fires a marker event in fsim and applies the client's events up
// to it: then the tracker has seen everything fsim did before the marker.
func (h *fsimHarness) catchUp() {
	h.t.Helper()
	h.markers++
	id := fmt.Sprint(h.markers)
	h.sim.InjectEvent("CUSTOM", markerSubclass, []fsim.Header{{Name: "Marker", Value: id}}, "")
	for {
		m, ok := h.sub.Next(h.ctx)
		if !ok {
			h.t.Fatalf("subscription ended waiting for marker %s: %v", id, h.sub.Err())
		}
		switch m.Kind {
		case esl.KindEvent:
			if m.Event.Subclass() == markerSubclass {
				if m.Event.Get("Marker") == id {
					return
				}
				continue
			}
			if m.Event.Name() == esl.EventChannelUUID {
				h.uuidEvs++
			}
			h.tr.Apply(m.Event)
		case esl.KindGap:
			h.t.Fatalf("client dropped %d events", m.Lost)
		case esl.KindDisconnected:
			h.t.Fatalf("disconnected: %v", m.Err)
		}
	}
}

// check settles fsim, catches up and compares the tracker, and a second
// tracker that joins late by Sync, with fsim. It returns how many channels
// are up.
func (h *fsimHarness) check(label string) int {
	h.t.Helper()
	h.sim.Settle()
	h.catchUp()
	h.checks++
	// fsim is settled and nothing runs until the next originate, so one
	// reading of its tables serves both comparisons.
	chRows, callRows := h.tables(label)
	n := h.compareRows(label, h.tr, chRows, callRows)
	late := New(Options{})
	if err := late.Sync(h.ctx, h.client); err != nil {
		h.t.Fatalf("%s: late Sync: %v", label, err)
	}
	h.compareRows(label+" (late join by Sync)", late, chRows, callRows)
	return n
}

// tables reads fsim's "show channels" and "show calls".
func (h *fsimHarness) tables(label string) (chRows, callRows []map[string]string) {
	h.t.Helper()
	chRows, err := parseRows(h.sim.API("show channels as json"))
	if err != nil {
		h.t.Fatalf("%s: show channels: %v", label, err)
	}
	callRows, err = parseRows(h.sim.API("show calls as json"))
	if err != nil {
		h.t.Fatalf("%s: show calls: %v", label, err)
	}
	return chRows, callRows
}

// compare checks tr against fsim's show channels and show calls.
func (h *fsimHarness) compare(label string, tr *Tracker) int {
	h.t.Helper()
	chRows, callRows := h.tables(label)
	return h.compareRows(label, tr, chRows, callRows)
}

// compareRows checks tr against rows of fsim's show channels and show
// calls; it returns how many channels the tracker has.
func (h *fsimHarness) compareRows(label string, tr *Tracker, chRows, callRows []map[string]string) int {
	h.t.Helper()
	s := tr.Snapshot()
	mine := map[string]Channel{}
	for _, c := range s.Channels {
		mine[c.UniqueID] = c
	}
	theirs := map[string]map[string]string{}
	for _, r := range chRows {
		theirs[r["uuid"]] = r
	}
	if a, b := slices.Sorted(maps.Keys(mine)), slices.Sorted(maps.Keys(theirs)); !slices.Equal(a, b) {
		h.t.Fatalf("%s: tracker has %d channels, fsim %d\n tracker only: %v\n fsim only: %v", label, len(a), len(b), minus(a, b), minus(b, a))
	}
	for u, r := range theirs {
		c := mine[u]
		got := []string{c.Name, c.State.String(), c.CallState.String(), c.Direction, c.Destination, c.CallerNumber, c.Context}
		want := []string{r["name"], r["state"], r["callstate"], r["direction"], r["dest"], r["cid_num"], r["context"]}
		if !slices.Equal(got, want) {
			h.t.Fatalf("%s: channel %s\n tracker %v\n fsim    %v", label, u, got, want)
		}
	}
	var myBridges, fsBridges []string
	for _, c := range s.Calls {
		if c.Bridged {
			myBridges = append(myBridges, c.A+">"+c.B)
		}
	}
	for _, r := range callRows {
		if r["b_uuid"] != "" {
			fsBridges = append(fsBridges, r["uuid"]+">"+r["b_uuid"])
		}
	}
	slices.Sort(myBridges)
	slices.Sort(fsBridges)
	if !slices.Equal(myBridges, fsBridges) {
		h.t.Fatalf("%s: bridges\n tracker %v\n fsim    %v", label, myBridges, fsBridges)
	}
	return len(s.Channels)
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, x)
		}
	}
	return out
}

// originate runs an originate and returns the A leg's uuid ("" when it
// failed, as a rejected call does).
func (h *fsimHarness) originate(args string) string {
	out := h.sim.API("originate " + args)
	if u, ok := strings.CutPrefix(strings.TrimSpace(out), "+OK "); ok {
		return u
	}
	return ""
}

// TestTrackerMatchesFsim drives fsim with calls of every kind it supports
// (answered, rejected, bridged, held, parked, transferred, uuid-changed; at
// least 1,000 of each) and checks at checkpoints that the tracker fed by a
// real client equals fsim's "show channels" and "show calls", and that it
// is empty when every call is over.
func TestTrackerMatchesFsim(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 7,000 calls")
	}
	clk := fsim.NewManualClock(time.Time{})
	dp := fsim.DefaultDialplan()
	// 4444 rejects the call before answering: both loopback legs exist,
	// then end with CALL_REJECTED.
	if err := dp.Add("default", "4444", fsim.Action{App: "hangup", Data: "CALL_REJECTED"}); err != nil {
		t.Fatal(err)
	}
	sim := fsim.Run(t, fsim.Options{Clock: clk, HeartbeatInterval: -1, Dialplan: dp})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := esl.Dial(ctx, sim.Addr(), esl.WithPassword(sim.Password()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub := c.Listen(esl.WithBuffer(1 << 16))
	defer sub.Close()
	if err := c.Subscribe(ctx, Events()...); err != nil {
		t.Fatal(err)
	}
	if err := c.SubscribeCustom(ctx, markerSubclass); err != nil {
		t.Fatal(err)
	}
	h := &fsimHarness{t: t, ctx: ctx, sim: sim, client: c, sub: sub, tr: New(Options{})}
	ends := h.tr.Subscribe(1 << 15) // drained after every checkpoint
	defer ends.Close()
	causes := map[esl.HangupCause]int{}
	countEnds := func() {
		for _, ch := range drain(ends) {
			if ch.Missed > 0 {
				t.Fatalf("feed missed %d changes", ch.Missed)
			}
			if ch.Kind == ChannelRemoved {
				causes[ch.Channel.HangupCause]++
			}
		}
	}
	h.check("start")

	const rounds, perKind = 20, 50
	kinds := map[string]int{}
	uuidN := 0
	for round := range rounds {
		var parked, held, moved []string
		for range perKind {
			// answered: the B leg answers, plays 3 s of tone, hangs up.
			if h.originate("loopback/9999/default &park") != "" {
				kinds["answered"]++
			}
			// bridged: 5555 bridges to a second loopback pair (4 legs).
			if h.originate("loopback/5555/default &park") != "" {
				kinds["bridged"]++
			}
			// parked: 8888 answers and parks until killed.
			if u := h.originate("loopback/8888/default &park"); u != "" {
				parked = append(parked, u)
				kinds["parked"]++
			}
			// uuid-changed: origination_uuid renames the A leg (CHANNEL_UUID).
			uuidN++
			want := fmt.Sprintf("7e57%04x-0000-4000-8000-%012x", round, uuidN)
			if u := h.originate("{origination_uuid=" + want + "}loopback/8888/default &park"); u == want {
				held = append(held, u) // held below
				kinds["uuid-changed"]++
			}
			// transferred: parked, then sent to 9999.
			if u := h.originate("loopback/8888/default &park"); u != "" {
				moved = append(moved, u)
			}
			// rejected: 4444 hangs up unanswered with CALL_REJECTED.
			if h.originate("loopback/4444/default &park") == "" {
				kinds["rejected"]++
			}
		}
		up := h.check(fmt.Sprintf("round %d: calls up", round))
		if up == 0 {
			t.Fatalf("round %d: no channel up", round)
		}
		for _, u := range parked {
			if c, ok := h.tr.Channel(u); !ok || !c.Parked || c.Application != "park" || c.AnswerState != esl.AnswerAnswered {
				t.Fatalf("round %d: parked call %s: %+v", round, u, c)
			}
		}
		for _, u := range held {
			if out := sim.API("uuid_hold " + u); strings.HasPrefix(out, "+OK") {
				kinds["held"]++
			}
		}
		for _, u := range moved {
			if out := sim.API("uuid_transfer " + u + " 9999 XML default"); strings.HasPrefix(out, "+OK") {
				kinds["transferred"]++
			}
		}
		h.check(fmt.Sprintf("round %d: held and transferred", round))
		for _, ch := range h.tr.Snapshot().Channels {
			if slices.Contains(held, ch.UniqueID) && !ch.Held {
				t.Fatalf("round %d: %s not held", round, ch.UniqueID)
			}
		}
		countEnds()
		clk.Advance(5 * time.Second) // every tone ends: 9999, 5555 and the transferred calls hang up
		h.check(fmt.Sprintf("round %d: tones over", round))
		countEnds()
		for _, u := range append(parked, held...) {
			sim.API("uuid_kill " + u)
		}
		clk.Advance(time.Second)
		n := h.check(fmt.Sprintf("round %d: all over", round))
		countEnds()
		if n != 0 {
			t.Fatalf("round %d: %d channels left", round, n)
		}
		h.tr.mu.RLock()
		legs := len(h.tr.legCall)
		h.tr.mu.RUnlock()
		if _, calls := h.tr.Len(); calls != 0 || legs != 0 {
			t.Fatalf("round %d: %d calls, %d call legs left", round, calls, legs)
		}
	}
	for _, k := range []string{"answered", "rejected", "bridged", "held", "parked", "transferred", "uuid-changed"} {
		if kinds[k] < rounds*perKind {
			t.Errorf("%s calls: %d, want %d", k, kinds[k], rounds*perKind)
		}
	}
	// Two legs per rejected call ended with its cause.
	if got := causes[esl.CauseCallRejected]; got != 2*kinds["rejected"] {
		t.Errorf("%d channels ended CALL_REJECTED, want %d", got, 2*kinds["rejected"])
	}
	st := h.tr.Stats()
	t.Logf("%d checkpoints; tracker: %d events, %d applied, %d late, %d renamed; fsim sent %d CHANNEL_UUID", h.checks, st.Events, st.Applied, st.Late, st.Renamed, h.uuidEvs)
}
