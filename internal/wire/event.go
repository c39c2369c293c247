package wire

import "unsafe"

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
// header is a few offsets into it (no pointers, so the garbage collector
// never scans them): 8 bytes per header when Data is shorter than 64 KiB,
// which is nearly every event, 16 otherwise. Header(i) gives the i-th
// header as a Header. A Compact is immutable once built.
type Compact struct {
	Data   string       // every name and scalar value, back to back
	wide   []Span       // one per header, in wire order, for a long Data
	narrow []narrowSpan // one per header, in wire order, otherwise
	Arrays []string     // the values of array headers, referenced by their span
	Body   string       // the event's body, or ""
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

// narrowSpan is a Span for a Data shorter than 64 KiB. A scalar has
// vs <= ve; an array header has vs > ve, its values being
// Arrays[ve:ve+vs-ve-1].
type narrowSpan struct{ ns, ne, vs, ve uint16 }

// narrowLimit is the longest text (and the most array values) whose
// offsets fit a narrowSpan.
const narrowLimit = 0xFFFF

// narrowOf converts sp, which fits, to the narrow form.
func narrowOf(sp Span) narrowSpan {
	if sp.ValueEnd < 0 {
		first, n := sp.ValueStart, -sp.ValueEnd-1
		return narrowSpan{uint16(sp.NameStart), uint16(sp.NameEnd), uint16(first + n + 1), uint16(first)}
	}
	return narrowSpan{uint16(sp.NameStart), uint16(sp.NameEnd), uint16(sp.ValueStart), uint16(sp.ValueEnd)}
}

// wideOf converts s to a Span.
func wideOf(s narrowSpan) Span {
	if s.vs > s.ve {
		return Span{int32(s.ns), int32(s.ne), int32(s.ve), -int32(s.vs-s.ve-1) - 1}
	}
	return Span{int32(s.ns), int32(s.ne), int32(s.vs), int32(s.ve)}
}

// span returns header i's Span.
func (c *Compact) span(i int) Span {
	if c.narrow == nil {
		return c.wide[i]
	}
	return wideOf(c.narrow[i])
}

// setSpans stores hs, in the narrow form when the text and the array
// values allow, in dst when it is large enough (it then shares the text's
// allocation), else in a fresh slice. It returns the bytes of dst used.
func (c *Compact) setSpans(hs []Span, text, elems int, dst []byte) int {
	n := len(hs)
	c.wide, c.narrow = nil, nil
	if n == 0 {
		return 0
	}
	if text <= narrowLimit && elems < narrowLimit {
		var out []narrowSpan
		if len(dst) >= n*narrowSize {
			out = unsafe.Slice((*narrowSpan)(unsafe.Pointer(unsafe.SliceData(dst))), n)
		} else {
			out = make([]narrowSpan, n)
		}
		for i, sp := range hs {
			out[i] = narrowOf(sp)
		}
		c.narrow = out
		return n * narrowSize
	}
	var out []Span
	if len(dst) >= n*spanSize {
		out = unsafe.Slice((*Span)(unsafe.Pointer(unsafe.SliceData(dst))), n)
	} else {
		out = make([]Span, n)
	}
	copy(out, hs)
	c.wide = out
	return n * spanSize
}

// spanBytes is how many bytes setSpans needs for n headers.
func spanBytes(n, text, elems int) int {
	if text <= narrowLimit && elems < narrowLimit {
		return n * narrowSize
	}
	return n * spanSize
}

// Sizes of the span forms in bytes.
const (
	spanSize   = int(unsafe.Sizeof(Span{}))
	narrowSize = int(unsafe.Sizeof(narrowSpan{}))
)

// Len returns the number of headers.
func (c *Compact) Len() int { return len(c.narrow) + len(c.wide) }

// Name returns the name of header i.
func (c *Compact) Name(i int) string {
	if c.narrow != nil {
		s := &c.narrow[i]
		return c.Data[s.ns:s.ne]
	}
	s := &c.wide[i]
	return c.Data[s.NameStart:s.NameEnd]
}

// Header returns header i.
func (c *Compact) Header(i int) Header { return headerAt(c.Data, c.Arrays, c.span(i)) }

// headerAt is the header that s locates in data, its array values (if it
// is an array header) being in arrays.
func headerAt(data string, arrays []string, s Span) Header {
	h := Header{Name: data[s.NameStart:s.NameEnd]}
	if s.ValueEnd >= 0 {
		h.Value = data[s.ValueStart:s.ValueEnd]
		return h
	}
	n := -s.ValueEnd - 1
	if n == 0 {
		h.Array = []string{}
		return h
	}
	h.Array = arrays[s.ValueStart : s.ValueStart+n : s.ValueStart+n]
	h.Value = h.Array[0]
	return h
}

// value returns the (first) value of header i.
func (c *Compact) value(i int) string {
	s := c.span(i)
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
	if c.narrow != nil {
		for i := range c.narrow {
			s := &c.narrow[i]
			if int(s.ne-s.ns) == len(name) && EqualFold(c.Data[s.ns:s.ne], name) {
				return c.value(i), true
			}
		}
		return "", false
	}
	for i := range c.wide {
		s := &c.wide[i]
		if int(s.NameEnd-s.NameStart) == len(name) && EqualFold(c.Data[s.NameStart:s.NameEnd], name) {
			return c.value(i), true
		}
	}
	return "", false
}

// Event returns the event with its headers as a Headers slice.
func (c *Compact) Event() *Event {
	ev := &Event{Body: c.Body, HasBody: c.HasBody}
	if n := c.Len(); n > 0 {
		ev.Headers = make(Headers, n)
		for i := range n {
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
	spans := make([]Span, len(hs))
	type rng struct{ s, e int }
	arr := make([]rng, 0, elems)
	for i := range hs {
		h := &hs[i]
		sp := &spans[i]
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
	var c Compact
	c.setSpans(spans, len(buf), elems, nil)
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

// isArrayForm reports whether v is a value in FreeSWITCH's array form
// ("ARRAY::a|:b"). The first byte settles nearly every value.
func isArrayForm(v []byte) bool {
	return len(v) >= len(arrayPrefix) && v[0] == 'A' && string(v[:len(arrayPrefix)]) == arrayPrefix
}

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
	for i := range c.Len() {
		var h string
		if c.narrow != nil {
			s := &c.narrow[i]
			if int(s.ne-s.ns) != n {
				continue
			}
			h = c.Data[s.ns:s.ne]
		} else {
			s := &c.wide[i]
			if int(s.NameEnd-s.NameStart) != n {
				continue
			}
			h = c.Data[s.NameStart:s.NameEnd]
		}
		if EqualFold(h[:len(prefix)], prefix) && EqualFold(h[len(prefix):], name) {
			return c.value(i), true
		}
	}
	return "", false
}
