package esl

import (
	"fmt"

	"github.com/eslkit/esl/internal/wire"
)

// FrameError reports a fault in an ESL byte stream: the byte offset of the
// frame in which it was found, what was being read ("header block",
// "Content-Length", "body") and the cause, one of the Err… sentinels below
// or io.ErrUnexpectedEOF when the stream ended mid-frame. After a
// FrameError the stream position is lost and no further frame is read.
type FrameError = wire.FrameError

// Sentinel causes wrapped by FrameError and EventError (use errors.Is).
var (
	ErrHeaderTooLarge   = wire.ErrHeaderTooLarge   // header block over the limit (default 1 MiB)
	ErrBodyTooLarge     = wire.ErrBodyTooLarge     // Content-Length over the limit (default 16 MiB)
	ErrBadContentLength = wire.ErrBadContentLength // Content-Length not a plain decimal number
	ErrMalformedHeader  = wire.ErrMalformedHeader  // a header line without "name:"
	ErrMalformedEvent   = wire.ErrMalformedEvent   // an event body that does not parse
	ErrUnknownFormat    = wire.ErrUnknownFormat    // not an event content type
)

// EventError reports an event frame whose body does not decode. The stream
// itself is intact: a Decoder continues with the next frame.
type EventError struct {
	Offset      int64  // byte offset of the frame in the stream, or -1
	ContentType string // the frame's Content-Type, e.g. "text/event-json"
	Err         error  // why the body did not decode (errors.Is ErrMalformedEvent, …)
}

// Error says where the bad event was, its content type and why it failed.
func (e *EventError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("esl: decoding %s event: %v", e.ContentType, e.Err)
	}
	return fmt.Sprintf("esl: at byte %d decoding %s event: %v", e.Offset, e.ContentType, e.Err)
}

// Unwrap returns the decoding error, so errors.Is/As reach it.
func (e *EventError) Unwrap() error { return e.Err }
