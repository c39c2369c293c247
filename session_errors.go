package esl

import "errors"

var (
	// ErrHangup reports that the session's channel hung up before an
	// application finished, or before a command that needs a live channel
	// was sent. The error is a *HangupError.
	ErrHangup = errors.New("esl: channel hung up")

	// ErrNotFull reports a command FreeSWITCH refuses on an outbound socket
	// whose socket application was not given "full" (it answers "-ERR
	// command not found"): api, bgapi, linger, nolinger, event, nixevent,
	// noevents, log, nolog, sendevent. Put "full" in the dialplan:
	// <action application="socket" data="127.0.0.1:8084 async full"/>. The
	// error also matches *CommandError, which keeps FreeSWITCH's reply.
	ErrNotFull = errors.New("esl: FreeSWITCH refuses this command on an outbound socket without 'full'")
)

// HangupError says that the session's channel is down.
type HangupError struct {
	// Cause is FreeSWITCH's hangup cause name, e.g. "NORMAL_CLEARING"
	// ("" when only the linger notice has been seen so far).
	Cause string
	// Event is the CHANNEL_HANGUP / CHANNEL_HANGUP_COMPLETE event, or the
	// linger notice's headers, that showed the hang-up.
	Event *Event
}

// Error says the channel hung up, with the cause when known.
func (e *HangupError) Error() string {
	if e.Cause == "" {
		return "esl: channel hung up"
	}
	return "esl: channel hung up: " + e.Cause
}

// Is makes errors.Is(err, ErrHangup) true.
func (e *HangupError) Is(target error) bool { return target == ErrHangup }
