package esl

import (
	"context"
	"sync"
)

// Execution is one dialplan application started by Session.ExecuteAsync.
// It is done when FreeSWITCH reports CHANNEL_EXECUTE_COMPLETE with its
// Application-UUID, when the channel hangs up, or when the connection
// ends.
type Execution struct {
	s     *Session
	id    string
	app   string
	reply chan result // the sendmsg reply (1-buffered, filled by the reader)

	once sync.Once
	done chan struct{}
	ev   *Event
	err  error
}

// UUID returns the Event-UUID the application was started with; FreeSWITCH
// repeats it as Application-UUID in CHANNEL_EXECUTE and
// CHANNEL_EXECUTE_COMPLETE.
func (x *Execution) UUID() string { return x.id }

// App returns the application's name.
func (x *Execution) App() string { return x.app }

// Done is closed when the application completed, the channel hung up or
// the connection ended. (A sendmsg that FreeSWITCH refuses outright is
// reported by Wait.)
func (x *Execution) Done() <-chan struct{} { return x.done }

// Event returns the CHANNEL_EXECUTE_COMPLETE event once the application
// completed, else nil.
func (x *Execution) Event() *Event {
	select {
	case <-x.done:
		return x.ev
	default:
		return nil
	}
}

// Wait waits until the application completes and returns its
// Application-Response (e.g. "FILE PLAYED"; "_none_" when the application
// sets none). It returns a *HangupError (ErrHangup) when the channel hangs
// up first, a *DisconnectError when the connection ends, a *CommandError
// when FreeSWITCH refuses the sendmsg, or ctx's error. When ctx ends
// Wait stops waiting; the application keeps running (stop it with
// API("uuid_break …")).
func (x *Execution) Wait(ctx context.Context) (string, error) {
	for {
		select {
		case res := <-x.reply:
			err := res.err
			if err == nil {
				err = res.rep.err()
			}
			if err != nil {
				x.s.forgetExec(x.id)
				x.finish(nil, err)
			}
		case <-x.done:
			return x.result()
		case <-ctx.Done():
			// A hang-up finishes the execution and then cancels the
			// session context: report the hang-up, not the context.
			select {
			case <-x.done:
				return x.result()
			default:
			}
			return "", ctx.Err()
		}
	}
}

func (x *Execution) result() (string, error) {
	if x.err != nil {
		return "", x.err
	}
	return x.ev.Get("Application-Response"), nil
}

func (x *Execution) finish(ev *Event, err error) {
	x.once.Do(func() {
		x.ev, x.err = ev, err
		close(x.done)
	})
}

// Execute runs a dialplan application on the call and waits until it has
// finished (sendmsg execute with its own Event-UUID, then the
// CHANNEL_EXECUTE_COMPLETE carrying that Application-UUID). It returns the
// Application-Response. It returns early with a *HangupError (ErrHangup)
// when the channel hangs up, or a *DisconnectError when the connection
// ends; if ctx ends first it returns ctx's error and the application keeps
// running. A long argument, or one with line breaks, is sent as a body.
//
// opts are those of ExecuteMsg (ExecLoops, ExecEventLock, ExecHoldBleg,
// ExecArgInBody, ExecEventUUID to choose the UUID yourself).
func (s *Session) Execute(ctx context.Context, app, arg string, opts ...ExecOption) (string, error) {
	x, err := s.ExecuteAsync(ctx, app, arg, opts...)
	if err != nil {
		return "", err
	}
	return x.Wait(ctx)
}

// ExecuteAsync starts a dialplan application and returns at once, without
// waiting for FreeSWITCH's reply; Wait on the Execution for the result.
// Applications queued back to back run one after another only with
// ExecEventLock: without it FreeSWITCH starts a queued application inside
// the running one's media loop (e.g. interrupting a playback).
//
// If the session is not subscribed to CHANNEL_EXECUTE_COMPLETE (Server
// with NoMyEvents and no MyEvents yet), ExecuteAsync sends myevents
// first. After the channel hung up it returns the *HangupError without
// sending anything.
func (s *Session) ExecuteAsync(ctx context.Context, app, arg string, opts ...ExecOption) (*Execution, error) {
	if err := checkWord("application name", app); err != nil {
		return nil, err
	}
	msg := ExecuteMsg(app, arg, opts...)
	id := msg.EventUUID()
	if id == "" {
		id = newUUID()
		msg = ExecuteMsg(app, arg, append(opts, ExecEventUUID(id))...)
	} else if err := checkText("event uuid", id); err != nil {
		return nil, err
	}
	cmd, err := msg.command("sendmsg")
	if err != nil {
		return nil, err
	}
	if err := cmd.validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	needEvents, format := !s.execEvents, s.format
	s.mu.Unlock()
	if needEvents {
		if err := s.MyEvents(ctx, format); err != nil {
			return nil, err
		}
	}
	x := &Execution{s: s, id: id, app: app, reply: make(chan result, 1), done: make(chan struct{})}
	s.mu.Lock()
	if s.down != nil {
		err := s.down
		s.mu.Unlock()
		return nil, err
	}
	if _, dup := s.execs[id]; dup {
		s.mu.Unlock()
		return nil, argErr("event uuid "+id, "is already in use by a running application")
	}
	s.execs[id] = x
	s.mu.Unlock()
	if err := s.c.enqueue(cmd, &waiter{ch: x.reply, cmd: cmd.name()}); err != nil {
		s.forgetExec(id)
		return nil, err
	}
	return x, nil
}

func (s *Session) forgetExec(id string) {
	s.mu.Lock()
	delete(s.execs, id)
	s.mu.Unlock()
}

// completeExec finishes the execution with this Application-UUID.
func (s *Session) completeExec(id string, ev *Event) {
	s.mu.Lock()
	x := s.execs[id]
	delete(s.execs, id)
	s.mu.Unlock()
	if x != nil {
		x.finish(ev, nil)
	}
}

// takeExecsLocked empties the execution registry.
func (s *Session) takeExecsLocked() []*Execution {
	out := make([]*Execution, 0, len(s.execs))
	for id, x := range s.execs {
		out = append(out, x)
		delete(s.execs, id)
	}
	return out
}
