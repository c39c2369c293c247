package esl

import "context"

// Handler drives one call that FreeSWITCH's socket application handed to a
// Server. ServeESL runs on its own goroutine for each connection, after the
// Server has sent connect and read the channel data (s.ChannelData). ctx is
// the session's context: it is cancelled when the channel hangs up or the
// connection ends (context.Cause says which).
//
// When ServeESL returns the Server closes the connection; FreeSWITCH then
// continues the dialplan after the socket application (or, after
// s.Resume, from where the call was). A panic in ServeESL is recovered and
// logged, and only that connection is closed.
type Handler interface {
	// ServeESL handles the call on s until it returns or ctx ends.
	ServeESL(ctx context.Context, s *Session)
}

// HandlerFunc adapts an ordinary function to a Handler, as
// http.HandlerFunc does.
type HandlerFunc func(ctx context.Context, s *Session)

// ServeESL calls f(ctx, s).
func (f HandlerFunc) ServeESL(ctx context.Context, s *Session) { f(ctx, s) }
