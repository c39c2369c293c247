package wire

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// json parses a text/event-json body held in the arena a. The object is
// read token by token, never into a map, so repeated keys (FreeSWITCH sends
// Hangup-Cause twice in CHANNEL_HANGUP_COMPLETE) and key order survive.
// String values become headers (unescaped in place); an array of strings
// becomes an array header; numbers, true and false keep their literal
// text; null is an empty value. "_body" is the body, and a
// "Content-Length" key right before it is FreeSWITCH's body marker and is
// dropped.
func (d *EventDecoder) json(a []byte) (bs, be int, err error) {
	p := jsonParser{d: d, a: a}
	return p.object()
}

type jsonParser struct {
	d *EventDecoder
	a []byte
	i int
}

func (p *jsonParser) ws() {
	for p.i < len(p.a) {
		switch p.a[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) peek() byte {
	if p.i < len(p.a) {
		return p.a[p.i]
	}
	return 0
}

// object parses the whole input as one object and returns the body range.
func (p *jsonParser) object() (bs, be int, err error) {
	d := p.d
	bs, be = len(p.a), len(p.a)
	p.ws()
	if p.peek() != '{' {
		return 0, 0, ErrMalformedEvent
	}
	p.i++
	p.ws()
	if p.peek() == '}' {
		p.i++
	} else {
		for {
			p.ws()
			ns, ne, err := p.str()
			if err != nil {
				return 0, 0, err
			}
			p.ws()
			if p.peek() != ':' {
				return 0, 0, ErrMalformedEvent
			}
			p.i++
			p.ws()
			if bytesString(p.a[ns:ne]) == "_body" {
				if p.peek() != '"' {
					return 0, 0, ErrMalformedEvent
				}
				if bs, be, err = p.str(); err != nil {
					return 0, 0, err
				}
				if n := len(d.spans); n > 0 {
					if last := d.spans[n-1]; last.N == 0 && last.First == 0 &&
						EqualFold(bytesString(p.a[last.NameStart:last.NameEnd]), "Content-Length") {
						d.spans = d.spans[:n-1]
					}
				}
			} else if err := p.value(ns, ne); err != nil {
				return 0, 0, err
			}
			p.ws()
			c := p.peek()
			p.i++
			if c == '}' {
				break
			}
			if c != ',' {
				return 0, 0, ErrMalformedEvent
			}
		}
	}
	p.ws()
	if p.i != len(p.a) {
		return 0, 0, ErrMalformedEvent
	}
	return bs, be, nil
}

// value parses the value of the key at a[ns:ne) and records a header.
func (p *jsonParser) value(ns, ne int) error {
	d := p.d
	sp := span{NameStart: int32(ns), NameEnd: int32(ne)}
	switch c := p.peek(); {
	case c == '"':
		s, e, err := p.str()
		if err != nil {
			return err
		}
		sp.ValueStart, sp.ValueEnd = int32(s), int32(e)
	case c == '[':
		p.i++
		sp.First = int32(len(d.elems))
		p.ws()
		if p.peek() == ']' {
			p.i++
			sp.First = -1 // an empty array
			sp.ValueStart, sp.ValueEnd = int32(ne), int32(ne)
			break
		}
		for {
			p.ws()
			if p.peek() != '"' {
				return ErrMalformedEvent
			}
			s, e, err := p.str()
			if err != nil {
				return err
			}
			d.elems = append(d.elems, elem{int32(s), int32(e)})
			sp.N++
			p.ws()
			c := p.peek()
			p.i++
			if c == ']' {
				break
			}
			if c != ',' {
				return ErrMalformedEvent
			}
		}
		first := d.elems[sp.First]
		sp.ValueStart, sp.ValueEnd = first.s, first.e
	case c == 'n':
		if !bytes.HasPrefix(p.a[p.i:], []byte("null")) {
			return ErrMalformedEvent
		}
		p.i += 4
		sp.ValueStart, sp.ValueEnd = int32(ne), int32(ne)
	default:
		// A number, true or false: keep the literal text.
		s := p.i
		for p.i < len(p.a) {
			c := p.a[p.i]
			if c == '-' || c == '+' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				p.i++
				continue
			}
			break
		}
		if s == p.i || !jsonLiteral(p.a[s:p.i]) {
			return ErrMalformedEvent
		}
		sp.ValueStart, sp.ValueEnd = int32(s), int32(p.i)
	}
	d.spans = append(d.spans, sp)
	return nil
}

func jsonLiteral(b []byte) bool {
	switch string(b) {
	case "true", "false":
		return true
	}
	_, err := strconv.ParseFloat(string(b), 64)
	return err == nil && b[0] != '+' && b[0] != '.'
}

// str parses the JSON string at p.i, unescaping it in place (every escape
// is longer than what it stands for), and returns where its text is. Raw
// control bytes are accepted, as cJSON does.
func (p *jsonParser) str() (start, end int, err error) {
	a := p.a
	if p.peek() != '"' {
		return 0, 0, ErrMalformedEvent
	}
	start = p.i + 1
	q := bytes.IndexByte(a[start:], '"')
	if q < 0 {
		return 0, 0, ErrMalformedEvent
	}
	k := bytes.IndexByte(a[start:start+q], '\\')
	if k < 0 { // the common case: nothing to unescape
		p.i = start + q + 1
		return start, start + q, nil
	}
	w, r := start+k, start+k // write and read positions, w <= r
	for {
		// Copy the run up to the next quote or backslash.
		j := r
		for j < len(a) && a[j] != '"' && a[j] != '\\' {
			j++
		}
		w += copy(a[w:], a[r:j])
		r = j
		if r >= len(a) {
			return 0, 0, ErrMalformedEvent
		}
		if a[r] == '"' {
			p.i = r + 1
			return start, w, nil
		}
		if r+1 >= len(a) {
			return 0, 0, ErrMalformedEvent
		}
		e := a[r+1]
		r += 2
		switch e {
		case '"', '\\', '/':
			a[w] = e
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
			c, ok := hex4(a, r)
			if !ok {
				return 0, 0, ErrMalformedEvent
			}
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
		default:
			return 0, 0, ErrMalformedEvent
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
