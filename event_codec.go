package esl

import (
	"github.com/eslkit/esl/internal/wire"
)

// Content types of the frames FreeSWITCH sends.
const (
	ContentAuthRequest      = wire.TypeAuthRequest
	ContentCommandReply     = wire.TypeCommandReply
	ContentAPIResponse      = wire.TypeAPIResponse
	ContentEventPlain       = wire.TypeEventPlain
	ContentEventJSON        = wire.TypeEventJSON
	ContentEventXML         = wire.TypeEventXML
	ContentLogData          = wire.TypeLogData
	ContentDisconnectNotice = wire.TypeDisconnectNotice
	ContentRudeRejection    = wire.TypeRudeRejection
)

// ParseEvent decodes the body of an event frame whose Content-Type is
// text/event-plain, text/event-json or text/event-xml. The event shares no
// memory with body. Errors are *EventError values wrapping
// ErrMalformedEvent, ErrMalformedHeader, ErrBadContentLength or
// ErrUnknownFormat.
func ParseEvent(contentType string, body []byte) (*Event, error) {
	ev := new(Event)
	if err := parseEventInto(ev, contentType, body); err != nil {
		return nil, &EventError{Offset: -1, ContentType: contentType, Err: err}
	}
	return ev, nil
}

func parseEventInto(ev *Event, contentType string, body []byte) error {
	w, err := wire.Decode(contentType, body)
	if err != nil {
		return err
	}
	ev.ev = *w
	return nil
}

// AppendPlain appends the event as FreeSWITCH serialises it for
// text/event-plain (the frame body, without the outer frame headers).
func (e *Event) AppendPlain(dst []byte) []byte { return wire.AppendPlain(dst, &e.ev) }

// AppendJSON appends the event as FreeSWITCH serialises it for
// text/event-json: one unformatted object, keys in header order (repeats
// kept), string values, arrays for multi-valued headers, and
// "Content-Length" and "_body" at the end when there is a body.
func (e *Event) AppendJSON(dst []byte) []byte { return wire.AppendJSON(dst, &e.ev) }

// AppendXML appends the event as FreeSWITCH serialises it for
// text/event-xml.
func (e *Event) AppendXML(dst []byte) []byte { return wire.AppendXML(dst, &e.ev) }

// MarshalJSON returns FreeSWITCH's JSON event object (see AppendJSON).
func (e *Event) MarshalJSON() ([]byte, error) { return e.AppendJSON(nil), nil }

// UnmarshalJSON decodes a FreeSWITCH JSON event object, keeping repeated
// keys and their order.
func (e *Event) UnmarshalJSON(b []byte) error {
	w, err := wire.DecodeJSON(b)
	if err != nil {
		return &EventError{Offset: -1, ContentType: ContentEventJSON, Err: err}
	}
	e.ev = *w
	return nil
}

// Equal reports whether e and o have the same headers (names, values and
// array values, in order) and the same body.
func (e *Event) Equal(o *Event) bool {
	if e == nil || o == nil {
		return e == o
	}
	a, b := e.ev.Headers, o.ev.Headers
	if len(a) != len(b) || e.ev.Body != o.ev.Body {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Value != b[i].Value || len(a[i].Array) != len(b[i].Array) ||
			(a[i].Array == nil) != (b[i].Array == nil) {
			return false
		}
		for j := range a[i].Array {
			if a[i].Array[j] != b[i].Array[j] {
				return false
			}
		}
	}
	return true
}

// decodeEventWith decodes the body of an event frame with d, whose scratch
// space is reused across calls (keep one per reader goroutine): three
// allocations per event. The Event shares no memory with body.
func decodeEventWith(d *wire.EventDecoder, contentType string, body []byte) (*Event, error) {
	ev := new(Event)
	if err := d.Decode(&ev.ev, contentType, body); err != nil {
		return nil, err
	}
	return ev, nil
}
