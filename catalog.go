package esl

//go:generate go run ./internal/gen/catalog/gencatalog -dir catalog -out catalog_gen.go

import (
	"strconv"
	"strings"
)

// The catalogue: FreeSWITCH's event names, channel states, call states,
// answer states and hangup causes as Go types. The tables live in
// catalog/*.tsv and catalog/events.*.md and are compiled into
// catalog_gen.go by "go generate"; this file holds the code that reads them.

// EventName is the value of the Event-Name header, e.g. EventChannelCreate.
// Names outside the catalogue (none today) are still valid EventNames.
type EventName string

// String returns the name as FreeSWITCH spells it.
func (n EventName) String() string { return string(n) }

// ID returns the event's number in FreeSWITCH's switch_event_types_t, or -1
// for a name the catalogue does not know.
func (n EventName) ID() int {
	if id, ok := findEvent(string(n)); ok {
		return id
	}
	return -1
}

// Known reports whether FreeSWITCH defines the name.
func (n EventName) Known() bool { return n.ID() >= 0 }

// ParseEventName returns the event called s, matched case-insensitively as
// FreeSWITCH's event and nixevent commands do, and whether there is one.
func ParseEventName(s string) (EventName, bool) {
	if id, ok := findEvent(s); ok {
		return eventTable[id].name, true
	}
	return "", false
}

// EventNames returns every event name in FreeSWITCH's order, from
// EventCustom to EventAll (a subscription keyword, not a fired event).
func EventNames() []EventName {
	out := make([]EventName, len(eventTable))
	for i := range eventTable {
		out[i] = eventTable[i].name
	}
	return out
}

func findEvent(s string) (int, bool) {
	if id, ok := lookupEventName(s); ok {
		return id, true
	}
	return lookupEventName(strings.ToUpper(s))
}

// ChannelState is a channel's state-machine state (Channel-State,
// Channel-State-Number), numbered as FreeSWITCH numbers it.
type ChannelState int

// String returns the CS_ name, or "ChannelState(n)" for an unknown number.
func (s ChannelState) String() string {
	if s >= 0 && int(s) < len(channelStateTable) {
		return channelStateTable[s].name
	}
	return "ChannelState(" + strconv.Itoa(int(s)) + ")"
}

// ParseChannelState returns the channel state named s (CS_EXECUTE, matched
// case-insensitively) or numbered s ("4"), and whether there is one.
func ParseChannelState(s string) (ChannelState, bool) {
	if i, ok := findValue(s, lookupChannelState); ok {
		return channelStateTable[i].value, true
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < len(channelStateTable) {
		return ChannelState(n), true
	}
	return CSNone, false
}

// CallState is a channel's call state (Channel-Call-State,
// Channel-Call-State-Number), numbered as FreeSWITCH numbers it.
type CallState int

// CallUnknown is what CallState returns for an absent or unknown call
// state; FreeSWITCH prints such values as UNKNOWN.
const CallUnknown CallState = -1

// String returns the name (ACTIVE), or "UNKNOWN" as FreeSWITCH prints an
// unknown call state.
func (s CallState) String() string {
	if s >= 0 && int(s) < len(callStateTable) {
		return callStateTable[s].name
	}
	return "UNKNOWN"
}

// ParseCallState returns the call state named s (RING_WAIT, matched
// case-insensitively) or numbered s, and whether there is one.
func ParseCallState(s string) (CallState, bool) {
	if i, ok := findValue(s, lookupCallState); ok {
		return callStateTable[i].value, true
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < len(callStateTable) {
		return CallState(n), true
	}
	return CallUnknown, false
}

// AnswerState is the Answer-State header: how far a channel got towards
// being answered. FreeSWITCH computes it each time it builds an event.
type AnswerState string

// String returns the state as the header spells it (lower case).
func (s AnswerState) String() string { return string(s) }

// ParseAnswerState returns the answer state named s (matched
// case-insensitively) and whether there is one.
func ParseAnswerState(s string) (AnswerState, bool) {
	if i, ok := findValue(s, lookupAnswerState); ok {
		return answerStateTable[i].value, true
	}
	if i, ok := lookupAnswerState(strings.ToLower(s)); ok {
		return answerStateTable[i].value, true
	}
	return "", false
}

// HangupCause is why a channel hung up (Hangup-Cause), with FreeSWITCH's
// numeric value: the ITU-T Q.850 cause code for values up to 127, and
// FreeSWITCH's own codes above (ORIGINATOR_CANCEL is 487).
type HangupCause int

// String returns the name (USER_BUSY), or "UNKNOWN" as FreeSWITCH prints a
// value it does not know.
func (c HangupCause) String() string {
	if i, ok := causeIndex(c); ok {
		return hangupCauseTable[i].name
	}
	return "UNKNOWN"
}

// Q850 returns the Q.850 code FreeSWITCH reports for the cause in the
// hangup_cause_q850 variable: the value itself up to 127, else 16
// (NORMAL_CLEARING).
func (c HangupCause) Q850() int {
	if c >= 0 && c <= CauseInterworking {
		return int(c)
	}
	return int(CauseNormalClearing)
}

// Known reports whether FreeSWITCH defines the cause.
func (c HangupCause) Known() bool { _, ok := causeIndex(c); return ok }

// ParseHangupCause returns the cause named s (USER_BUSY, matched
// case-insensitively) or with code s ("17"), and whether there is one.
// Unlike FreeSWITCH, which reads an unknown name as NORMAL_CLEARING, an
// unknown name or code returns CauseNone and false.
func ParseHangupCause(s string) (HangupCause, bool) {
	if i, ok := findValue(s, lookupHangupCause); ok {
		return hangupCauseTable[i].value, true
	}
	if n, err := strconv.Atoi(s); err == nil {
		if _, ok := causeIndex(HangupCause(n)); ok {
			return HangupCause(n), true
		}
	}
	return CauseNone, false
}

// HangupCauses returns every hangup cause in FreeSWITCH's order.
func HangupCauses() []HangupCause {
	out := make([]HangupCause, len(hangupCauseTable))
	for i := range hangupCauseTable {
		out[i] = hangupCauseTable[i].value
	}
	return out
}

// causeIndex finds c in the table, which is sorted by value.
func causeIndex(c HangupCause) (int, bool) {
	lo, hi := 0, len(hangupCauseTable)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if hangupCauseTable[m].value < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(hangupCauseTable) && hangupCauseTable[lo].value == c
}

// findValue looks s up exactly, then in upper case.
func findValue(s string, lookup func(string) (int, bool)) (int, bool) {
	if i, ok := lookup(s); ok {
		return i, true
	}
	return lookup(strings.ToUpper(s))
}

// The shapes of the generated tables.

type entryText struct {
	summary, when, call, related, notes string
}

type eventInfo struct {
	name    EventName
	goName  string
	group   string
	headers []string
	text    [numLangs]entryText
}

type valueInfo[T comparable] struct {
	value  T
	name   string
	goName string
	text   [numLangs]entryText
}

type subclassInfo struct {
	name         string
	goName       string
	module       string
	actionHeader string
	actions      []string
	text         [numLangs]entryText
}
