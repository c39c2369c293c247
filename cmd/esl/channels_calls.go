package main

import (
	"fmt"
	"time"

	"github.com/eslkit/esl/track"
)

// Call states as the calls section and the JSON show them. A call outlives
// its bridge (the tracker keeps it until its last leg is destroyed), so
// the view can say how it ended.
const (
	callBridged   = "BRIDGED"
	callHeld      = "HELD"      // bridged, with a leg on hold
	callUnbridged = "UNBRIDGED" // the bridge ended, a leg is still up
	callEnded     = "ENDED"     // every leg hung up or gone
)

// callRowOf flattens a tracked call for display, with the legs' numbers
// and names looked up among the snapshot's channels; its duration runs
// from the bridge to now while bridged and stops when it ended.
func callRowOf(c *track.Call, legs map[string]*track.Channel, now time.Time) callRow {
	r := callRow{ID: c.ID, A: c.A, B: c.B, Bridged: c.Bridged}
	a, b := legs[c.A], legs[c.B]
	if a != nil {
		r.AName, r.Caller, r.Callee = a.Name, a.CallerNumber, callee(a)
	}
	if b != nil {
		r.BName = b.Name
		// The B leg was dialled: its destination is who the call reached
		// (5555 bridging to 9999 reached 9999).
		if n := callee(b); n != "" {
			r.Callee = n
		}
		if r.Caller == "" {
			r.Caller = b.CallerNumber
		}
	}
	up := func(ch *track.Channel) bool { return ch != nil && ch.HungUp.IsZero() }
	switch {
	case c.Bridged && ((a != nil && a.Held) || (b != nil && b.Held)):
		r.State = callHeld
	case c.Bridged:
		r.State = callBridged
	case up(a) || up(b):
		r.State = callUnbridged
	default:
		r.State = callEnded
	}
	if !c.BridgedAt.IsZero() {
		r.BridgedAt = c.BridgedAt.UTC().Format(time.RFC3339)
		end := now
		if !c.UnbridgedAt.IsZero() {
			end = c.UnbridgedAt
		}
		if d := end.Sub(c.BridgedAt); d > 0 {
			r.DurationSec = int(d / time.Second)
		}
	}
	return r
}

// legsOf indexes a snapshot's channels by Unique-ID.
func legsOf(s *track.Snapshot) map[string]*track.Channel {
	m := make(map[string]*track.Channel, len(s.Channels))
	for i := range s.Channels {
		m[s.Channels[i].UniqueID] = &s.Channels[i]
	}
	return m
}

// callFormat lays out one row of the calls section: both legs, who called
// whom, the state, how long the bridge has been up, then the legs'
// channel names, which take what is left of the line.
const callFormat = "%-8s %-8s %-12s %-12s %-9s %7s %s"

// callsHeader is the calls section's header row.
func callsHeader() string {
	return fmt.Sprintf(callFormat, "A-LEG", "B-LEG", "CALLER", "CALLEE", "STATE", "BRIDGED", "CHANNELS")
}

// callLine formats one call for the calls section.
func callLine(r callRow) string {
	dur := ""
	if r.BridgedAt != "" {
		dur = fmtDuration(time.Duration(r.DurationSec) * time.Second)
	}
	names := ""
	if r.AName != "" || r.BName != "" {
		names = orDash(r.AName) + " ↔ " + orDash(r.BName)
	}
	return fmt.Sprintf(callFormat, short(r.A), short(r.B), fitw(r.Caller, 12), fitw(r.Callee, 12), r.State, dur, names)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fitRows lays out n rows in room lines: all of them when they fit, else
// as many as fit and a last line saying how many were left out, so the
// screen never scrolls.
func fitRows(n, room int, row func(i int) string) []string {
	var out []string
	for i := 0; i < n && room > 0; i++ {
		if room == 1 && i < n-1 {
			out = append(out, fmt.Sprintf("… and %d more", n-i))
			break
		}
		out = append(out, row(i))
		room--
	}
	return out
}

// splitRows shares room lines between nch channel rows and the calls
// section (its header and ncalls rows). When everything does not fit,
// the calls get about a third of the room, at least a header, a call and
// the "more" line, and more when the channels need less than the rest;
// the channels keep two lines. A screen under four lines shows channels
// only.
func splitRows(nch, ncalls, room int) (chRoom, callRoom int) {
	if ncalls == 0 || room < 4 {
		return room, 0
	}
	need := 1 + ncalls
	if nch+need <= room {
		return nch, need
	}
	callRoom = max(min(need, 3), room/3, room-nch)
	callRoom = min(callRoom, need, room-min(nch, 2))
	if callRoom < 2 {
		return room, 0
	}
	return room - callRoom, callRoom
}

// callsSection draws the calls below the channel table: a header and as
// many calls as fit in room lines.
func callsSection(s *track.Snapshot, legs map[string]*track.Channel, room int, colour bool) []string {
	if room < 2 || len(s.Calls) == 0 {
		return nil
	}
	header := callsHeader()
	if colour {
		header = colBold + header + colReset
	}
	lines := []string{header}
	return append(lines, fitRows(len(s.Calls), room-1, func(i int) string {
		return callLine(callRowOf(&s.Calls[i], legs, s.Taken))
	})...)
}
