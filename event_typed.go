package esl

import "strconv"

// Typed views of the headers that name an event and a channel's state. Each
// accessor reads the header on every call; the raw text stays available
// through Get.

// Name returns the Event-Name header as an EventName (EventChannelCreate).
// A CUSTOM event's own name is in Subclass.
func (e *Event) Name() EventName {
	s := e.Get("Event-Name")
	if id, ok := lookupEventName(s); ok {
		return eventTable[id].name // shares the constant's storage
	}
	if n, ok := ParseEventName(s); ok {
		return n
	}
	return EventName(s)
}

// ChannelState returns the Channel-State header: the state whose handler
// the channel is running. It can lag behind ChannelStateNumber (the
// CHANNEL_HANGUP event says CS_EXECUTE with number 10). Without the header
// it reads Channel-State-Number; without either it returns CSNone.
func (e *Event) ChannelState() ChannelState {
	if s, ok := ParseChannelState(e.Get("Channel-State")); ok {
		return s
	}
	return e.channelStateNumber(false)
}

// ChannelStateNumber returns the Channel-State-Number header: the state the
// channel is in or has been asked to enter, which may already be ahead of
// ChannelState. Without the header it reads Channel-State; without either
// it returns CSNone.
func (e *Event) ChannelStateNumber() ChannelState { return e.channelStateNumber(true) }

func (e *Event) channelStateNumber(fallback bool) ChannelState {
	if n, err := strconv.Atoi(e.Get("Channel-State-Number")); err == nil && n >= 0 && n < len(channelStateTable) {
		return ChannelState(n)
	}
	if fallback {
		if s, ok := ParseChannelState(e.Get("Channel-State")); ok {
			return s
		}
	}
	return CSNone
}

// CallState returns the Channel-Call-State header (Channel-Call-State-Number
// when only that is present), or CallUnknown.
func (e *Event) CallState() CallState {
	if s, ok := lookupCallStateName(e.Get("Channel-Call-State")); ok {
		return s
	}
	if s, ok := ParseCallState(e.Get("Channel-Call-State-Number")); ok {
		return s
	}
	return CallUnknown
}

func lookupCallStateName(s string) (CallState, bool) {
	if i, ok := findValue(s, lookupCallState); ok {
		return callStateTable[i].value, true
	}
	return CallUnknown, false
}

// AnswerState returns the Answer-State header, or "" when the event has
// none. An answer state the catalogue does not know is returned as sent.
func (e *Event) AnswerState() AnswerState {
	s := e.Get("Answer-State")
	if a, ok := ParseAnswerState(s); ok {
		return a
	}
	return AnswerState(s)
}

// HangupCause returns the Hangup-Cause header, or CauseNone when the event
// has none or names a cause the catalogue does not know (Get has the text).
func (e *Event) HangupCause() HangupCause {
	if i, ok := findValue(e.Get("Hangup-Cause"), lookupHangupCause); ok {
		return hangupCauseTable[i].value
	}
	return CauseNone
}
