package esl

import (
	"sync"

	"github.com/eslkit/esl/internal/wire"
)

// Content types of the frames FreeSWITCH sends.
const (
	ContentAuthRequest      = wire.TypeAuthRequest      // the greeting: send auth (inbound)
	ContentCommandReply     = wire.TypeCommandReply     // reply to a command; Reply-Text says +OK/-ERR
	ContentAPIResponse      = wire.TypeAPIResponse      // reply to api; the body is the output
	ContentEventPlain       = wire.TypeEventPlain       // an event in the plain format
	ContentEventJSON        = wire.TypeEventJSON        // an event in the json format
	ContentEventXML         = wire.TypeEventXML         // an event in the xml format
	ContentLogData          = wire.TypeLogData          // a log line (after the log command)
	ContentDisconnectNotice = wire.TypeDisconnectNotice // FreeSWITCH ends or lingers the connection
	ContentRudeRejection    = wire.TypeRudeRejection    // the peer's address is not allowed (ACL)
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

var eventDecoders = sync.Pool{New: func() any { return new(wire.EventDecoder) }}

func parseEventInto(ev *Event, contentType string, body []byte) error {
	d := eventDecoders.Get().(*wire.EventDecoder)
	defer eventDecoders.Put(d)
	return d.DecodeCompact(&ev.c, contentType, body)
}

// AppendPlain appends the event as FreeSWITCH serialises it for
// text/event-plain (the frame body, without the outer frame headers).
func (e *Event) AppendPlain(dst []byte) []byte { return wire.AppendPlainCompact(dst, &e.c) }

// AppendJSON appends the event as FreeSWITCH serialises it for
// text/event-json: one unformatted object, keys in header order (repeats
// kept), string values, arrays for multi-valued headers, and
// "Content-Length" and "_body" at the end when there is a body.
func (e *Event) AppendJSON(dst []byte) []byte { return wire.AppendJSONCompact(dst, &e.c) }

// AppendXML appends the event as FreeSWITCH serialises it for
// text/event-xml.
func (e *Event) AppendXML(dst []byte) []byte { return wire.AppendXMLCompact(dst, &e.c) }

// MarshalJSON returns FreeSWITCH's JSON event object (see AppendJSON).
func (e *Event) MarshalJSON() ([]byte, error) { return e.AppendJSON(nil), nil }

// UnmarshalJSON decodes a FreeSWITCH JSON event object, keeping repeated
// keys and their order.
func (e *Event) UnmarshalJSON(b []byte) error {
	if err := parseEventInto(e, ContentEventJSON, b); err != nil {
		return &EventError{Offset: -1, ContentType: ContentEventJSON, Err: err}
	}
	return nil
}

// Equal reports whether e and o have the same headers (names, values and
// array values, in order) and the same body. Whether an empty body was
// present (only JSON can say) is a detail of the serialisation and is not
// compared.
func (e *Event) Equal(o *Event) bool {
	if e == nil || o == nil {
		return e == o
	}
	if e.Len() != o.Len() || e.c.Body != o.c.Body {
		return false
	}
	for i := range e.c.Len() {
		a, b := e.c.Header(i), o.c.Header(i)
		if a.Name != b.Name || a.Value != b.Value || len(a.Array) != len(b.Array) || (a.Array == nil) != (b.Array == nil) {
			return false
		}
		for j := range a.Array {
			if a.Array[j] != b.Array[j] {
				return false
			}
		}
	}
	return true
}

// decodeEventWith decodes the body of an event frame with d, whose scratch
// space is reused across calls (keep one per reader goroutine): two
// allocations per event (three with array headers). The Event shares no
// memory with body.
func decodeEventWith(d *wire.EventDecoder, contentType string, body []byte) (*Event, error) {
	ev := new(Event)
	if err := d.DecodeCompact(&ev.c, contentType, body); err != nil {
		return nil, err
	}
	return ev, nil
}
