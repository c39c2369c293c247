package fsim

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder collects fired events in-process.
type recorder struct {
	mu  sync.Mutex
	evs []recEvent
	ch  chan struct{}
}

type recEvent struct {
	name string
	h    map[string]string
	hs   []Header
	body string
}

func (e recEvent) get(n string) string { return e.h[n] }

func record(s *Sim) *recorder {
	r := &recorder{ch: make(chan struct{}, 1)}
	s.OnEvent(func(name string, hs []Header, body string) {
		m := map[string]string{}
		for _, h := range hs {
			if _, ok := m[h.Name]; !ok {
				m[h.Name] = h.Value
			}
		}
		r.mu.Lock()
		r.evs = append(r.evs, recEvent{name, m, hs, body})
		r.mu.Unlock()
		select {
		case r.ch <- struct{}{}:
		default:
		}
	})
	return r
}

// legSeq returns "NAME[/detail]" for every event of the channel named name.
func (r *recorder) legSeq(chanName string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.evs {
		if e.get("Channel-Name") != chanName && !strings.HasPrefix(e.get("Channel-Name"), strings.TrimSuffix(chanName, "-a")+"/") {
			continue
		}
		d := e.name
		switch e.name {
		case "CHANNEL_STATE":
			d += "/" + e.get("Channel-State")
		case "CHANNEL_CALLSTATE":
			d += "/" + e.get("Original-Channel-Call-State") + ">" + e.get("Channel-Call-State")
		case "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE":
			d += "/" + e.get("Application")
		}
		out = append(out, d)
	}
	return out
}

// waitFor waits until an event matching f has been recorded.
func (r *recorder) waitFor(t *testing.T, what string, f func(recEvent) bool) recEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		for _, e := range r.evs {
			if f(e) {
				r.mu.Unlock()
				return e
			}
		}
		r.mu.Unlock()
		select {
		case <-r.ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func destroyed(name string) func(recEvent) bool {
	return func(e recEvent) bool {
		return e.name == "CHANNEL_STATE" && e.get("Channel-State") == "CS_DESTROY" && e.get("Channel-Name") == name
	}
}

func TestOriginate9999ManualClock(t *testing.T) {
	clk := NewManualClock(time.Time{})
	s := Run(t, Options{Clock: clk, HeartbeatInterval: -1})
	r := record(s)
	out := s.API("originate loopback/9999/default &park")
	if !strings.HasPrefix(out, "+OK ") || len(out) != 41 {
		t.Fatalf("originate: %q", out)
	}
	s.Settle()
	start := clk.Now()
	s.Advance(3 * time.Second)
	r.waitFor(t, "B destroyed", destroyed("loopback/9999-b"))
	r.waitFor(t, "A destroyed", destroyed("loopback/9999-a"))
	if d := clk.Now().Sub(start); d != 3*time.Second {
		t.Fatalf("clock moved %v", d)
	}
	wantB := []string{"CODEC", "CODEC", "CHANNEL_STATE/CS_INIT", "CHANNEL_CREATE", "CHANNEL_CALLSTATE/DOWN>RINGING",
		"CHANNEL_STATE/CS_ROUTING", "CHANNEL_STATE/CS_EXECUTE", "CHANNEL_EXECUTE/answer", "CHANNEL_ANSWER",
		"CHANNEL_CALLSTATE/RINGING>ACTIVE", "CHANNEL_EXECUTE_COMPLETE/answer", "CHANNEL_EXECUTE/playback",
		"PLAYBACK_START", "PLAYBACK_STOP", "CHANNEL_EXECUTE_COMPLETE/playback", "CHANNEL_EXECUTE/hangup",
		"CHANNEL_HANGUP", "CHANNEL_EXECUTE_COMPLETE/hangup", "CHANNEL_STATE/CS_HANGUP",
		"CHANNEL_CALLSTATE/ACTIVE>HANGUP", "CHANNEL_STATE/CS_REPORTING", "CHANNEL_HANGUP_COMPLETE",
		"CHANNEL_DESTROY", "CHANNEL_STATE/CS_DESTROY"}
	if got := r.legSeq("loopback/9999-b"); fmt.Sprint(got) != fmt.Sprint(wantB) {
		t.Errorf("B leg:\n got %v\nwant %v", got, wantB)
	}
	wantA := []string{"CODEC", "CODEC", "CHANNEL_OUTGOING", "CHANNEL_STATE/CS_INIT", "CHANNEL_CREATE",
		"CHANNEL_ORIGINATE", "CHANNEL_STATE/CS_ROUTING", "CHANNEL_STATE/CS_CONSUME_MEDIA", "CHANNEL_ANSWER",
		"CHANNEL_CALLSTATE/DOWN>ACTIVE", "CALL_UPDATE", "CHANNEL_STATE/CS_EXECUTE", "CHANNEL_EXECUTE/park",
		"CHANNEL_PARK", "CHANNEL_HANGUP", "CHANNEL_UNPARK", "CHANNEL_EXECUTE_COMPLETE/park",
		"CHANNEL_STATE/CS_HANGUP", "CHANNEL_CALLSTATE/ACTIVE>HANGUP", "CHANNEL_STATE/CS_REPORTING",
		"CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY", "CHANNEL_STATE/CS_DESTROY"}
	if got := r.legSeq("loopback/9999-a"); fmt.Sprint(got) != fmt.Sprint(wantA) {
		t.Errorf("A leg:\n got %v\nwant %v", got, wantA)
	}
	if got := s.API("show channels"); got != "\n0 total.\n" {
		t.Errorf("after the call: %q", got)
	}
}

func (r *recorder) snapshot() []recEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recEvent(nil), r.evs...)
}
