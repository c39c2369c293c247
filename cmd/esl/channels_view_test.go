package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/track"
)

func testSnapshot() track.Snapshot {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return track.Snapshot{
		Taken: now,
		Channels: []track.Channel{
			{UniqueID: "aaaaaaaa-1111", Name: "loopback/8888-a", State: esl.CSExecute, CallState: esl.CallState(0),
				CallerNumber: "1000", Destination: "8888", Application: "park", Parked: true, Held: true,
				Created: now.Add(-75 * time.Second)},
			{UniqueID: "bbbbbbbb-2222", Name: "loopback/5555-a", State: esl.CSExchangeMedia,
				CallerNumber: "1001", CalleeNumber: "9999", Application: "bridge", ApplicationData: "loopback/9999",
				Peer: "cccccccc-3333", Created: now.Add(-3 * time.Second)},
		},
		Calls:    []track.Call{{ID: "bbbbbbbb-2222", A: "bbbbbbbb-2222", B: "cccccccc-3333", Bridged: true}},
		ByState:  map[esl.ChannelState]int{esl.CSExecute: 1, esl.CSExchangeMedia: 1},
		Answered: 2,
	}
}

func TestRenderChannels(t *testing.T) {
	lines := renderChannels(testSnapshot(), "title", 100, 10, false)
	screen := strings.Join(lines, "\n")
	for _, want := range []string{
		"channels 2  answered 2  bridged calls 1  held 1  parked 1",
		"EXCHANGE_MEDIA 1", "EXECUTE 1",
		"aaaaaaaa EXECUTE ", "1000", "8888", "park", "1:15", "HOLD PARK",
		"bbbbbbbb", "9999", "bridge loopback/9…", "↔cccccccc",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > 100 {
			t.Errorf("line of %d runes exceeds the width: %q", n, l)
		}
	}
	// On a narrow screen the application column shrinks, then goes; the
	// time and the flags stay.
	for _, width := range []int{95, 85, 80} {
		screen := strings.Join(renderChannels(testSnapshot(), "title", width, 10, false), "\n")
		for _, want := range []string{"1:15", "HOLD PARK", "0:03 ↔cccccccc"} {
			if !strings.Contains(screen, want) {
				t.Errorf("width %d: screen lacks %q:\n%s", width, want, screen)
			}
		}
		hasApp := strings.Contains(screen, "APPLICA") && strings.Contains(screen, "bridge")
		if hasApp != (width >= 85) {
			t.Errorf("width %d: application column shown %v:\n%s", width, hasApp, screen)
		}
	}
	// A short screen says how many rows it left out instead of scrolling.
	lines = renderChannels(testSnapshot(), "title", 100, 4, false)
	if len(lines) != 4 || !strings.Contains(lines[3], "and 2 more") {
		t.Errorf("short screen:\n%s", strings.Join(lines, "\n"))
	}
}

func TestSnapshotJSON(t *testing.T) {
	b, err := json.Marshal(snapshotJSON(testSnapshot()))
	if err != nil {
		t.Fatal(err)
	}
	var got channelsJSON
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Total != 2 || len(got.Channels) != 2 || len(got.Calls) != 1 || got.ByState["CS_EXECUTE"] != 1 {
		t.Fatalf("%s", b)
	}
	c := got.Channels[0]
	if c.UUID != "aaaaaaaa-1111" || !c.Parked || !c.Held || c.DurationSec != 75 || c.Callee != "8888" || c.Application != "park" {
		t.Fatalf("channel %+v", c)
	}
}

func TestClip(t *testing.T) {
	if got := clip(colRed+"héllo world"+colReset, 5); got != colRed+"héllo" {
		t.Fatalf("%q", got)
	}
}
