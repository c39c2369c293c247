package wire

import (
	"bytes"
	"strings"
	"sync"
	"unsafe"
)

// EventDecoder decodes event bodies. It keeps scratch space between calls.
//
// Decoding is two steps. A scanner reads the input once, validates it
// completely and indexes every header into the scratch table (offsets into
// the input), noting the few values that still need work: those with
// escapes to decode and those in FreeSWITCH's "ARRAY::" form. Then the
// event gets exactly one allocation, sized from the scan: a verbatim copy
// of the input (decoding only ever shrinks text, so escapes are decoded in
// place there and every other offset stays valid) followed, for the
// compact form, by the span table. Names and values are substrings of that
// one string. The zero value is ready to use; it is not safe for
// concurrent use.
type EventDecoder struct {
	hs      []Span       // headers found, offsets into the input (arrays as in Compact)
	nhs     []narrowSpan // the same in the narrow form, when narrow
	narrow  bool         // the table is nhs (see spans.go)
	elems   []elem       // array values, offsets into the input
	fix     []fixup      // values and names still to decode after the copy
	bodyFix bool         // the body (JSON) has escapes to decode
	bsl     int          // JSON: where the next backslash is, if at or after the scan position
	xmlText []byte       // XML is decoded in place in this copy of the input
	small   []byte       // scratch for decoding a key or value to compare it
}

// elem is the range of one array value in the text.
type elem struct{ s, e int32 }

// fixup is work left for after the copy: decode the name or value of
// header idx, or array value idx, in place.
type fixup struct {
	idx  int32
	kind uint8
}

const (
	fixValue = iota // decode the value of hs[idx]; split it if it is an "ARRAY::" value
	fixName         // decode the name of hs[idx] (a JSON key with escapes)
	fixElem         // decode elems[idx] (a JSON array value with escapes)
)

// format selects what decoding a fixup does.
type format uint8

const (
	formatPlain format = iota // percent-decoding
	formatJSON                // JSON string unescaping
	formatXML                 // nothing: XML is decoded during the scan
)

// scan validates and indexes body, leaving the headers in the table (in
// the narrow form when narrow allows it and the format and the size
// suit). It returns the text to copy into the event (body itself, or
// XML's decoded copy) and the range of the event body in it.
func (d *EventDecoder) scan(contentType string, body []byte, narrow bool) (src []byte, f format, bs, be int, err error) {
	d.hs = d.hs[:0]
	d.nhs = d.nhs[:0]
	d.narrow = narrow && len(body) <= narrowLimit && contentType != TypeEventXML
	d.elems = d.elems[:0]
	d.fix = d.fix[:0]
	d.bodyFix = false
	switch contentType {
	case TypeEventPlain:
		bs, be, err = d.scanPlain(body)
		return body, formatPlain, bs, be, err
	case TypeEventJSON:
		bs, be, err = d.scanJSON(body)
		return body, formatJSON, bs, be, err
	case TypeEventXML:
		d.xmlText = append(d.xmlText[:0], body...)
		a := d.xmlText
		if bs, be, err = d.xml(a); err != nil {
			return nil, formatXML, 0, 0, err
		}
		for i := range d.hs {
			if sp := &d.hs[i]; sp.ValueEnd >= 0 && isArrayForm(a[sp.ValueStart:sp.ValueEnd]) {
				d.fix = append(d.fix, fixup{int32(i), fixValue})
			}
		}
		return a, formatXML, bs, be, nil
	}
	return nil, 0, 0, 0, ErrUnknownFormat
}

// finish applies the fixups to a, the fresh copy of the scanned text, and
// returns the end of the event body, which moves when the body had
// escapes. Every range was validated by the scan, so nothing here fails.
func (d *EventDecoder) finish(a []byte, f format, bs, be int) int {
	for _, x := range d.fix {
		switch x.kind {
		case fixValue:
			sp := d.spanAt(int(x.idx))
			v := decodeInPlace(f, a[sp.ValueStart:sp.ValueEnd])
			sp.ValueEnd = sp.ValueStart + int32(len(v))
			if isArrayForm(v) {
				d.splitArray(a, &sp)
			}
			d.setSpan(int(x.idx), sp)
		case fixName:
			sp := d.spanAt(int(x.idx))
			sp.NameEnd = sp.NameStart + int32(len(decodeInPlace(f, a[sp.NameStart:sp.NameEnd])))
			d.setSpan(int(x.idx), sp)
		case fixElem:
			e := &d.elems[x.idx]
			e.e = e.s + int32(len(decodeInPlace(f, a[e.s:e.e])))
		}
	}
	if d.bodyFix {
		be = bs + len(decodeInPlace(f, a[bs:be]))
	}
	return be
}

// decodeInPlace decodes v's escapes over v itself and returns the result.
func decodeInPlace(f format, v []byte) []byte {
	switch f {
	case formatPlain:
		return percentDecodeInPlace(v)
	case formatJSON:
		return jsonUnescape(v)
	}
	return v
}

// splitArray turns a value in FreeSWITCH's array scalar form
// ("ARRAY::a|:b") into array values.
func (d *EventDecoder) splitArray(a []byte, sp *Span) {
	s, e := int(sp.ValueStart)+len(arrayPrefix), int(sp.ValueEnd)
	first := len(d.elems)
	for {
		k := bytes.Index(a[s:e], []byte("|:"))
		if k < 0 {
			d.elems = append(d.elems, elem{int32(s), int32(e)})
			break
		}
		d.elems = append(d.elems, elem{int32(s), int32(s + k)})
		s += k + 2
	}
	sp.ValueStart, sp.ValueEnd = int32(first), -int32(len(d.elems)-first)-1
}

// arrays returns the array values as strings of data.
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

// newArena returns a fresh allocation of size bytes starting with a copy of
// src (size >= len(src)). The caller writes every other byte that is ever
// read (the span table) before the arena is published, so the memory is
// not zeroed first: a strings.Builder grown once holds exactly one
// allocation made without zeroing, and nothing else refers to it once the
// builder is dropped.
func newArena(src []byte, size int) []byte {
	if len(src) == 0 {
		// (An empty builder's String need not point at its buffer.)
		return make([]byte, size)
	}
	var sb strings.Builder
	sb.Grow(size)
	sb.Write(src)
	return unsafe.Slice(unsafe.StringData(sb.String()), size)
}

// trim lets go of the XML scratch copy once it has served a large event,
// so that one big event does not pin its size in a long-lived or pooled
// decoder.
func (d *EventDecoder) trim() {
	if cap(d.xmlText) > 64<<10 {
		d.xmlText = nil
	}
}

// DecodeCompact decodes body according to contentType (TypeEventPlain,
// TypeEventJSON or TypeEventXML) into the compact form: one allocation
// holding the text and, after it, the span table, plus one for array
// values when there are any. c shares no memory with body.
func (d *EventDecoder) DecodeCompact(c *Compact, contentType string, body []byte) error {
	src, f, bs, be, err := d.scan(contentType, body, true)
	if err != nil {
		return err
	}
	text := len(src)
	off := (text + 3) &^ 3 // the span table goes after the text, 4-byte aligned
	size := text
	if d.narrow {
		size = off + len(d.nhs)*narrowSize
	} else if len(d.hs) > 0 {
		size = off + spanBytes(len(d.hs), text, len(d.elems))
	}
	a := newArena(src, size)
	d.trim()
	be = d.finish(a[:text], f, bs, be)
	var table []byte // room for the span table after the text, if any
	if size > off {
		table = a[off:size]
	}
	if d.narrow {
		c.setNarrow(d.nhs, table)
	} else {
		// finish may have added array values (ARRAY:: splits), which can
		// call for the wide form: setSpans then allocates the table.
		c.setSpans(d.hs, text, len(d.elems), table)
	}
	data := ""
	if text > 0 {
		// The arena is never written again from here on.
		data = unsafe.String(&a[0], text)
	}
	c.Data = data
	c.Arrays = d.arrays(data)
	c.Body = data[bs:be]
	c.HasBody = bs < text
	return nil
}

// Decode decodes body according to contentType (TypeEventPlain,
// TypeEventJSON or TypeEventXML) into ev. ev shares no memory with body.
func (d *EventDecoder) Decode(ev *Event, contentType string, body []byte) error {
	src, f, bs, be, err := d.scan(contentType, body, false)
	if err != nil {
		return err
	}
	a := newArena(src, len(src))
	d.trim()
	be = d.finish(a, f, bs, be)
	data := ""
	if len(a) > 0 {
		data = unsafe.String(&a[0], len(a))
	}
	arrays := d.arrays(data)
	ev.Body = data[bs:be]
	ev.HasBody = bs < len(a)
	ev.Headers = nil
	if len(d.hs) > 0 {
		ev.Headers = make(Headers, len(d.hs))
		for i, sp := range d.hs {
			ev.Headers[i] = headerAt(data, arrays, sp)
		}
	}
	return nil
}

// Plain decodes the body of a text/event-plain frame into ev (see Decode).
func (d *EventDecoder) Plain(ev *Event, b []byte) error { return d.Decode(ev, TypeEventPlain, b) }

// JSON decodes the body of a text/event-json frame into ev (see Decode).
func (d *EventDecoder) JSON(ev *Event, b []byte) error { return d.Decode(ev, TypeEventJSON, b) }

// XML decodes the body of a text/event-xml frame into ev (see Decode).
func (d *EventDecoder) XML(ev *Event, b []byte) error { return d.Decode(ev, TypeEventXML, b) }

var decoderPool = sync.Pool{New: func() any { return new(EventDecoder) }}
