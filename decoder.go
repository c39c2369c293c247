package esl

import (
	"io"

	"github.com/eslkit/esl/internal/wire"
)

// Frame is one message of a server→client ESL stream.
type Frame struct {
	// Offset is the byte offset of the frame's first byte in the stream.
	Offset int64
	// ContentType is the frame's Content-Type header ("" if it has none).
	ContentType string
	// Headers are the frame's own headers in wire order, percent-decoded.
	Headers []Header
	// Body is the frame body (exactly Content-Length bytes), nil if the
	// frame has no Content-Length.
	Body []byte
	// Event is the decoded event of a text/event-plain, -json or -xml
	// frame, nil for every other frame. It shares no memory with the
	// Decoder and may be kept.
	Event *Event
}

// Get returns the first frame header called name (case-insensitive).
func (f *Frame) Get(name string) string { return wire.Headers(f.Headers).Get(name) }

// DecoderLimits bound what a Decoder accepts. Zero fields take the
// defaults: 1 MiB of header block and 16 MiB of body (libesl's own limit).
type DecoderLimits struct {
	MaxHeaderBytes int // longest frame header block, in bytes
	MaxBodyBytes   int // longest frame body (Content-Length), in bytes
}

// Decoder reads the frames of a server→client ESL byte stream (what
// FreeSWITCH writes on an event socket) one at a time, decoding events.
// Every frame is returned, including unknown content types.
//
// The *Frame returned by Next is reused by the following call: its Headers
// slice and Body are only valid until then (header strings and the Event
// may be kept).
type Decoder struct {
	r     *wire.Reader
	dec   wire.EventDecoder
	frame Frame
}

// NewDecoder returns a Decoder reading from r with the default limits.
func NewDecoder(r io.Reader) *Decoder { return NewDecoderLimits(r, DecoderLimits{}) }

// NewDecoderLimits returns a Decoder reading from r with the given limits.
func NewDecoderLimits(r io.Reader, l DecoderLimits) *Decoder {
	return &Decoder{r: wire.NewReader(r, wire.Limits{MaxHeaderBytes: l.MaxHeaderBytes, MaxBodyBytes: l.MaxBodyBytes})}
}

// Offset returns how many bytes of the stream have been consumed.
func (d *Decoder) Offset() int64 { return d.r.Offset() }

// Next returns the next frame. At a clean end of stream it returns io.EOF.
// A framing fault returns a *FrameError (io.ErrUnexpectedEOF when the
// stream stops mid-frame) and is final. An event body that does not decode
// returns an *EventError; the stream stays in step and Next may be called
// again.
func (d *Decoder) Next() (*Frame, error) {
	off := d.r.Offset()
	wf, err := d.r.ReadFrame()
	if err != nil {
		return nil, err
	}
	f := &d.frame
	*f = Frame{Offset: off, ContentType: wf.ContentType(), Headers: wf.Headers, Body: wf.Body}
	if wire.IsEvent(f.ContentType) {
		ev, err := decodeEventWith(&d.dec, f.ContentType, wf.Body)
		if err != nil {
			return nil, &EventError{Offset: off, ContentType: f.ContentType, Err: err}
		}
		f.Event = ev
	}
	return f, nil
}
