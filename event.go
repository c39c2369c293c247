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
// optional body. Header names are matched case-insensitively. An Event is
// immutable, so it may be shared between goroutines.
//
// Internally all its text is one string and each header a few offsets into
// it, which makes decoding cheap (two allocations per event) and costs
// the garbage collector nothing to scan.
type Event struct {
	c wire.Compact
}

// NewEvent returns an event with the given headers (kept in order) and body.
// The text is copied, so later changes to headers do not affect the event.
func NewEvent(headers []Header, body string) *Event {
	return &Event{c: wire.CompactOf(headers, body)}
}

// Get returns the first value of the first header called name, or "".
func (e *Event) Get(name string) string {
	v, _ := e.c.Lookup(name)
	return v
}

// Lookup is like Get and also reports whether the header is present.
func (e *Event) Lookup(name string) (string, bool) { return e.c.Lookup(name) }

// Values returns every value of every header called name, in order: the
// elements of a multi-valued header, and the values of repeated headers.
func (e *Event) Values(name string) []string {
	var out []string
	for i := range e.c.Len() {
		if wire.EqualFold(e.c.Name(i), name) {
			out = append(out, e.c.Header(i).Values()...)
		}
	}
	return out
}

// Headers iterates over the headers in wire order.
func (e *Event) Headers() iter.Seq[Header] {
	return func(yield func(Header) bool) {
		for i := range e.c.Len() {
			if !yield(e.c.Header(i)) {
				return
			}
		}
	}
}

// Len returns the number of headers.
func (e *Event) Len() int { return e.c.Len() }

// Body returns the event body ("" when there is none).
func (e *Event) Body() string { return e.c.Body }

// Var returns the channel variable name (the "variable_"+name header).
func (e *Event) Var(name string) string {
	v, _ := e.c.LookupPrefixed("variable_", name)
	return v
}

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
