package wire

import (
	"errors"
	"fmt"
)

// Sentinel errors for malformed or oversize input. They are wrapped in a
// *FrameError that says where in the stream the fault was found.
var (
	ErrHeaderTooLarge   = errors.New("esl: header block too large")   // over Limits.MaxHeaderBytes
	ErrBodyTooLarge     = errors.New("esl: body too large")           // Content-Length over Limits.MaxBodyBytes
	ErrBadContentLength = errors.New("esl: malformed Content-Length") // not a plain decimal number
	ErrMalformedHeader  = errors.New("esl: malformed header line")    // a line without "name:"
	ErrMalformedEvent   = errors.New("esl: malformed event")          // an event body that does not parse
)

// FrameError reports a fault in the byte stream: the offset of the frame in
// which it was found (counted from the first byte the Reader read), what was
// being read, and the cause. Err is one of the sentinels above or
// io.ErrUnexpectedEOF when the peer closed mid-frame.
type FrameError struct {
	Offset  int64  // byte offset of the frame, from the first byte read
	Reading string // what was being read, e.g. "header block" or "body"
	Err     error  // the cause: a sentinel above or io.ErrUnexpectedEOF
}

// Error says where in the stream the fault was, what was being read and why.
func (e *FrameError) Error() string {
	return fmt.Sprintf("esl: at byte %d reading %s: %v", e.Offset, e.Reading, e.Err)
}

// Unwrap returns the cause, so errors.Is(err, ErrBodyTooLarge) etc. work.
func (e *FrameError) Unwrap() error { return e.Err }

// ErrUnknownFormat is returned when asked to decode an event of a content
// type that is not text/event-plain, -json or -xml.
var ErrUnknownFormat = errors.New("esl: not an event content type")

// ErrNewline is returned when a command line, header name or header value
// to be written contains CR or LF (or a header name contains a colon),
// which would let the text inject its own commands or headers.
var ErrNewline = errors.New("esl: CR or LF in a command or header")
