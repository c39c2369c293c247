package track

import (
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/eslkit/esl"
)

// Apply updates the tracker with one event. Events about no channel are
// counted and ignored, so a tracker can be fed an unfiltered stream. Apply
// never blocks on readers of the change feed.
func (t *Tracker) Apply(ev *esl.Event) {
	if ev == nil {
		return
	}
	f := gather(ev, t.keep)
	now := t.now()

	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Events++
	t.gen++
	t.sweepTombstones(now)
	if f.uuid == "" || !f.hasState {
		t.stats.Ignored++
		return
	}
	if f.event == esl.EventChannelUUID && f.oldUUID != "" && f.oldUUID != f.uuid {
		t.rename(f.oldUUID, f.uuid, now)
	}
	c := t.chans[f.uuid]
	added := false
	if c == nil {
		if _, dead := t.gone[f.uuid]; dead {
			t.stats.Late++
			return
		}
		if f.event == esl.EventChannelDestroy || (f.event == esl.EventChannelState && f.state == esl.CSDestroy.String()) {
			// The end of a channel we never saw: nothing to show.
			t.bury(f.uuid, now)
			t.stats.Late++
			return
		}
		u := strings.Clone(f.uuid) // the event's strings share one buffer: keep none of them
		c = &Channel{UniqueID: u, State: esl.CSNone}
		if id, ok := t.legCall[u]; ok {
			c.CallID = id
			if call := t.calls[id]; call != nil && call.Bridged {
				c.Peer = call.other(u)
			}
		}
		t.chans[u] = c
		added = true
	}
	t.stats.Applied++
	c.LastEvent = now
	c.gen = t.gen
	changed := t.update(c, &f)

	var evTime time.Time
	switch f.event {
	case esl.EventChannelBridge, esl.EventChannelUnbridge:
		evTime = micros(f.date)
	}
	switch f.event {
	case esl.EventChannelBridge:
		a, b := f.bridgeA, f.bridgeB
		if a == "" || b == "" || a == b {
			break
		}
		if added {
			t.emitChannel(ChannelAdded, c, "", string(f.event))
			added, changed = false, false
		}
		if !t.bridge(a, b, evTime, string(f.event)) && changed {
			t.emitChannel(ChannelChanged, c, "", string(f.event))
		}
		return
	case esl.EventChannelUnbridge:
		if added {
			t.emitChannel(ChannelAdded, c, "", string(f.event))
			added, changed = false, false
		}
		if !t.unbridge(f.bridgeA, f.uuid, evTime, string(f.event)) && changed {
			t.emitChannel(ChannelChanged, c, "", string(f.event))
		}
		return
	case esl.EventChannelDestroy:
		c.State = esl.CSDestroy
		if added {
			// Seen only now: report it so that added/removed pair up.
			t.emitChannel(ChannelAdded, c, "", string(f.event))
		}
		t.remove(c, now, string(f.event))
		return
	}
	if added {
		t.emitChannel(ChannelAdded, c, "", string(f.event))
	} else if changed {
		t.emitChannel(ChannelChanged, c, "", string(f.event))
	}
}

// update applies the fields of one event to c and reports whether anything
// visible changed.
func (t *Tracker) update(c *Channel, f *fields) bool {
	ch := false
	// Decoded header values are substrings of one buffer per event; a
	// kept value is cloned so that it does not pin the whole event.
	str := func(dst *string, v string) {
		if v != "" && *dst != v {
			*dst = strings.Clone(v)
			ch = true
		}
	}
	// CODEC events carry a provisional name ("loopback/5555/default-a")
	// before CHANNEL_CREATE; later events carry the real one.
	str(&c.Name, f.chanName)
	if f.direction != "" && c.Direction != f.direction {
		c.Direction = t.interned(f.direction)
		ch = true
	}
	str(&c.CallerName, f.callerName)
	str(&c.CallerNumber, f.callerNum)
	str(&c.CalleeName, f.calleeName)
	str(&c.CalleeNumber, f.calleeNum)
	str(&c.Destination, f.dest)
	if f.context != "" && c.Context != f.context {
		c.Context = t.interned(f.context)
		ch = true
	}
	if tm := micros(f.created); !tm.IsZero() && c.Created.IsZero() {
		c.Created, ch = tm, true
	}
	if tm := micros(f.answered); !tm.IsZero() && c.Answered.IsZero() {
		c.Answered, ch = tm, true
	}
	if tm := micros(f.hungup); !tm.IsZero() && c.HungUp.IsZero() {
		c.HungUp, ch = tm, true
	}

	// Channel state: CHANNEL_STATE is the truth; other events carry a
	// Channel-State that lags or leads it (CHANNEL_HANGUP says CS_EXECUTE),
	// so they only fill it in until the first CHANNEL_STATE. Nothing leaves
	// hangup.
	if s, ok := esl.ParseChannelState(f.state); ok {
		if f.event == esl.EventChannelState {
			if !(c.State >= esl.CSHangup && c.State <= esl.CSDestroy && s < c.State) && c.State != s {
				c.State, ch = s, true
			}
			c.stateKnown = true
		} else if !c.stateKnown && c.State != s {
			c.State, ch = s, true
		}
	}
	if s, ok := esl.ParseCallState(f.callState); ok && c.CallState != esl.CallHangup {
		if f.event == esl.EventChannelCallState {
			if c.CallState != s {
				c.CallState, ch = s, true
			}
			c.callStateKnown = true
		} else if !c.callStateKnown && c.CallState != s {
			c.CallState, ch = s, true
		}
		if held := c.CallState == esl.CallHeld; held && !c.Held {
			c.Held, ch = true, true
		}
	}
	if a, ok := esl.ParseAnswerState(f.answer); ok && answerRank(a) > answerRank(c.AnswerState) {
		c.AnswerState, ch = a, true
	}
	if f.cause != "" && c.HangupCause == esl.CauseNone {
		if hc, ok := esl.ParseHangupCause(f.cause); ok && hc != esl.CauseNone {
			c.HangupCause, ch = hc, true
		}
	}

	switch f.event {
	case esl.EventChannelExecute:
		if c.Application != f.app || c.ApplicationData != f.appData {
			c.Application, c.ApplicationData, ch = t.interned(f.app), strings.Clone(f.appData), true
		}
		if c.appUUID != f.appUUID {
			c.appUUID = strings.Clone(f.appUUID)
		}
	case esl.EventChannelExecuteComplete:
		// Only the application that is running ends; a completion of an
		// outer application that was interrupted does not clear a newer one.
		if c.Application != "" && (c.appUUID == f.appUUID || (c.appUUID == "" && c.Application == f.app)) {
			c.Application, c.ApplicationData, c.appUUID, ch = "", "", "", true
		}
	case esl.EventChannelPark:
		c.parkFromRow = false
		if !c.Parked {
			c.Parked, ch = true, true
		}
	case esl.EventChannelUnpark:
		c.parkFromRow = false
		if c.Parked {
			c.Parked, ch = false, true
		}
	case esl.EventChannelHold:
		if !c.Held {
			c.Held, ch = true, true
		}
	case esl.EventChannelUnhold:
		if c.Held {
			c.Held, ch = false, true
		}
	case esl.EventChannelCallState:
		if c.CallState == esl.CallUnheld && c.Held {
			c.Held, ch = false, true
		}
	case esl.EventChannelHangupComplete:
		if n, err := strconv.Atoi(f.billsec); err == nil && n != c.Billsec {
			c.Billsec, ch = n, true
		}
	}
	if len(f.vars) > 0 {
		var m map[string]string
		for _, h := range f.vars {
			name := h.Name[len("variable_"):]
			if v, ok := c.Vars[name]; ok && v == h.Value {
				continue
			}
			if m == nil {
				// Copy on write: snapshots share the old map.
				m = maps.Clone(c.Vars)
				if m == nil {
					m = make(map[string]string, len(f.vars))
				}
			}
			m[strings.Clone(name)] = strings.Clone(h.Value)
		}
		if m != nil {
			c.Vars, ch = m, true
		}
	}
	return ch
}

// answerRank orders answer states: a channel only moves forward through
// them, whatever order its events arrive in.
func answerRank(a esl.AnswerState) int {
	switch a {
	case esl.AnswerRinging:
		return 1
	case esl.AnswerEarly:
		return 2
	case esl.AnswerAnswered:
		return 3
	case esl.AnswerHangup:
		return 4
	}
	return 0
}

// interned returns a shared copy of a low-variety value (direction,
// context, application name) so that 100,000 channels do not hold 100,000
// copies of "default".
func (t *Tracker) interned(s string) string {
	if v, ok := t.intern[s]; ok {
		return v
	}
	s = strings.Clone(s)
	if len(t.intern) < 4096 && len(s) <= 64 {
		t.intern[s] = s
	}
	return s
}

// rename moves a channel from old to new (CHANNEL_UUID), keeping its call
// and its peer's link.
func (t *Tracker) rename(old, new string, now time.Time) {
	c := t.chans[old]
	if c == nil {
		return
	}
	new = strings.Clone(new)
	delete(t.chans, old)
	t.bury(old, now)
	t.stats.Renamed++
	if cur := t.chans[new]; cur != nil {
		// Both exist (events for the new uuid came first): keep the newer.
		t.emitChannel(ChannelRemoved, c, "", string(esl.EventChannelUUID))
		return
	}
	c.UniqueID = new
	t.chans[new] = c
	if p := t.chans[c.Peer]; p != nil && p.Peer == old {
		p.Peer = new
	}
	if id, ok := t.legCall[old]; ok {
		delete(t.legCall, old)
		t.legCall[new] = id
		if call := t.calls[id]; call != nil {
			if call.A == old {
				call.A = new
			}
			if call.B == old {
				call.B = new
			}
			t.emitCall(CallChanged, call, string(esl.EventChannelUUID))
		}
	}
	t.emitChannel(ChannelChanged, c, old, string(esl.EventChannelUUID))
}

// remove deletes a channel (destroyed, expired or gone at a Sync) and ends
// its call when it was the last leg.
func (t *Tracker) remove(c *Channel, now time.Time, event string) {
	delete(t.chans, c.UniqueID)
	t.bury(c.UniqueID, now)
	if c.Peer != "" {
		if p := t.chans[c.Peer]; p != nil && p.Peer == c.UniqueID {
			p.Peer = ""
		}
	}
	t.emitChannel(ChannelRemoved, c, "", event)
	t.leaveCall(c.UniqueID, event)
}
