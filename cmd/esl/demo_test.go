package main

import (
	"context"
	"encoding/json"
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
	if sum.IVRSessions == 0 {
		t.Errorf("the IVR served no session: %s", out)
	}
	for _, n := range []string{"CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_BRIDGE", "CHANNEL_HOLD", "CHANNEL_PARK", "CHANNEL_HANGUP_COMPLETE"} {
		if sum.Events[n] == 0 {
			t.Errorf("no %s events: %s", n, out)
		}
	}
}
