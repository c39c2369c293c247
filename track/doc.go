// Package track keeps a live, consistent picture of every FreeSWITCH channel
// and call, built from events.
//
// A Tracker is fed *esl.Event values from any source (an inbound Client, a
// recorded stream, the fsim simulator) through Apply, and read at the same
// time by any number of goroutines through Snapshot, Channel, Call and a
// change feed (Subscribe). It is written for the order in which FreeSWITCH
// really delivers events, which is not the order its documentation suggests:
//
//   - a channel's first events are usually two CODEC events that carry a
//     provisional channel name and Channel-State CS_NONE;
//   - CHANNEL_STATE CS_INIT arrives before CHANNEL_CREATE, and under load an
//     A leg's CHANNEL_ANSWER and CHANNEL_CALLSTATE can precede it too;
//   - CHANNEL_STATE CS_DESTROY arrives after CHANNEL_DESTROY;
//   - Event-Sequence is not monotonic on the wire, so the tracker never uses it
//     to order events or to detect loss.
//
// So a channel exists from the first event that names it (a late join works
// the same way), the channel state only moves on CHANNEL_STATE events (other
// events only fill it in while it is unknown), the call state only on
// CHANNEL_CALLSTATE, the answer state only forwards, nothing moves a channel
// back out of hangup, and events for a channel that was destroyed or renamed
// are dropped (a tombstone remembers the uuid for a while). CHANNEL_UUID
// renames a channel in place.
//
// A Call is a bridge: FreeSWITCH's CHANNEL_BRIDGE names the A leg (the one
// that bridged) and the B leg. The call outlives the bridge and ends when its
// last leg is destroyed, so a UI can still show how a call ended.
//
// Sync loads the current channels and calls from "show channels as json" and
// "show calls as json", for a tracker that starts while calls are up or that
// missed events while disconnected. Run ties a tracker to an esl.Client:
// it applies the events of a subscription, syncs at the start, after a
// Reconnected notice and after a gap, and expires stale channels. Channels whose events stop without a
// CHANNEL_DESTROY (events lost, or a socket that filtered them) are removed
// by Expire after a configurable time, measured on an injectable clock.
//
// Reading never blocks the events: Snapshot copies everything under one
// lock, Channel/Call/CallOf look one thing up, Counts summarises for
// metrics, and each Feed is a bounded queue that drops (and counts) rather
// than wait for a slow reader.
package track
