package track

import (
	"strings"
	"time"
)

// bridge links a and b into one call (CHANNEL_BRIDGE, fired for A only).
// It reports whether it emitted changes for the legs; a repeated bridge of
// the same pair changes nothing.
func (t *Tracker) bridge(a, b string, at time.Time, event string) bool {
	id := t.legCall[a]
	call := t.calls[id]
	if call != nil && call.Bridged && call.A == a && call.B == b {
		return false // a duplicate
	}
	a, b = strings.Clone(a), strings.Clone(b)
	if call == nil || call.other(a) != b {
		// A new call; a leg still in an older, finished call leaves it.
		t.leaveCall(a, event)
		t.leaveCall(b, event)
		call = &Call{ID: a, A: a, B: b}
		for t.calls[call.ID] != nil { // A bridged before under the same uuid
			call.ID += "+"
		}
		t.calls[call.ID] = call
		t.legCall[a], t.legCall[b] = call.ID, call.ID
		call.Bridged, call.BridgedAt = true, at
		t.emitCall(CallAdded, call, event)
	} else {
		if t.legCall[b] != call.ID {
			t.leaveCall(b, event)
			t.legCall[b] = call.ID
		}
		call.A, call.B = a, b
		call.Bridged, call.BridgedAt, call.UnbridgedAt = true, at, time.Time{}
		t.emitCall(CallChanged, call, event)
	}
	for _, leg := range [2]string{a, b} {
		if c := t.chans[leg]; c != nil {
			c.CallID, c.Peer = call.ID, call.other(leg)
			t.emitChannel(ChannelChanged, c, "", event)
		}
	}
	return true
}

// unbridge ends the bridge between a and b; the call stays until its legs
// are destroyed. It reports whether it emitted a change for self.
func (t *Tracker) unbridge(a, self string, at time.Time, event string) bool {
	if a == "" {
		a = self
	}
	call := t.calls[t.legCall[a]]
	if call == nil {
		return false
	}
	if call.Bridged {
		call.Bridged, call.UnbridgedAt = false, at
		t.emitCall(CallChanged, call, event)
	}
	emitted := false
	for _, leg := range [2]string{call.A, call.B} {
		if c := t.chans[leg]; c != nil && c.Peer != "" {
			c.Peer = ""
			t.emitChannel(ChannelChanged, c, "", event)
			emitted = emitted || leg == self
		}
	}
	return emitted
}

// leaveCall takes uuid out of its call; the call ends when no tracked leg
// remains in it.
func (t *Tracker) leaveCall(uuid, event string) {
	id, ok := t.legCall[uuid]
	if !ok {
		return
	}
	delete(t.legCall, uuid)
	call := t.calls[id]
	if call == nil {
		return
	}
	other := call.other(uuid)
	if call.Bridged {
		call.Bridged = false
		if p := t.chans[other]; p != nil && p.Peer == uuid {
			p.Peer = ""
		}
	}
	if _, live := t.chans[other]; other != "" && live && t.legCall[other] == id {
		return
	}
	if t.legCall[other] == id {
		delete(t.legCall, other)
	}
	delete(t.calls, id)
	t.emitCall(CallRemoved, call, event)
}

// other returns the leg of the call that is not uuid.
func (c *Call) other(uuid string) string {
	switch uuid {
	case c.A:
		return c.B
	case c.B:
		return c.A
	}
	return ""
}
