package wire

import (
	"bytes"
	"sync"
	"unsafe"
)

// Event is a decoded event: its headers in wire order and its body. The
// body-length marker that each serialisation adds (the inner Content-Length
// of plain, the trailing "Content-Length" key of json, the element outside
// <headers> of xml) is not a header; a Content-Length that the event really
// carries (sendevent echoes the client's) is.
type Event struct {
	Headers Headers // the event's headers, values decoded
	Body    string  // the event's body (e.g. an api command's output), or ""
	// HasBody records that the event carries a body even when it is empty.
	// Only JSON tells the difference (FreeSWITCH writes "_body":"" for
	// such an event), so AppendJSON honours it and the other encoders,
	// like FreeSWITCH's, ignore an empty body.
	HasBody bool
}

// Compact is a decoded event in the form that costs least to build and to
// keep: every name, value and the body live in one string, Data, and each
// header is four offsets into it (no pointers, so the garbage collector
// never scans them). Header(i) gives the i-th header as a Header. A
// Compact is immutable once built.
type Compact struct {
	Data   string   // every name and scalar value, back to back
	Spans  []Span   // one per header, in wire order, pointing into Data
	Arrays []string // the values of array headers, referenced by their Span
	Body   string   // the event's body, or ""
	// HasBody is as in Event.
	HasBody bool
}

// Span locates one header of a Compact event: its name is
// Data[NameStart:NameEnd]. A scalar header's value is
// Data[ValueStart:ValueEnd]; an array header has ValueEnd < 0 and its
// -ValueEnd-1 values are Arrays[ValueStart:].
type Span struct {
	NameStart, NameEnd   int32 // the name is Data[NameStart:NameEnd]
	ValueStart, ValueEnd int32 // the value, or the array's place (see above)
}

// Len returns the number of headers.
func (c *Compact) Len() int { return len(c.Spans) }

// Name returns the name of header i.
func (c *Compact) Name(i int) string {
	s := &c.Spans[i]
	return c.Data[s.NameStart:s.NameEnd]
}

// Header returns header i.
func (c *Compact) Header(i int) Header {
	s := &c.Spans[i]
	h := Header{Name: c.Data[s.NameStart:s.NameEnd]}
	if s.ValueEnd >= 0 {
		h.Value = c.Data[s.ValueStart:s.ValueEnd]
		return h
	}
	n := -s.ValueEnd - 1
	if n == 0 {
		h.Array = []string{}
		return h
	}
	h.Array = c.Arrays[s.ValueStart : s.ValueStart+n : s.ValueStart+n]
	h.Value = h.Array[0]
	return h
}

// value returns the (first) value of the header at s.
func (c *Compact) value(s *Span) string {
	if s.ValueEnd >= 0 {
		return c.Data[s.ValueStart:s.ValueEnd]
	}
	if s.ValueEnd == -1 {
		return ""
	}
	return c.Arrays[s.ValueStart]
}

// Lookup returns the first value of the first header called name (ASCII
// case-insensitive) and whether there is one.
func (c *Compact) Lookup(name string) (string, bool) {
	for i := range c.Spans {
		s := &c.Spans[i]
		if int(s.NameEnd-s.NameStart) == len(name) && EqualFold(c.Data[s.NameStart:s.NameEnd], name) {
			return c.value(s), true
		}
	}
	return "", false
}

// Event returns the event with its headers as a Headers slice.
func (c *Compact) Event() *Event {
	ev := &Event{Body: c.Body, HasBody: c.HasBody}
	if len(c.Spans) > 0 {
		ev.Headers = make(Headers, len(c.Spans))
		for i := range c.Spans {
			ev.Headers[i] = c.Header(i)
		}
	}
	return ev
}

// CompactOf builds the compact form of the given headers and body (one
// copy of all their text).
func CompactOf(hs Headers, body string) Compact {
	n, elems := len(body), 0
	for i := range hs {
		n += len(hs[i].Name) + len(hs[i].Value)
		for _, v := range hs[i].Array {
			n += len(v)
		}
		elems += len(hs[i].Array)
	}
	buf := make([]byte, 0, n)
	var c Compact
	if len(hs) > 0 {
		c.Spans = make([]Span, len(hs))
	}
	type rng struct{ s, e int }
	arr := make([]rng, 0, elems)
	for i := range hs {
		h := &hs[i]
		sp := &c.Spans[i]
		sp.NameStart = int32(len(buf))
		buf = append(buf, h.Name...)
		sp.NameEnd = int32(len(buf))
		if h.Array == nil {
			sp.ValueStart = int32(len(buf))
			buf = append(buf, h.Value...)
			sp.ValueEnd = int32(len(buf))
			continue
		}
		sp.ValueStart, sp.ValueEnd = int32(len(arr)), -int32(len(h.Array))-1
		for _, v := range h.Array {
			s := len(buf)
			buf = append(buf, v...)
			arr = append(arr, rng{s, len(buf)})
		}
	}
	bs := len(buf)
	buf = append(buf, body...)
	if len(buf) > 0 {
		c.Data = unsafe.String(&buf[0], len(buf))
	}
	if elems > 0 {
		c.Arrays = make([]string, elems)
		for i, r := range arr {
			c.Arrays[i] = c.Data[r.s:r.e]
		}
	}
	c.Body = c.Data[bs:]
	c.HasBody = body != ""
	return c
}

// span is a header found while parsing: name and (first) value ranges in
// the arena, and for an array header n values d.elems[first:first+n]
// (first == -1 with n == 0 marks an empty array).
type span struct {
	NameStart, NameEnd   int32
	ValueStart, ValueEnd int32
	First, N             int32
}

// elem is the range of one array value in the arena.
type elem struct{ s, e int32 }

// EventDecoder decodes event bodies. It keeps scratch space between calls;
// every decoded event gets one fresh arena holding a copy of the input in
// which escapes are decoded in place (decoding only ever shrinks text), so
// names and values are substrings of one string. The zero value is ready to
// use; it is not safe for concurrent use.
type EventDecoder struct {
	spans []span
	elems []elem
}

// Decode decodes body according to contentType (TypeEventPlain,
// TypeEventJSON or TypeEventXML) into ev.
func (d *EventDecoder) Decode(ev *Event, contentType string, body []byte) error {
	a, bs, be, err := d.parse(contentType, body, 0)
	if err != nil {
		return err
	}
	data := d.publish(a)
	arrays := d.arrays(data)
	ev.Body = data[bs:be]
	ev.HasBody = bs < len(a)
	ev.Headers = nil
	if len(d.spans) > 0 {
		ev.Headers = make(Headers, len(d.spans))
		for i := range d.spans {
			sp := &d.spans[i]
			h := &ev.Headers[i]
			h.Name = data[sp.NameStart:sp.NameEnd]
			switch {
			case sp.N > 0:
				h.Array = arrays[sp.First : sp.First+sp.N : sp.First+sp.N]
				h.Value = h.Array[0]
			case sp.First < 0:
				h.Array = []string{}
			default:
				h.Value = data[sp.ValueStart:sp.ValueEnd]
			}
		}
	}
	return nil
}

// spanSize is the size of a Span in bytes.
const spanSize = int(unsafe.Sizeof(Span{}))

// DecodeCompact decodes body like Decode into the compact form. The span
// table shares the arena's allocation when the decoder's estimate of the
// header count holds (it does for everything FreeSWITCH sends), so an
// event costs one allocation, plus one for array values when there are
// any.
func (d *EventDecoder) DecodeCompact(c *Compact, contentType string, body []byte) error {
	a, bs, be, err := d.parse(contentType, body, estimateHeaders(contentType, body))
	if err != nil {
		return err
	}
	n := len(d.spans)
	text := len(a)
	// The span table goes after the text, 4-byte aligned.
	off := (text + 3) &^ 3
	var spans []Span
	if n > 0 {
		if off+n*spanSize <= cap(a) {
			a = a[:off+n*spanSize]
			spans = unsafe.Slice((*Span)(unsafe.Pointer(&a[off])), n)
		} else {
			spans = make([]Span, n)
		}
	}
	data := d.publishText(a[:text])
	c.Arrays = d.arrays(data)
	for i := range d.spans {
		sp := &d.spans[i]
		out := &spans[i]
		out.NameStart, out.NameEnd = sp.NameStart, sp.NameEnd
		switch {
		case sp.N > 0:
			out.ValueStart, out.ValueEnd = sp.First, -sp.N-1
		case sp.First < 0:
			out.ValueStart, out.ValueEnd = 0, -1
		default:
			out.ValueStart, out.ValueEnd = sp.ValueStart, sp.ValueEnd
		}
	}
	c.Data = data
	c.Spans = spans
	c.Body = data[bs:be]
	c.HasBody = bs < text
	return nil
}

// estimateHeaders guesses an upper bound on the number of headers of an
// event body, cheaply, so that the span table can be allocated with the
// text. A wrong guess only costs a separate allocation.
func estimateHeaders(contentType string, body []byte) int {
	switch contentType {
	case TypeEventPlain:
		return bytes.Count(body, []byte{'\n'})
	case TypeEventJSON:
		return bytes.Count(body, []byte{'"'})/4 + 1
	case TypeEventXML:
		return bytes.Count(body, []byte{'<'})/2 + 1
	}
	return 0
}

// parse copies body into a fresh arena with room for spans more headers'
// offsets and parses it in place.
func (d *EventDecoder) parse(contentType string, body []byte, spans int) (a []byte, bs, be int, err error) {
	d.spans = d.spans[:0]
	d.elems = d.elems[:0]
	if spans > 0 {
		a = make([]byte, len(body), (len(body)+3)&^3+spans*spanSize)
		copy(a, body)
	} else {
		a = append([]byte(nil), body...)
	}
	switch contentType {
	case TypeEventPlain:
		bs, be, err = d.plain(a)
	case TypeEventJSON:
		bs, be, err = d.json(a)
	case TypeEventXML:
		bs, be, err = d.xml(a)
	default:
		err = ErrUnknownFormat
	}
	return a, bs, be, err
}

// Plain decodes the body of a text/event-plain frame into ev (see Decode).
func (d *EventDecoder) Plain(ev *Event, b []byte) error { return d.Decode(ev, TypeEventPlain, b) }

// JSON decodes the body of a text/event-json frame into ev (see Decode).
func (d *EventDecoder) JSON(ev *Event, b []byte) error { return d.Decode(ev, TypeEventJSON, b) }

// XML decodes the body of a text/event-xml frame into ev (see Decode).
func (d *EventDecoder) XML(ev *Event, b []byte) error { return d.Decode(ev, TypeEventXML, b) }

// publish splits "ARRAY::" values into array values and returns the arena
// as a string; the arena is never written again.
func (d *EventDecoder) publish(a []byte) string { return d.publishText(a) }

// publishText is publish for the text part of an arena whose tail may hold
// the span table (written before the Compact is handed out, never after).
func (d *EventDecoder) publishText(a []byte) string {
	for i := range d.spans {
		sp := &d.spans[i]
		if sp.N == 0 && sp.First == 0 && bytes.HasPrefix(a[sp.ValueStart:sp.ValueEnd], []byte(arrayPrefix)) {
			d.splitArray(a, sp)
		}
	}
	if len(a) == 0 {
		return ""
	}
	return unsafe.String(&a[0], len(a))
}

// splitArray turns a value in FreeSWITCH's array scalar form
// ("ARRAY::a|:b") into array values.
func (d *EventDecoder) splitArray(a []byte, sp *span) {
	s, e := int(sp.ValueStart)+len(arrayPrefix), int(sp.ValueEnd)
	sp.First = int32(len(d.elems))
	for {
		k := bytes.Index(a[s:e], []byte("|:"))
		if k < 0 {
			d.elems = append(d.elems, elem{int32(s), int32(e)})
			sp.N++
			break
		}
		d.elems = append(d.elems, elem{int32(s), int32(s + k)})
		sp.N++
		s += k + 2
	}
	first := d.elems[sp.First]
	sp.ValueStart, sp.ValueEnd = first.s, first.e
}

func (d *EventDecoder) arrays(data string) []string {
	if len(d.elems) == 0 {
		return nil
	}
	out := make([]string, len(d.elems))
	for i, e := range d.elems {
		out[i] = data[e.s:e.e]
	}
	return out
}

var decoderPool = sync.Pool{New: func() any { return new(EventDecoder) }}

// DecodePlain decodes the body of a text/event-plain frame: header lines
// with percent-encoded values up to a blank line; when the last header is a
// non-zero Content-Length, that many bytes after the blank line are the
// body and that header is the body marker, not a header.
func DecodePlain(b []byte) (*Event, error) { return Decode(TypeEventPlain, b) }

// DecodeJSON decodes the body of a text/event-json frame: one JSON object
// read token by token, so repeated keys and their order survive. String
// values become headers, arrays of strings become array headers, "_body"
// becomes the body and the "Content-Length" key just before it is dropped.
func DecodeJSON(b []byte) (*Event, error) { return Decode(TypeEventJSON, b) }

// DecodeXML decodes the body of a text/event-xml frame: the <headers>
// children (entity-decoded, then percent-decoded; repeated adjacent elements
// form an array header) and the <body> text.
func DecodeXML(b []byte) (*Event, error) { return Decode(TypeEventXML, b) }

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

const arrayPrefix = "ARRAY::"

// headerList is what the encoders read: a Headers slice or a Compact.
type headerList interface {
	Len() int
	Header(i int) Header
}

type headerSlice Headers

func (h headerSlice) Len() int            { return len(h) }
func (h headerSlice) Header(i int) Header { return h[i] }

// LookupPrefixed is Lookup of the name prefix+name, without building that
// string (channel variables are looked up as "variable_"+name).
func (c *Compact) LookupPrefixed(prefix, name string) (string, bool) {
	n := len(prefix) + len(name)
	for i := range c.Spans {
		s := &c.Spans[i]
		if int(s.NameEnd-s.NameStart) != n {
			continue
		}
		h := c.Data[s.NameStart:s.NameEnd]
		if EqualFold(h[:len(prefix)], prefix) && EqualFold(h[len(prefix):], name) {
			return c.value(s), true
		}
	}
	return "", false
}
