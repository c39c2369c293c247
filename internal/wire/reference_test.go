package wire

// The decoder as it was before the single-pass plain and JSON scanners:
// copy the body into an arena, then parse and decode it in place. It is
// kept here, unchanged in behaviour, as the oracle that the fuzz targets
// compare the fast decoder against.

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// refDecoder is the reference decoder's scratch space.
type refDecoder struct {
	spans []refSpan
	elems []refElem
}

func (d *refDecoder) refXML(a []byte) (int, int, error) { return 0, 0, ErrUnknownFormat }

// refDecode decodes a plain or JSON event body the old way.
func refDecode(contentType string, b []byte) (*Event, error) {
	var d refDecoder
	ev := new(Event)
	if err := d.Decode(ev, contentType, b); err != nil {
		return nil, err
	}
	return ev, nil
}

// refSpan is a header found while parsing: name and (first) value ranges in
// the arena, and for an array header n values d.elems[first:first+n]
// (first == -1 with n == 0 marks an empty array).
type refSpan struct {
	NameStart, NameEnd   int32
	ValueStart, ValueEnd int32
	First, N             int32
}

// refElem is the range of one array value in the arena.
type refElem struct{ s, e int32 }

// Decode decodes body according to contentType (TypeEventPlain,
// TypeEventJSON or TypeEventXML) into ev.
func (d *refDecoder) Decode(ev *Event, contentType string, body []byte) error {
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

// parse copies body into a fresh arena with room for spans more headers'
// offsets and parses it in place.
func (d *refDecoder) parse(contentType string, body []byte, spans int) (a []byte, bs, be int, err error) {
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
		bs, be, err = d.refXML(a)
	default:
		err = ErrUnknownFormat
	}
	return a, bs, be, err
}

// publish splits "ARRAY::" values into array values and returns the arena
// as a string; the arena is never written again.
func (d *refDecoder) publish(a []byte) string { return d.publishText(a) }

// publishText is publish for the text part of an arena whose tail may hold
// the refSpan table (written before the Compact is handed out, never after).
func (d *refDecoder) publishText(a []byte) string {
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
func (d *refDecoder) splitArray(a []byte, sp *refSpan) {
	s, e := int(sp.ValueStart)+len(arrayPrefix), int(sp.ValueEnd)
	sp.First = int32(len(d.elems))
	for {
		k := bytes.Index(a[s:e], []byte("|:"))
		if k < 0 {
			d.elems = append(d.elems, refElem{int32(s), int32(e)})
			sp.N++
			break
		}
		d.elems = append(d.elems, refElem{int32(s), int32(s + k)})
		sp.N++
		s += k + 2
	}
	first := d.elems[sp.First]
	sp.ValueStart, sp.ValueEnd = first.s, first.e
}

func (d *refDecoder) arrays(data string) []string {
	if len(d.elems) == 0 {
		return nil
	}
	out := make([]string, len(d.elems))
	for i, e := range d.elems {
		out[i] = data[e.s:e.e]
	}
	return out
}

// plain parses a text/event-plain body held in the arena a: header lines
// "Name: value" with percent-encoded values (decoded in place) up to a
// blank line; when the last header is a non-zero Content-Length, that many
// bytes after the blank line are the body and that header is the body
// marker, not a header.
func (d *refDecoder) plain(a []byte) (bs, be int, err error) {
	pos := 0
	for pos < len(a) {
		end := len(a)
		next := len(a)
		if i := bytes.IndexByte(a[pos:], '\n'); i >= 0 {
			end = pos + i
			next = end + 1
		}
		if end > pos && a[end-1] == '\r' {
			end--
		}
		if end == pos {
			pos = next
			break
		}
		c := bytes.IndexByte(a[pos:end], ':')
		if c <= 0 {
			return 0, 0, ErrMalformedHeader
		}
		vs := pos + c + 1
		for vs < end && (a[vs] == ' ' || a[vs] == '\t') {
			vs++
		}
		ve := end
		if k := bytes.IndexByte(a[vs:ve], '%'); k >= 0 {
			ve = vs + k + len(refPercentDecode(a[vs+k:vs+k], a[vs+k:ve]))
		}
		d.spans = append(d.spans, refSpan{NameStart: int32(pos), NameEnd: int32(pos + c), ValueStart: int32(vs), ValueEnd: int32(ve)})
		pos = next
	}
	rest := a[pos:]
	if n := len(d.spans); n > 0 {
		last := d.spans[n-1]
		if EqualFold(bytesString(a[last.NameStart:last.NameEnd]), "Content-Length") {
			cl, err := ParseContentLength(bytesString(a[last.ValueStart:last.ValueEnd]))
			switch {
			case err != nil && len(rest) > 0:
				return 0, 0, err
			case err != nil || cl == 0:
				// A real header that happens to be last; FreeSWITCH never
				// writes a marker for an empty body.
			case cl > len(rest):
				return 0, 0, ErrMalformedEvent
			default:
				d.spans = d.spans[:n-1]
				return pos, pos + cl, nil
			}
		}
	}
	return len(a), len(a), nil
}

// json parses a text/event-json body held in the arena a. The object is
// read token by token, never into a map, so repeated keys (FreeSWITCH sends
// Hangup-Cause twice in CHANNEL_HANGUP_COMPLETE) and key order survive.
// String values become headers (unescaped in place); an array of strings
// becomes an array header; numbers, true and false keep their literal
// text; null is an empty value. "_body" is the body, and a
// "Content-Length" key right before it is FreeSWITCH's body marker and is
// dropped.
func (d *refDecoder) json(a []byte) (bs, be int, err error) {
	p := refJSONParser{d: d, a: a}
	return p.object()
}

type refJSONParser struct {
	d *refDecoder
	a []byte
	i int
}

func (p *refJSONParser) ws() {
	for p.i < len(p.a) {
		switch p.a[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *refJSONParser) peek() byte {
	if p.i < len(p.a) {
		return p.a[p.i]
	}
	return 0
}

// object parses the whole input as one object and returns the body range.
func (p *refJSONParser) object() (bs, be int, err error) {
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
func (p *refJSONParser) value(ns, ne int) error {
	d := p.d
	sp := refSpan{NameStart: int32(ns), NameEnd: int32(ne)}
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
			d.elems = append(d.elems, refElem{int32(s), int32(e)})
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

// str parses the JSON string at p.i, unescaping it in place (every escape
// is longer than what it stands for), and returns where its text is. Raw
// control bytes are accepted, as cJSON does.
func (p *refJSONParser) str() (start, end int, err error) {
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

// TestCapturesMatchReference decodes every plain and JSON event of every
// capture with both decoders.
func TestCapturesMatchReference(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "freeswitch", "*", "server.bin"))
	n := 0
	for _, p := range dirs {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r := NewReader(bytes.NewReader(raw), Limits{})
		for {
			f, err := r.ReadFrame()
			if err != nil {
				break
			}
			if ct := f.ContentType(); ct == TypeEventPlain || ct == TypeEventJSON {
				checkMatchesReference(t, ct, f.Body)
				n++
			}
		}
	}
	if n < 9000 {
		t.Fatalf("only %d events checked", n)
	}
}

// refPercentDecode is PercentDecode as it was: one IndexByte per escape.
func refPercentDecode(dst, s []byte) []byte {
	for {
		k := bytes.IndexByte(s, '%')
		if k < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:k]...)
		s = s[k:]
		if len(s) >= 3 {
			if h, ok := unhex(s[1]); ok {
				if l, ok := unhex(s[2]); ok {
					dst = append(dst, h<<4|l)
					s = s[3:]
					continue
				}
			}
		}
		dst = append(dst, '%')
		s = s[1:]
	}
}

// FuzzPercentDecode compares PercentDecode, appending and in place, with
// the reference.
func FuzzPercentDecode(f *testing.F) {
	for _, s := range percentSamples {
		f.Add([]byte(s), 0)
	}
	f.Add([]byte("%%41%4%g1%7e%7E%"), 3)
	f.Fuzz(func(t *testing.T, in []byte, pre int) {
		want := refPercentDecode([]byte("x"), in)
		if got := PercentDecode([]byte("x"), in); !bytes.Equal(got, want) {
			t.Fatalf("PercentDecode(%q) = %q, want %q", in, got, want)
		}
		pre = min(max(pre, 0), len(in))
		v := bytes.Clone(in)
		wantIn := refPercentDecode(bytes.Clone(in[:pre]), in[pre:])
		if got := PercentDecode(v[:pre], v[pre:]); !bytes.Equal(got, wantIn) {
			t.Fatalf("in place after %d bytes: %q, want %q", pre, got, wantIn)
		}
		v = bytes.Clone(in)
		if got := percentDecodeInPlace(v); !bytes.Equal(got, want[1:]) {
			t.Fatalf("percentDecodeInPlace(%q) = %q, want %q", in, got, want[1:])
		}
	})
}
