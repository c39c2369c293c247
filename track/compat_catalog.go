package track

// Temporary stand-ins for the esl catalogue types (esl.ChannelState,
// esl.CallState, esl.AnswerState, esl.HangupCause) until they land; this
// file is deleted when the tracker switches over.

// ChannelState is a FreeSWITCH channel state (switch_channel_state_t).
type ChannelState int

// Channel states, FreeSWITCH's numbers.
const (
	CSNew ChannelState = iota
	CSInit
	CSRouting
	CSSoftExecute
	CSExecute
	CSExchangeMedia
	CSPark
	CSConsumeMedia
	CSHibernate
	CSReset
	CSHangup
	CSReporting
	CSDestroy
	CSNone
)

var csNames = [...]string{"CS_NEW", "CS_INIT", "CS_ROUTING", "CS_SOFT_EXECUTE", "CS_EXECUTE", "CS_EXCHANGE_MEDIA", "CS_PARK", "CS_CONSUME_MEDIA", "CS_HIBERNATE", "CS_RESET", "CS_HANGUP", "CS_REPORTING", "CS_DESTROY", "CS_NONE"}

func (s ChannelState) String() string {
	if s >= 0 && int(s) < len(csNames) {
		return csNames[s]
	}
	return "UNKNOWN"
}

// ParseChannelState parses a Channel-State name.
func ParseChannelState(s string) (ChannelState, bool) {
	for i, n := range csNames {
		if n == s {
			return ChannelState(i), true
		}
	}
	return CSNone, false
}

// CallState is a FreeSWITCH call state (switch_channel_callstate_t).
type CallState int

// Call states, FreeSWITCH's numbers.
const (
	CallDown CallState = iota
	CallDialing
	CallRinging
	CallEarly
	CallActive
	CallHeld
	CallRingWait
	CallHangup
	CallUnheld
)

var ccsNames = [...]string{"DOWN", "DIALING", "RINGING", "EARLY", "ACTIVE", "HELD", "RING_WAIT", "HANGUP", "UNHELD"}

func (s CallState) String() string {
	if s >= 0 && int(s) < len(ccsNames) {
		return ccsNames[s]
	}
	return "UNKNOWN"
}

// ParseCallState parses a Channel-Call-State name.
func ParseCallState(s string) (CallState, bool) {
	for i, n := range ccsNames {
		if n == s {
			return CallState(i), true
		}
	}
	return CallDown, false
}

// AnswerState is FreeSWITCH's Answer-State.
type AnswerState int

// Answer states in the order a channel goes through them.
const (
	AnswerRinging AnswerState = iota
	AnswerEarly
	AnswerAnswered
	AnswerHangup
)

var asNames = [...]string{"ringing", "early", "answered", "hangup"}

func (s AnswerState) String() string {
	if s >= 0 && int(s) < len(asNames) {
		return asNames[s]
	}
	return "unknown"
}

// ParseAnswerState parses an Answer-State value.
func ParseAnswerState(s string) (AnswerState, bool) {
	for i, n := range asNames {
		if n == s {
			return AnswerState(i), true
		}
	}
	return AnswerRinging, false
}

// HangupCause is a hangup cause name until the catalogue lands.
type HangupCause string
