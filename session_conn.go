package esl

import "context"

// roundTrip is conn.roundTrip with one difference that matters to a
// session: when ctx ends and the reply has already arrived, the reply
// wins. The session's own context is cancelled by the reader as soon as
// CHANNEL_HANGUP arrives, which FreeSWITCH sends right after the +OK of
// the hangup that caused it; a caller woken by both must see the +OK, not
// a spurious context error.
func (s *Session) roundTrip(ctx context.Context, cmd *command) (*reply, error) {
	if err := cmd.validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w := &waiter{ch: make(chan result, 1), cmd: cmd.name()}
	if err := s.c.enqueue(cmd, w); err != nil {
		return nil, err
	}
	select {
	case res := <-w.ch:
		return res.rep, res.err
	case <-ctx.Done():
		select {
		case res := <-w.ch:
			return res.rep, res.err
		default:
		}
		w.abandoned.Store(true)
		return nil, ctx.Err()
	}
}
