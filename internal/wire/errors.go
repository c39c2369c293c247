package wire

import (
	"errors"
	"fmt"
)

// Sentinel errors for malformed or oversize input. They are wrapped in a
// *FrameError that says where in the stream the fault was found.
var (
	ErrHeaderTooLarge   = errors.New("esl: header block too large")
	ErrBodyTooLarge     = errors.New("esl: body too large")
	ErrBadContentLength = errors.New("esl: malformed Content-Length")
	ErrMalformedHeader  = errors.New("esl: malformed header line")
	ErrMalformedEvent   = errors.New("esl: malformed event")
)

// FrameError reports a fault in the byte stream: the offset of the frame in
// which it was found (counted from the first byte the Reader read), what was
// being read, and the cause. Err is one of the sentinels above or
// io.ErrUnexpectedEOF when the peer closed mid-frame.
type FrameError struct {
	Offset  int64
	Reading string
	Err     error
}

func (e *FrameError) Error() string {
	return fmt.Sprintf("esl: at byte %d reading %s: %v", e.Offset, e.Reading, e.Err)
}

func (e *FrameError) Unwrap() error { return e.Err }

// ErrUnknownFormat is returned when asked to decode an event of a content
// type that is not text/event-plain, -json or -xml.
var ErrUnknownFormat = errors.New("esl: not an event content type")

// ErrNewline is returned when a command line, header name or header value
// to be written contains CR or LF (or a header name contains a colon),
// which would let the text inject its own commands or headers.
var ErrNewline = errors.New("esl: CR or LF in a command or header")
