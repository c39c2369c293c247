package esl

import (
	"iter"
	"strconv"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// Header is one event header in wire order. Value is decoded; a
// multi-valued header ("ARRAY::a|:b" on the wire) has all its values in
// Array and the first in Value.
type Header = wire.Header

// Event is one FreeSWITCH event: ordered headers (names may repeat) and an
// optional body. Header names are matched case-insensitively.
type Event struct {
	ev wire.Event
}

// NewEvent returns an event with the given headers (kept in order) and body.
func NewEvent(headers []Header, body string) *Event {
	return &Event{ev: wire.Event{Headers: headers, Body: body}}
}

// Get returns the first value of the first header called name, or "".
func (e *Event) Get(name string) string { return e.ev.Headers.Get(name) }

// Lookup is like Get and also reports whether the header is present.
func (e *Event) Lookup(name string) (string, bool) { return e.ev.Headers.Lookup(name) }

// Values returns every value of every header called name, in order: the
// elements of a multi-valued header, and the values of repeated headers.
func (e *Event) Values(name string) []string {
	var out []string
	for i := range e.ev.Headers {
		if wire.EqualFold(e.ev.Headers[i].Name, name) {
			out = append(out, e.ev.Headers[i].Values()...)
		}
	}
	return out
}

// Headers iterates over the headers in wire order.
func (e *Event) Headers() iter.Seq[Header] {
	return func(yield func(Header) bool) {
		for _, h := range e.ev.Headers {
			if !yield(h) {
				return
			}
		}
	}
}

// Len returns the number of headers.
func (e *Event) Len() int { return len(e.ev.Headers) }

// Body returns the event body ("" when there is none).
func (e *Event) Body() string { return e.ev.Body }

// Var returns the channel variable name (the "variable_"+name header).
func (e *Event) Var(name string) string { return e.Get("variable_" + name) }

// Subclass returns the Event-Subclass of a CUSTOM event.
func (e *Event) Subclass() string { return e.Get("Event-Subclass") }

// UniqueID returns the channel UUID the event is about.
func (e *Event) UniqueID() string { return e.Get("Unique-ID") }

// JobUUID returns the Job-UUID of a BACKGROUND_JOB event.
func (e *Event) JobUUID() string { return e.Get("Job-UUID") }

// Sequence returns Event-Sequence, FreeSWITCH's global event counter. It is
// not monotonic on the wire, so it orders nothing and detects no loss.
func (e *Event) Sequence() uint64 {
	n, _ := strconv.ParseUint(e.Get("Event-Sequence"), 10, 64)
	return n
}

// Time returns when FreeSWITCH created the event (Event-Date-Timestamp, in
// microseconds since the epoch), or the zero time.
func (e *Event) Time() time.Time {
	us, err := strconv.ParseInt(e.Get("Event-Date-Timestamp"), 10, 64)
	if err != nil || us <= 0 {
		return time.Time{}
	}
	return time.UnixMicro(us)
}
