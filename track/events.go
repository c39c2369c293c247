package track

import "github.com/eslkit/esl"

// Events returns the event names a tracker learns from, to subscribe to
// (client.Subscribe(ctx, track.Events()...)). Subscribing to ALL works too;
// the tracker ignores what it does not use. SESSION_HEARTBEAT is included
// so that Options.IdleTimeout can be used with session heartbeats on.
func Events() []esl.EventName {
	return []esl.EventName{
		esl.EventChannelCreate, esl.EventChannelDestroy, esl.EventChannelState, esl.EventChannelCallState,
		esl.EventChannelAnswer, esl.EventChannelHangup, esl.EventChannelHangupComplete,
		esl.EventChannelExecute, esl.EventChannelExecuteComplete, esl.EventChannelHold, esl.EventChannelUnhold,
		esl.EventChannelBridge, esl.EventChannelUnbridge, esl.EventChannelProgress, esl.EventChannelProgressMedia,
		esl.EventChannelOutgoing, esl.EventChannelPark, esl.EventChannelUnpark, esl.EventChannelOriginate,
		esl.EventChannelUUID, esl.EventCallUpdate, esl.EventSessionHeartbeat,
	}
}
