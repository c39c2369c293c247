package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/fsim"
	"github.com/eslkit/esl/track"
)

// bridgedSnapshot is a 5555 call bridged to 9999: the A leg dialled 5555
// and its bridge dialled the B leg to 9999, 42 s ago; a third channel is
// parked on its own.
func bridgedSnapshot() track.Snapshot {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return track.Snapshot{
		Taken: now,
		Channels: []track.Channel{
			{UniqueID: "aaaaaaaa-1111", Name: "sofia/internal/1001@pbx", State: esl.CSExchangeMedia,
				CallerNumber: "1001", Destination: "5555", Application: "bridge", ApplicationData: "loopback/9999",
				Peer: "bbbbbbbb-2222", CallID: "aaaaaaaa-1111", Created: now.Add(-50 * time.Second)},
			{UniqueID: "bbbbbbbb-2222", Name: "sofia/gw/9999", Direction: "outbound", State: esl.CSExchangeMedia,
				CallerNumber: "1001", Destination: "9999", Peer: "aaaaaaaa-1111", CallID: "aaaaaaaa-1111",
				Created: now.Add(-45 * time.Second)},
			{UniqueID: "cccccccc-3333", Name: "loopback/8888-a", State: esl.CSExecute,
				CallerNumber: "1002", Destination: "8888", Application: "park", Parked: true, Created: now.Add(-5 * time.Second)},
		},
		Calls: []track.Call{{ID: "aaaaaaaa-1111", A: "aaaaaaaa-1111", B: "bbbbbbbb-2222", Bridged: true,
			BridgedAt: now.Add(-42 * time.Second)}},
		ByState: map[esl.ChannelState]int{esl.CSExchangeMedia: 2, esl.CSExecute: 1},
	}
}

// callsLines returns the lines from the calls section's header on.
func callsLines(t *testing.T, lines []string) []string {
	t.Helper()
	for i, l := range lines {
		if strings.HasPrefix(l, "A-LEG") {
			return lines[i:]
		}
	}
	t.Fatalf("no calls section:\n%s", strings.Join(lines, "\n"))
	return nil
}

func TestRenderCallsSection(t *testing.T) {
	lines := renderChannels(bridgedSnapshot(), "title", 120, 20, false)
	calls := callsLines(t, lines)
	if len(calls) != 2 {
		t.Fatalf("want a header and one call:\n%s", strings.Join(lines, "\n"))
	}
	// Below the channel table: all three channels come first.
	if !strings.Contains(strings.Join(lines[:len(lines)-2], "\n"), "cccccccc") {
		t.Fatalf("channel table not above the calls:\n%s", strings.Join(lines, "\n"))
	}
	row := calls[1]
	for _, want := range []string{"aaaaaaaa bbbbbbbb 1001", "9999", "BRIDGED", "0:42",
		"sofia/internal/1001@pbx ↔ sofia/gw/9999"} {
		if !strings.Contains(row, want) {
			t.Errorf("call row lacks %q: %q", want, row)
		}
	}
	if strings.Contains(row, "5555") {
		t.Errorf("callee should be the B leg's destination: %q", row)
	}

	// A held leg shows on the call; an ended bridge stops the clock.
	s := bridgedSnapshot()
	s.Channels[1].Held = true
	if row := callsLines(t, renderChannels(s, "", 120, 20, false))[1]; !strings.Contains(row, "HELD") {
		t.Errorf("held call: %q", row)
	}
	s = bridgedSnapshot()
	s.Calls[0].Bridged = false
	s.Calls[0].UnbridgedAt = s.Taken.Add(-40 * time.Second)
	if row := callsLines(t, renderChannels(s, "", 120, 20, false))[1]; !strings.Contains(row, "UNBRIDGED") || !strings.Contains(row, "0:02") {
		t.Errorf("unbridged call: %q", row)
	}
	s.Channels[0].HungUp = s.Taken
	s.Channels[1].HungUp = s.Taken
	if row := callsLines(t, renderChannels(s, "", 120, 20, false))[1]; !strings.Contains(row, "ENDED") {
		t.Errorf("ended call: %q", row)
	}

	// An 80-column screen cuts the names, never the legs or the time.
	for _, l := range renderChannels(bridgedSnapshot(), "", 80, 20, false) {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line of %d runes exceeds 80: %q", n, l)
		}
	}
	row = callsLines(t, renderChannels(bridgedSnapshot(), "", 80, 20, false))[1]
	if !strings.Contains(row, "aaaaaaaa bbbbbbbb") || !strings.Contains(row, "0:42") {
		t.Errorf("narrow call row: %q", row)
	}
}

// A screen too short for everything shares its rows between channels and
// calls, each saying how many it left out, and never runs past its height.
func TestRenderChannelsAndCallsShareRows(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := track.Snapshot{Taken: now, ByState: map[esl.ChannelState]int{}}
	for i := range 30 {
		a, b := fmt.Sprintf("a%07d-x", i), fmt.Sprintf("b%07d-x", i)
		s.Channels = append(s.Channels,
			track.Channel{UniqueID: a, Name: "sofia/a/" + a, State: esl.CSExchangeMedia, Peer: b, Created: now},
			track.Channel{UniqueID: b, Name: "sofia/b/" + b, State: esl.CSExchangeMedia, Peer: a, Created: now})
		s.Calls = append(s.Calls, track.Call{ID: a, A: a, B: b, Bridged: true, BridgedAt: now})
	}
	for _, height := range []int{8, 12, 24, 40} {
		lines := renderChannels(s, "title", 100, height, false)
		if len(lines) != height {
			t.Fatalf("height %d: %d lines:\n%s", height, len(lines), strings.Join(lines, "\n"))
		}
		calls := callsLines(t, lines)
		chans := lines[3 : len(lines)-len(calls)]
		if !strings.Contains(chans[len(chans)-1], "more") || !strings.Contains(calls[len(calls)-1], "more") {
			t.Errorf("height %d: a cut section does not say so:\n%s", height, strings.Join(lines, "\n"))
		}
		// Every call shown has its row, and the shown plus the left out
		// add up.
		shown := len(calls) - 2
		var more int
		fmt.Sscanf(strings.TrimPrefix(calls[len(calls)-1], "… and "), "%d", &more)
		if shown < 1 || shown+more != 30 {
			t.Errorf("height %d: %d calls shown, %d more:\n%s", height, shown, more, strings.Join(lines, "\n"))
		}
	}
	// Everything fits: no "more" lines.
	s.Channels, s.Calls = s.Channels[:4], s.Calls[:2]
	lines := renderChannels(s, "title", 100, 12, false)
	if screen := strings.Join(lines, "\n"); strings.Contains(screen, "more") || len(lines) != 3+4+3 {
		t.Errorf("all fit:\n%s", screen)
	}
}

func TestSplitRows(t *testing.T) {
	for _, c := range []struct{ nch, ncalls, room, ch, calls int }{
		{2, 0, 10, 10, 0},    // no calls: all for channels
		{2, 1, 10, 2, 2},     // all fit
		{2, 1, 3, 3, 0},      // too short for a calls section
		{60, 30, 30, 20, 10}, // a third for the calls
		{2, 30, 30, 2, 28},   // the channels need little: the calls get the rest
		{60, 1, 30, 28, 2},   // one call takes its header and row
	} {
		ch, calls := splitRows(c.nch, c.ncalls, c.room)
		if ch != c.ch || calls != c.calls {
			t.Errorf("splitRows(%d, %d, %d) = %d, %d; want %d, %d", c.nch, c.ncalls, c.room, ch, calls, c.ch, c.calls)
		}
	}
}

func TestSnapshotJSONCalls(t *testing.T) {
	got := snapshotJSON(bridgedSnapshot())
	if len(got.Calls) != 1 {
		t.Fatalf("%+v", got.Calls)
	}
	c := got.Calls[0]
	if c.A != "aaaaaaaa-1111" || c.B != "bbbbbbbb-2222" || !c.Bridged || c.State != callBridged ||
		c.Caller != "1001" || c.Callee != "9999" || c.AName != "sofia/internal/1001@pbx" || c.BName != "sofia/gw/9999" ||
		c.DurationSec != 42 || c.BridgedAt != "2026-01-02T03:03:23Z" {
		t.Fatalf("call %+v", c)
	}
}

// `esl channels --once` prints the calls section below the channels, and
// --json lists the same call with its legs.
func TestChannelsOnceShowsCalls(t *testing.T) {
	sim := fsim.Run(t)
	a := placeCall(t, sim, "loopback/8888/default")
	b := placeCall(t, sim, "loopback/8888/default")
	if body := sim.API("uuid_bridge " + a + " " + b); !strings.HasPrefix(body, "+OK") {
		t.Fatalf("uuid_bridge: %q", body)
	}
	sim.Settle()
	code, out, errs := runCLI(t, context.Background(), append([]string{"channels", "--once"}, connArgs(t, sim)...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := callsLines(t, strings.Split(strings.TrimRight(out, "\n"), "\n"))
	if len(lines) != 2 || !strings.HasPrefix(lines[1], a[:8]+" "+b[:8]) || !strings.Contains(lines[1], "BRIDGED") {
		t.Fatalf("calls section:\n%s", out)
	}
	code, out, errs = runCLI(t, context.Background(), append([]string{"channels", "--once", "--json"}, connArgs(t, sim)...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var snap channelsJSON
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(snap.Calls) != 1 || snap.Calls[0].A != a || snap.Calls[0].B != b || snap.Calls[0].State != callBridged || snap.Calls[0].AName == "" {
		t.Fatalf("calls: %s", out)
	}
	sim.API("hupall")
}
