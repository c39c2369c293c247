// Package fsim is an in-process FreeSWITCH event-socket simulator, for
// tests and demos: what miniredis is to Redis users. It speaks
// mod_event_socket's protocol byte for byte (replies, typos, header order,
// plain/json/xml serialisation, disconnect notices) and runs simulated calls
// that fire FreeSWITCH's event sequences.
//
// # In a test
//
//	sim := fsim.Run(t)                 // started on 127.0.0.1:0, closed at cleanup
//	c, err := esl.Dial(ctx, sim.Addr(), esl.WithPassword(sim.Password()))
//
// Deterministic time: give the simulator a manual clock and move it
// yourself; a three second call then takes microseconds.
//
//	clk := fsim.NewManualClock(time.Time{})
//	sim := fsim.Run(t, fsim.Options{Clock: clk})
//	sim.API("originate loopback/9999/default &park")
//	sim.Advance(3 * time.Second)        // the tone ends, the call hangs up
//
// Advance fires due timers in order and, before each, waits until every
// simulated activity has settled (Settle), so what happens is the same on
// every run. API blocks as FreeSWITCH's api does (originate waits for the
// answer, up to originate_timeout, 60 s by default, on the simulator's
// clock): for a call that only answers once time passes, use BgAPI (or api
// from another goroutine) and then Advance.
//
// # API
//
//   - New(Options) *Sim, (*Sim).Start, Close, Addr, Password, CoreUUID.
//   - Run(t, Options...) *Sim: started, closed when the test ends.
//   - (*Sim).API(cmd) string: an api command in-process ("originate …",
//     "uuid_kill …"), the exact api/response body; BgAPI(cmd) returns a
//     Job-UUID and fires BACKGROUND_JOB.
//   - Clock, RealClock, ManualClock (NewManualClock), (*Sim).Advance(d),
//     (*Sim).Settle().
//   - Options.SocketAddr points every "socket" dialplan application at a
//     chosen host:port (tests listen on 127.0.0.1:0); Options.Dialplan
//     replaces the dialplan; Options.ACL rejects peers with
//     text/rude-rejection; Options.Users enables userauth; Options.QueueLimit
//     and Options.HeartbeatInterval change FreeSWITCH's 100 000 and 20 s;
//     Options.FileDuration is how long playback of a file lasts.
//   - Dialplan, Action, NewDialplan, DefaultDialplan (the captures' 9999,
//     8888, 5555, 7777, 7778), ParseDialplan (the file format of
//     "esl sim --dialplan"), (*Sim).Dialplan() to change it at run time.
//   - Hooks for error paths: HandleAPI (script an API command's output),
//     InjectEvent (fire any event), OnEvent (observe every event),
//     InjectFault (FaultDrop, FaultMalformed, FaultTruncate), Stall (block
//     the connection threads, so queues fill as with a slow consumer).
//
// # Calls
//
// Endpoints: loopback/EXT[/CONTEXT] (an A leg that the originator controls
// and a B leg that runs the dialplan; answer, early media, DTMF and hangup
// cross between the halves as in mod_loopback) and error/CAUSE (fails at
// once). originate takes {var=value,...} (origination_uuid,
// origination_caller_id_number, originate_timeout) and &app(args) or an
// extension. Applications: answer, pre_answer, hangup, playback
// (tone_stream:// and silence_stream:// last their real duration, files
// Options.FileDuration), park, bridge, set, export, unset, sleep, echo,
// socket, play_and_get_digits, record, transfer, event. API: status,
// version, uptime, hostname, echo, eval, global_getvar, global_setvar,
// originate, uuid_kill, uuid_answer, uuid_pre_answer, uuid_bridge,
// uuid_hold [off|toggle], uuid_transfer, uuid_setvar, uuid_getvar,
// uuid_dump, uuid_exists, uuid_send_dtmf, uuid_park, uuid_break, show
// channels|calls [count] [as json], hupall, reloadxml, load, unload, fsctl
// (shutdown, hupall, …). Anything else answers "-ERR <cmd> Command not
// found!" as FreeSWITCH does.
//
// Digits sent with uuid_send_dtmf to a loopback leg come out of its other
// half (where FreeSWITCH dequeues them and fires DTMF), so send them to
// the A leg to feed play_and_get_digits running on the B leg.
//
// # What is simulated
//
// The protocol side follows the protocol reference (esl-protocol.md §1–§7)
// and the captures in testdata/freeswitch: the command parser and its
// prefix matching, the dispatch order and gating (outbound without "full"),
// auth/userauth, event/nixevent/noevents/myevents with names, ALL and CUSTOM
// subclasses, filters (OR-ed positives, vetoing negatives, /regex/),
// divert_events, sendevent, sendmsg, api/bgapi (API and BACKGROUND_JOB
// events), log/nolog (log/data frames for what the simulated core does),
// linger/nolinger, resume, exit, the 25 s first-command timeout, HEARTBEAT
// and RE_SCHEDULE every 20 s, the 100 000-event queue per connection and
// the "killed listener because of lost events" behaviour, and the ACL.
//
// # Known differences
//
// The capture-replay test (replay_test.go) replays every capture in
// testdata/freeswitch against the simulator and lists what still differs,
// with the reason. In short: the simulator sets the channel variables
// clients use, not all of FreeSWITCH's; it logs the core's main steps, not
// every debug line; module (un)loading, scheduler tasks and TRAP events are
// token; where FreeSWITCH itself is racy (an async socket's CHANNEL_PARK
// versus the client's myevents, the linger notice versus the last events,
// the order of a killed loopback leg's HANGUP and UNPARK, a BACKGROUND_JOB
// among pipelined replies, an early-media originate's answer versus its
// park) the simulator always takes one of the orders seen in the captures.
// Queued sendmsg commands always run one after another, as with
// event-lock: true. The protocol reference says a nameless sendevent makes
// a CLONE event; the captures show CUSTOM, and the simulator follows them.
//
// # Speed
//
// A fired event is shared, not copied: each connection's queue holds a
// reference, the event is serialised once per format into a recycled
// buffer, and a connection writes its queue in batches (large ones with
// writev straight from the shared frames), flushing only when the queue is
// drained. Replies to pipelined commands that have already arrived go out
// together in one write. The API event of a command is built only if
// someone takes API events. Measured in November 2026 on a busy 2-core
// machine with bench_test.go (a 30-header event, 2.6 KB in plain form; CPU
// is the whole process, including the benchmark's reader): about 240 000
// plain events/s to one subscriber (5-7 CPU-µs per event, 13 before this
// work), 200 000 json; to ten subscribers the loopback TCP sends take most of
// the CPU (about 2.6 CPU-µs per delivery). One connection with 64 callers
// pipelining "api echo" gets about 400 000 replies/s (2.1 CPU-µs per call,
// client included).
package fsim
