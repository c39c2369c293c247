package wire

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanJSON validates and indexes a text/event-json body without writing
// to it. The object is read token by token, never into a map, so repeated
// keys (FreeSWITCH sends Hangup-Cause twice in CHANNEL_HANGUP_COMPLETE)
// and key order survive. String values become headers; an array of
// strings becomes an array header; numbers, true and false keep their
// literal text; null is an empty value. "_body" is the body, and a
// "Content-Length" key right before it is FreeSWITCH's body marker and is
// dropped. Strings with escapes get a fixup, as do string values in the
// "ARRAY::" form.
func (d *EventDecoder) scanJSON(b []byte) (bs, be int, err error) {
	bs, be = len(b), len(b)
	d.bsl = -1
	i := jsonWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return 0, 0, ErrMalformedEvent
	}
	i = jsonWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			if j := d.jsonHeader(b, i); j >= 0 {
				i = j
			} else {
				if i, err = d.jsonMember(b, i, &bs, &be); err != nil {
					return 0, 0, err
				}
			}
			i = jsonWS(b, i)
			if i >= len(b) {
				return 0, 0, ErrMalformedEvent
			}
			c := b[i]
			i++
			if c == '}' {
				break
			}
			if c != ',' {
				return 0, 0, ErrMalformedEvent
			}
		}
	}
	if jsonWS(b, i) != len(b) {
		return 0, 0, ErrMalformedEvent
	}
	return bs, be, nil
}

// jsonHeader scans the usual member at b[i:], "name":"value" with no
// whitespace and no escapes and a name other than "_body", records it as
// a header and returns the position after it; otherwise it returns -1,
// having recorded nothing, for jsonMember. One call per header instead of
// one per string keeps the scan's calls down to its two searches.
func (d *EventDecoder) jsonHeader(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	ns := i + 1
	q := bytes.IndexByte(b[ns:], '"')
	ne := ns + q
	if q < 0 || d.bsl < ne || ne+2 >= len(b) || b[ne+1] != ':' || b[ne+2] != '"' || string(b[ns:ne]) == "_body" {
		return -1
	}
	s := ne + 3
	q = bytes.IndexByte(b[s:], '"')
	e := s + q
	if q < 0 || d.bsl < e {
		return -1
	}
	if isArrayForm(b[s:e]) {
		d.fix = append(d.fix, fixup{int32(d.nspans()), fixValue})
	}
	if d.narrow {
		d.nhs = append(d.nhs, narrowSpan{uint16(ns), uint16(ne), uint16(s), uint16(e)})
	} else {
		d.hs = append(d.hs, Span{NameStart: int32(ns), NameEnd: int32(ne), ValueStart: int32(s), ValueEnd: int32(e)})
	}
	return e + 1
}

// jsonMember scans any member at b[i:] (after whitespace) and returns the
// position after it: "_body" sets the body range, anything else becomes a
// header.
func (d *EventDecoder) jsonMember(b []byte, i int, bs, be *int) (int, error) {
	i = jsonWS(b, i)
	ns, ne, j, esc, err := d.jsonString(b, i)
	if err != nil {
		return 0, err
	}
	if i = jsonWS(b, j); i >= len(b) || b[i] != ':' {
		return 0, ErrMalformedEvent
	}
	i = jsonWS(b, i+1)
	if string(d.jsonKey(b[ns:ne], esc)) == "_body" {
		if i >= len(b) || b[i] != '"' {
			return 0, ErrMalformedEvent
		}
		if *bs, *be, i, d.bodyFix, err = d.jsonString(b, i); err != nil {
			return 0, err
		}
		d.dropBodyMarker(b)
		return i, nil
	}
	return d.jsonValue(b, i, ns, ne, esc)
}

// jsonKey returns key unescaped (into scratch space) when it has escapes.
func (d *EventDecoder) jsonKey(key []byte, esc bool) []byte {
	if !esc {
		return key
	}
	d.small = append(d.small[:0], key...)
	return jsonUnescape(d.small)
}

// dropBodyMarker drops the last header when it is a scalar called
// Content-Length: the body length FreeSWITCH writes before "_body".
func (d *EventDecoder) dropBodyMarker(b []byte) {
	n := d.nspans()
	if n == 0 {
		return
	}
	last := d.spanAt(n - 1)
	if last.ValueEnd < 0 {
		return
	}
	named := false
	for _, x := range d.fix {
		named = named || x.kind == fixName && x.idx == int32(n-1)
	}
	if !EqualFold(bytesString(d.jsonKey(b[last.NameStart:last.NameEnd], named)), "Content-Length") {
		return
	}
	d.dropLast()
	for k := len(d.fix); k > 0 && d.fix[k-1].kind != fixElem && d.fix[k-1].idx == int32(n-1); k-- {
		d.fix = d.fix[:k-1]
	}
}

// jsonValue scans the value at b[i:] of the key at b[ns:ne] (esc: the key
// has escapes), records a header and returns the position after the value.
func (d *EventDecoder) jsonValue(b []byte, i, ns, ne int, esc bool) (int, error) {
	idx := int32(d.nspans())
	if esc {
		d.fix = append(d.fix, fixup{idx, fixName})
	}
	sp := Span{NameStart: int32(ns), NameEnd: int32(ne)}
	if i >= len(b) {
		return 0, ErrMalformedEvent
	}
	switch c := b[i]; {
	case c == '"':
		s, e, j, esc, err := d.jsonString(b, i)
		if err != nil {
			return 0, err
		}
		if esc || isArrayForm(b[s:e]) {
			d.fix = append(d.fix, fixup{idx, fixValue})
		}
		sp.ValueStart, sp.ValueEnd = int32(s), int32(e)
		i = j
	case c == '[':
		first := len(d.elems)
		if i = jsonWS(b, i+1); i < len(b) && b[i] == ']' {
			i++
			sp.ValueStart, sp.ValueEnd = 0, -1 // an empty array
			break
		}
		for {
			i = jsonWS(b, i)
			s, e, j, esc, err := d.jsonString(b, i)
			if err != nil {
				return 0, err
			}
			if esc {
				d.fix = append(d.fix, fixup{int32(len(d.elems)), fixElem})
			}
			d.elems = append(d.elems, elem{int32(s), int32(e)})
			if i = jsonWS(b, j); i >= len(b) {
				return 0, ErrMalformedEvent
			}
			c := b[i]
			i++
			if c == ']' {
				break
			}
			if c != ',' {
				return 0, ErrMalformedEvent
			}
		}
		sp.ValueStart, sp.ValueEnd = int32(first), -int32(len(d.elems)-first)-1
	case c == 'n':
		if !bytes.HasPrefix(b[i:], []byte("null")) {
			return 0, ErrMalformedEvent
		}
		i += 4
		sp.ValueStart, sp.ValueEnd = int32(ne), int32(ne)
	default:
		// A number, true or false: keep the literal text.
		s := i
		for i < len(b) {
			c := b[i]
			if c == '-' || c == '+' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				i++
				continue
			}
			break
		}
		if s == i || !jsonLiteral(b[s:i]) {
			return 0, ErrMalformedEvent
		}
		sp.ValueStart, sp.ValueEnd = int32(s), int32(i)
	}
	d.addSpan(sp)
	return i, nil
}

// jsonWS returns the position of the first non-whitespace byte at or
// after i.
func jsonWS(b []byte, i int) int {
	// FreeSWITCH writes its JSON unformatted: one test settles the usual
	// case (every whitespace byte is at most ' ').
	if i < len(b) && b[i] > ' ' {
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func jsonLiteral(b []byte) bool {
	switch string(b) {
	case "true", "false":
		return true
	}
	_, err := strconv.ParseFloat(string(b), 64)
	return err == nil && b[0] != '+' && b[0] != '.'
}

// jsonString validates the JSON string at b[i:] and returns where its raw
// text is, the position after its closing quote and whether it has
// escapes. Raw control bytes are accepted, as cJSON does. Backslashes are
// rare, so rather than searching every string for one, d.bsl remembers
// where the next one is (no backslash lies between the scan position and
// it).
func (d *EventDecoder) jsonString(b []byte, i int) (start, end, next int, esc bool, err error) {
	if i >= len(b) || b[i] != '"' {
		return 0, 0, 0, false, ErrMalformedEvent
	}
	start = i + 1
	q := bytes.IndexByte(b[start:], '"')
	if q < 0 {
		return 0, 0, 0, false, ErrMalformedEvent
	}
	if d.bsl < start {
		// No backslash is known ahead: find the next one, wherever it is.
		if k := bytes.IndexByte(b[start:], '\\'); k >= 0 {
			d.bsl = start + k
		} else {
			d.bsl = len(b)
		}
	}
	if d.bsl >= start+q { // the common case: nothing to unescape
		return start, start + q, start + q + 1, false, nil
	}
	r := d.bsl
	for {
		for r < len(b) && b[r] != '"' && b[r] != '\\' {
			r++
		}
		if r >= len(b) || r+1 >= len(b) && b[r] == '\\' {
			return 0, 0, 0, false, ErrMalformedEvent
		}
		if b[r] == '"' {
			return start, r, r + 1, true, nil
		}
		switch b[r+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			r += 2
		case 'u':
			if _, ok := hex4(b, r+2); !ok {
				return 0, 0, 0, false, ErrMalformedEvent
			}
			r += 6
		default:
			return 0, 0, 0, false, ErrMalformedEvent
		}
	}
}

// jsonUnescape decodes the escapes of a's raw JSON string text (already
// validated by jsonString) over a itself, and returns the result: every
// escape is longer than what it stands for.
func jsonUnescape(a []byte) []byte {
	k := bytes.IndexByte(a, '\\')
	if k < 0 {
		return a
	}
	w, r := k, k // write and read positions, w <= r
	for {
		j := bytes.IndexByte(a[r:], '\\')
		if j < 0 {
			w += copy(a[w:], a[r:])
			return a[:w]
		}
		w += copy(a[w:], a[r:r+j])
		r += j
		e := a[r+1]
		r += 2
		switch e {
		case 'b':
			a[w] = '\b'
		case 'f':
			a[w] = '\f'
		case 'n':
			a[w] = '\n'
		case 'r':
			a[w] = '\r'
		case 't':
			a[w] = '\t'
		case 'u':
			c, _ := hex4(a, r)
			r += 4
			if utf16.IsSurrogate(c) {
				// A high surrogate followed by \uDC00-\uDFFF is one rune.
				dec := utf8.RuneError
				if r+1 < len(a) && a[r] == '\\' && a[r+1] == 'u' {
					if c2, ok := hex4(a, r+2); ok {
						if dec = utf16.DecodeRune(c, c2); dec != utf8.RuneError {
							r += 6
						}
					}
				}
				c = dec
			}
			w += len(utf8.AppendRune(a[w:w], c))
			continue
		default: // '"', '\\', '/'
			a[w] = e
		}
		w++
	}
}

func hex4(a []byte, i int) (rune, bool) {
	if i+4 > len(a) {
		return 0, false
	}
	var r rune
	for _, c := range a[i : i+4] {
		h, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	return r, true
}

// AppendJSON appends ev serialised as FreeSWITCH's text/event-json body
// (switch_event_serialize_json, printed unformatted by cJSON): one object,
// keys in header order (repeats kept), every value a string, array headers
// as arrays of strings, and when the body is non-empty (or HasBody is set)
// a trailing "Content-Length" (a string) and "_body".
func AppendJSON(dst []byte, ev *Event) []byte {
	return appendJSON(dst, headerSlice(ev.Headers), ev.Body, ev.HasBody)
}

// AppendJSONCompact is AppendJSON for the compact form.
func AppendJSONCompact(dst []byte, c *Compact) []byte { return appendJSON(dst, c, c.Body, c.HasBody) }

func appendJSON[H headerList](dst []byte, hs H, body string, hasBody bool) []byte {
	dst = append(dst, '{')
	for i := range hs.Len() {
		h := hs.Header(i)
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, h.Name)
		dst = append(dst, ':')
		if h.Array != nil {
			dst = append(dst, '[')
			for j, v := range h.Array {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendJSONString(dst, v)
			}
			dst = append(dst, ']')
			continue
		}
		dst = appendJSONString(dst, h.Value)
	}
	if body != "" || hasBody {
		if hs.Len() > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"Content-Length":"`...)
		dst = strconv.AppendInt(dst, int64(len(body)), 10)
		dst = append(dst, `","_body":`...)
		dst = appendJSONString(dst, body)
	}
	return append(dst, '}')
}

const lowerHex = "0123456789abcdef"

// appendJSONString quotes s as cJSON's print_string_ptr does: only '"',
// '\\' and bytes below 0x20 are escaped (short forms for \b \f \n \r \t,
// \u00xx in lowercase hex otherwise); '/' and non-ASCII bytes are raw.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		start = i + 1
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&15])
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendJSONString appends s as a JSON string quoted the way FreeSWITCH's
// cJSON does (see AppendJSON).
func AppendJSONString(dst []byte, s string) []byte { return appendJSONString(dst, s) }
