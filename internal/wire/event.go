package wire

import (
	"sync"
	"unsafe"
)

// Event is a decoded event: its headers in wire order and its body. The
// body-length marker that each serialisation adds (the inner Content-Length
// of plain, the trailing "Content-Length" key of json, the element outside
// <headers> of xml) is not a header; a Content-Length that the event really
// carries (sendevent echoes the client's) is.
type Event struct {
	Headers Headers
	Body    string
}

// span locates a header in the decoder's arena: name [ns,ne), value
// [vs,ve). For a JSON array header, elems > 0 and the values are the next
// elems entries of the decoder's element list starting at first.
type span struct {
	ns, ne, vs, ve int32
	first, elems   int32
}

type elem struct{ s, e int32 }

// EventDecoder decodes event bodies. It keeps scratch space between calls,
// so one decoder per goroutine decodes with three allocations per event:
// one arena string holding every name, value and the body (headers are
// substrings of it), the header slice, and array values when there are any.
// The zero value is ready to use; it is not safe for concurrent use.
type EventDecoder struct {
	arena []byte // decoded bytes of the current event; never reused once published
	spans []span
	elems []elem
}

// Decode decodes body according to contentType (TypeEventPlain,
// TypeEventJSON or TypeEventXML) into ev.
func (d *EventDecoder) Decode(ev *Event, contentType string, body []byte) error {
	switch contentType {
	case TypeEventPlain:
		return d.Plain(ev, body)
	case TypeEventJSON:
		return d.JSON(ev, body)
	case TypeEventXML:
		return d.XML(ev, body)
	}
	return ErrUnknownFormat
}

// begin prepares a fresh arena able to hold n bytes. Decoding only ever
// shrinks text (percent, JSON and XML escapes all decode to fewer bytes),
// so the input length bounds the arena and it never grows mid-event.
func (d *EventDecoder) begin(n int) {
	d.arena = make([]byte, 0, n)
	d.spans = d.spans[:0]
	d.elems = d.elems[:0]
}

// finish publishes the arena as one string and builds the headers as
// substrings of it. body is [bs,be) of the arena.
func (d *EventDecoder) finish(ev *Event, bs, be int) {
	var s string
	if len(d.arena) > 0 {
		// The arena is never written again after this point (begin always
		// allocates a new one), so viewing it as a string is safe.
		s = unsafe.String(unsafe.SliceData(d.arena), len(d.arena))
	}
	d.arena = nil
	ev.Body = s[bs:be]
	if len(d.spans) == 0 {
		ev.Headers = nil
		return
	}
	hs := make(Headers, len(d.spans))
	var arrays []string
	if len(d.elems) > 0 {
		arrays = make([]string, len(d.elems))
		for i, e := range d.elems {
			arrays[i] = s[e.s:e.e]
		}
	}
	for i := range d.spans {
		sp := &d.spans[i]
		h := &hs[i]
		h.Name = s[sp.ns:sp.ne]
		if sp.elems > 0 {
			h.Array = arrays[sp.first : sp.first+sp.elems : sp.first+sp.elems]
			h.Value = h.Array[0]
			continue
		}
		if sp.first < 0 { // empty JSON array
			h.Array = []string{}
			continue
		}
		h.Value = s[sp.vs:sp.ve]
		if len(h.Value) >= len(arrayPrefix) && h.Value[:len(arrayPrefix)] == arrayPrefix {
			splitArray(h)
		}
	}
	ev.Headers = hs
}

var decoderPool = sync.Pool{New: func() any { return new(EventDecoder) }}

// DecodePlain decodes the body of a text/event-plain frame: header lines
// with percent-encoded values up to a blank line, then, when the last header
// is Content-Length, that many body bytes.
func DecodePlain(b []byte) (*Event, error) { return decodeWith(b, (*EventDecoder).Plain) }

// DecodeJSON decodes the body of a text/event-json frame: one JSON object
// read token by token, so repeated keys and their order survive. String
// values become headers, arrays of strings become array headers, "_body"
// becomes the body and the "Content-Length" key just before it is dropped.
func DecodeJSON(b []byte) (*Event, error) { return decodeWith(b, (*EventDecoder).JSON) }

// DecodeXML decodes the body of a text/event-xml frame: the <headers>
// children (entity-decoded, then percent-decoded; repeated adjacent elements
// form an array header) and the <body> text.
func DecodeXML(b []byte) (*Event, error) { return decodeWith(b, (*EventDecoder).XML) }

// Decode decodes an event body of the given content type.
func Decode(contentType string, b []byte) (*Event, error) {
	d := decoderPool.Get().(*EventDecoder)
	defer decoderPool.Put(d)
	ev := new(Event)
	if err := d.Decode(ev, contentType, b); err != nil {
		return nil, err
	}
	return ev, nil
}

func decodeWith(b []byte, f func(*EventDecoder, *Event, []byte) error) (*Event, error) {
	d := decoderPool.Get().(*EventDecoder)
	defer decoderPool.Put(d)
	ev := new(Event)
	if err := f(d, ev, b); err != nil {
		return nil, err
	}
	return ev, nil
}

const arrayPrefix = "ARRAY::"

// splitArray turns a value in FreeSWITCH's array scalar form
// ("ARRAY::a|:b") into an array header.
func splitArray(h *Header) {
	v := h.Value[len(arrayPrefix):]
	n := 1
	for i := 0; i+1 < len(v); i++ {
		if v[i] == '|' && v[i+1] == ':' {
			n++
			i++
		}
	}
	arr := make([]string, 0, n)
	for {
		i := indexSep(v)
		if i < 0 {
			arr = append(arr, v)
			break
		}
		arr = append(arr, v[:i])
		v = v[i+2:]
	}
	h.Array = arr
	h.Value = arr[0]
}

func indexSep(s string) int {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '|' && s[i+1] == ':' {
			return i
		}
	}
	return -1
}
