package wire

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON decodes the body of a text/event-json frame into ev. The object is
// read token by token, never into a map, so repeated keys (FreeSWITCH sends
// Hangup-Cause twice in CHANNEL_HANGUP_COMPLETE) and key order survive.
// String values become headers; an array of strings becomes an array
// header; numbers, true and false keep their literal text; null is an empty
// value. "_body" is the body, and a "Content-Length" key right before it is
// FreeSWITCH's body marker and is dropped.
func (d *EventDecoder) JSON(ev *Event, b []byte) error {
	d.begin(len(b))
	p := jsonParser{d: d, b: b}
	bs, be, err := p.object()
	if err != nil {
		d.arena = nil
		return err
	}
	d.finish(ev, bs, be)
	return nil
}

type jsonParser struct {
	d *EventDecoder
	b []byte
	i int
}

func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// object parses the whole input as one object and returns the body range
// in the arena.
func (p *jsonParser) object() (bs, be int, err error) {
	d := p.d
	p.ws()
	if p.peek() != '{' {
		return 0, 0, ErrMalformedEvent
	}
	p.i++
	p.ws()
	hasBody := false
	if p.peek() == '}' {
		p.i++
	} else {
		for {
			p.ws()
			ns := len(d.arena)
			if err := p.str(); err != nil {
				return 0, 0, err
			}
			ne := len(d.arena)
			p.ws()
			if p.peek() != ':' {
				return 0, 0, ErrMalformedEvent
			}
			p.i++
			p.ws()
			if bytesString(d.arena[ns:ne]) == "_body" {
				d.arena = d.arena[:ns] // the key is not a header
				if p.peek() != '"' {
					return 0, 0, ErrMalformedEvent
				}
				bs = len(d.arena)
				if err := p.str(); err != nil {
					return 0, 0, err
				}
				be = len(d.arena)
				hasBody = true
				if n := len(d.spans); n > 0 {
					if last := d.spans[n-1]; last.elems == 0 && last.first == 0 &&
						EqualFold(bytesString(d.arena[last.ns:last.ne]), "Content-Length") {
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
	if p.i != len(p.b) {
		return 0, 0, ErrMalformedEvent
	}
	if !hasBody {
		bs, be = len(d.arena), len(d.arena)
	}
	return bs, be, nil
}

// value parses the value of the key at arena[ns:ne) and records a header.
func (p *jsonParser) value(ns, ne int) error {
	d := p.d
	sp := span{ns: int32(ns), ne: int32(ne)}
	switch c := p.peek(); {
	case c == '"':
		sp.vs = int32(len(d.arena))
		if err := p.str(); err != nil {
			return err
		}
		sp.ve = int32(len(d.arena))
	case c == '[':
		p.i++
		sp.first = int32(len(d.elems))
		p.ws()
		if p.peek() == ']' {
			p.i++
			sp.first = -1 // an empty array
			break
		}
		for {
			p.ws()
			if p.peek() != '"' {
				return ErrMalformedEvent
			}
			s := len(d.arena)
			if err := p.str(); err != nil {
				return err
			}
			d.elems = append(d.elems, elem{int32(s), int32(len(d.arena))})
			sp.elems++
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
	case c == 'n':
		if !bytes.HasPrefix(p.b[p.i:], []byte("null")) {
			return ErrMalformedEvent
		}
		p.i += 4
		sp.vs, sp.ve = int32(len(d.arena)), int32(len(d.arena))
	default:
		// A number, true or false: keep the literal text.
		s := p.i
		for p.i < len(p.b) {
			c := p.b[p.i]
			if c == '-' || c == '+' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				p.i++
				continue
			}
			break
		}
		lit := p.b[s:p.i]
		if len(lit) == 0 || !jsonLiteral(lit) {
			return ErrMalformedEvent
		}
		sp.vs = int32(len(d.arena))
		d.arena = append(d.arena, lit...)
		sp.ve = int32(len(d.arena))
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

// str parses a JSON string at p.i and appends its unescaped bytes to the
// arena. Raw control bytes are accepted, as cJSON does.
func (p *jsonParser) str() error {
	if p.peek() != '"' {
		return ErrMalformedEvent
	}
	p.i++
	d := p.d
	for {
		// Copy the run up to the next quote or backslash in one go.
		rest := p.b[p.i:]
		j := 0
		for j < len(rest) && rest[j] != '"' && rest[j] != '\\' {
			j++
		}
		d.arena = append(d.arena, rest[:j]...)
		p.i += j
		if p.i >= len(p.b) {
			return ErrMalformedEvent
		}
		if p.b[p.i] == '"' {
			p.i++
			return nil
		}
		// Backslash escape.
		if p.i+1 >= len(p.b) {
			return ErrMalformedEvent
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			d.arena = append(d.arena, e)
		case 'b':
			d.arena = append(d.arena, '\b')
		case 'f':
			d.arena = append(d.arena, '\f')
		case 'n':
			d.arena = append(d.arena, '\n')
		case 'r':
			d.arena = append(d.arena, '\r')
		case 't':
			d.arena = append(d.arena, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return ErrMalformedEvent
			}
			if utf16.IsSurrogate(r) {
				// A high surrogate followed by \uDC00-\uDFFF is one rune.
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					r2, ok := p.hex4()
					if ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							d.arena = utf8.AppendRune(d.arena, dec)
							continue
						}
					}
					p.i = save
				}
				r = utf8.RuneError
			}
			d.arena = utf8.AppendRune(d.arena, r)
		default:
			return ErrMalformedEvent
		}
	}
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		h, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	p.i += 4
	return r, true
}

// AppendJSON appends ev serialised as FreeSWITCH's text/event-json body
// (switch_event_serialize_json, printed unformatted by cJSON): one object,
// keys in header order (repeats kept), every value a string, array headers
// as arrays of strings, and when the body is non-empty a trailing
// "Content-Length" (a string) and "_body".
func AppendJSON(dst []byte, ev *Event) []byte {
	dst = append(dst, '{')
	for i := range ev.Headers {
		h := &ev.Headers[i]
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
	if ev.Body != "" {
		if len(ev.Headers) > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"Content-Length":"`...)
		dst = strconv.AppendInt(dst, int64(len(ev.Body)), 10)
		dst = append(dst, `","_body":`...)
		dst = appendJSONString(dst, ev.Body)
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
