package track

import (
	"time"

	"github.com/eslkit/esl"
)

// Channel is what the tracker knows about one FreeSWITCH channel. Values
// returned by the Tracker are copies: they never change under the reader.
type Channel struct {
	UniqueID  string // Unique-ID
	Name      string // Channel-Name (provisional until CHANNEL_CREATE: CODEC events come first)
	Direction string // Call-Direction: "inbound" or "outbound", relative to FreeSWITCH

	State       esl.ChannelState // Channel-State of the last CHANNEL_STATE event
	CallState   esl.CallState    // Channel-Call-State of the last CHANNEL_CALLSTATE event
	AnswerState esl.AnswerState  // the furthest Answer-State seen

	CallerName   string // Caller-Caller-ID-Name
	CallerNumber string // Caller-Caller-ID-Number
	CalleeName   string // Caller-Callee-ID-Name
	CalleeNumber string // Caller-Callee-ID-Number
	Destination  string // Caller-Destination-Number
	Context      string // Caller-Context

	Created  time.Time // Caller-Channel-Created-Time
	Answered time.Time // Caller-Channel-Answered-Time; zero while unanswered
	HungUp   time.Time // Caller-Channel-Hangup-Time; zero while up

	Application     string // the application running now (CHANNEL_EXECUTE), "" between applications
	ApplicationData string // its arguments

	Held   bool // between CHANNEL_HOLD and CHANNEL_UNHOLD, or in call state HELD
	Parked bool // between CHANNEL_PARK and CHANNEL_UNPARK

	Peer   string // Unique-ID of the channel bridged to this one, "" when not bridged
	CallID string // ID of the Call this channel is a leg of, "" when none

	HangupCause esl.HangupCause // Hangup-Cause, once known
	Billsec     int             // variable_billsec from CHANNEL_HANGUP_COMPLETE (seconds)

	// Vars holds the channel variables named in Options.Variables, as last
	// seen. Never modify it: it is shared with other copies.
	Vars map[string]string

	// LastEvent is the tracker clock's time when an event last touched the
	// channel; expiry is measured from it.
	LastEvent time.Time

	stateKnown     bool   // a CHANNEL_STATE event set State (else it was inferred)
	callStateKnown bool   // a CHANNEL_CALLSTATE event set CallState
	parkFromRow    bool   // Parked was inferred by Sync, not set by CHANNEL_PARK/UNPARK
	appUUID        string // Application-UUID of the running application
	gen            uint64 // tracker generation of the last update (Sync uses it)
}

// Up reports whether the channel has not started hanging up.
func (c *Channel) Up() bool {
	return (c.State < esl.CSHangup || c.State > esl.CSDestroy) && c.HungUp.IsZero() && c.AnswerState != esl.AnswerHangup
}

// Call is a bridge between two channels: A is the leg that bridged (the
// Bridge-A-Unique-ID of CHANNEL_BRIDGE), B the other. A call outlives its
// bridge and ends when its last leg is destroyed.
type Call struct {
	ID          string    // the A leg's Unique-ID when the bridge formed (FreeSWITCH's call_uuid); "+" is appended if an earlier call of that leg is still ending
	A, B        string    // leg Unique-IDs (follow CHANNEL_UUID renames)
	Bridged     bool      // between CHANNEL_BRIDGE and CHANNEL_UNBRIDGE
	BridgedAt   time.Time // when the bridge formed (event time)
	UnbridgedAt time.Time // when it ended; zero while bridged
}
