package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestDemoSummary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 5 s")
	}
	code, out, errs := runCLI(t, context.Background(), "demo", "--duration", "5s")
	if code != 0 {
		t.Fatalf("exit %d\nstderr %s\nstdout %s", code, errs, out)
	}
	var sum demoSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, k := range demoKinds {
		if sum.Calls[k] == 0 {
			t.Errorf("no %s calls: %s", k, out)
		}
	}
	if sum.Failed != 0 || len(sum.Errors) != 0 {
		t.Errorf("failures: %s", out)
	}
	// Both legs of a busy call end with USER_BUSY; the other calls end
	// normally (the demo hangs up what is left with NORMAL_CLEARING).
	if sum.Hangups["USER_BUSY"] < 2*sum.Calls[kindBusy] || sum.Hangups["NORMAL_CLEARING"] == 0 {
		t.Errorf("hangup causes do not match the calls placed: %s", out)
	}
	if sum.EndChannels != 0 || sum.PeakChannels == 0 {
		t.Errorf("channels: peak %d, at the end %d: %s", sum.PeakChannels, sum.EndChannels, out)
	}
	if sum.IVRSessions == 0 {
		t.Errorf("the IVR served no session: %s", out)
	}
	for _, n := range []string{"CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_BRIDGE", "CHANNEL_HOLD", "CHANNEL_PARK", "CHANNEL_HANGUP_COMPLETE"} {
		if sum.Events[n] == 0 {
			t.Errorf("no %s events: %s", n, out)
		}
	}
}

// TestDemoRateLineOnNarrowScreens: cut to 80 columns, the rate line still
// shows the rate and the failures; the breakdown by kind gives way.
func TestDemoRateLineOnNarrowScreens(t *testing.T) {
	s := &demoStats{calls: map[callKind]int64{}}
	for _, k := range demoKinds {
		s.calls[k] = 1234
	}
	s.failed.Store(2)
	s.ivr.Store(7)
	line := clip(demoRateLine(s, 117, false), 80)
	for _, want := range []string{"events/s 117", "failed 2", "ivr sessions 7"} {
		if !strings.Contains(line, want) {
			t.Errorf("%q lacks %q", line, want)
		}
	}
	if full := demoRateLine(s, 117, false); !strings.Contains(full, "answered 1234") || !strings.Contains(full, "ivr 1234") {
		t.Errorf("breakdown missing: %q", full)
	}
}
