package wire

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// xml parses a text/event-xml body held in a, the decoder's own copy of it:
//
//	<event><headers><Name>text</Name>…</headers>
//	<Content-Length>N</Content-Length><body>text</body></event>
//
// Header text is entity-decoded and then percent-decoded (FreeSWITCH
// URL-encodes it before escaping), both in place. Adjacent elements with
// the same name are the values of one array header, which is how
// FreeSWITCH writes arrays. Body text is entity-decoded up to the first
// "<!", after which FreeSWITCH copies it verbatim; the indentation
// FreeSWITCH puts before </body> when the body ends with a newline is
// removed.
func (d *EventDecoder) xml(a []byte) (bs, be int, err error) {
	i := skipWS(a, 0)
	if bytes.HasPrefix(a[i:], []byte("<?")) { // a prolog, in case someone adds one
		j := bytes.Index(a[i:], []byte("?>"))
		if j < 0 {
			return 0, 0, ErrMalformedEvent
		}
		i += j + 2
	}
	var ok bool
	if i, ok = expect(a, i, "<event>"); !ok {
		return 0, 0, ErrMalformedEvent
	}
	if j, ok := expect(a, i, "<headers/>"); ok {
		i = j
	} else {
		if i, ok = expect(a, i, "<headers>"); !ok {
			return 0, 0, ErrMalformedEvent
		}
		for {
			i = skipWS(a, i)
			if j, ok := expect(a, i, "</headers>"); ok {
				i = j
				break
			}
			sp, j, err := xmlElement(a, i)
			if err != nil {
				return 0, 0, err
			}
			i = j
			d.addXMLHeader(a, sp)
		}
	}
	bs, be = len(a), len(a)
	i = skipWS(a, i)
	if bytes.HasPrefix(a[i:], []byte("<Content-Length>")) {
		_, j, err := xmlElement(a, i)
		if err != nil {
			return 0, 0, err
		}
		i = skipWS(a, j)
	}
	if bytes.HasPrefix(a[i:], []byte("<body>")) {
		i += len("<body>")
		end := bytes.LastIndex(a[i:], []byte("</body>"))
		if end < 0 {
			return 0, 0, ErrMalformedEvent
		}
		raw := a[i : i+end]
		bs = i
		i += end + len("</body>")
		// FreeSWITCH indents the closing tag when the text ends with LF.
		if n := len(raw); n >= 3 && raw[n-3] == '\n' && raw[n-2] == ' ' && raw[n-1] == ' ' {
			raw = raw[:n-2]
		}
		be = bs + len(xmlUnescape(raw[:0], raw, true))
	} else if bytes.HasPrefix(a[i:], []byte("<body/>")) {
		i += len("<body/>")
	}
	if i, ok = expect(a, i, "</event>"); !ok {
		return 0, 0, ErrMalformedEvent
	}
	if skipWS(a, i) != len(a) {
		return 0, 0, ErrMalformedEvent
	}
	return bs, be, nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// expect consumes lit at b[i:] after optional white space.
func expect(b []byte, i int, lit string) (int, bool) {
	i = skipWS(b, i)
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

// xmlElement parses <Name>text</Name> (or <Name/>) at a[i:], decoding the
// text in place, and returns where its name and value are.
func xmlElement(a []byte, i int) (sp Span, next int, err error) {
	if i >= len(a) || a[i] != '<' {
		return sp, 0, ErrMalformedEvent
	}
	i++
	j := bytes.IndexByte(a[i:], '>')
	if j <= 0 {
		return sp, 0, ErrMalformedEvent
	}
	name := a[i : i+j]
	ns := i
	i += j + 1
	selfClosing := name[len(name)-1] == '/'
	if selfClosing {
		name = name[:len(name)-1]
	}
	// FreeSWITCH writes header names as element names unchecked, so any
	// name is taken; the matching close tag below keeps the structure.
	if len(name) == 0 {
		return sp, 0, ErrMalformedEvent
	}
	sp = Span{NameStart: int32(ns), NameEnd: int32(ns + len(name)), ValueStart: int32(i), ValueEnd: int32(i)}
	if selfClosing {
		return sp, i, nil
	}
	k := bytes.IndexByte(a[i:], '<')
	if k < 0 {
		return sp, 0, ErrMalformedEvent
	}
	text := a[i : i+k]
	close := i + k
	if len(a)-close < len(name)+3 || a[close+1] != '/' || !bytes.Equal(a[close+2:close+2+len(name)], name) || a[close+2+len(name)] != '>' {
		return sp, 0, ErrMalformedEvent
	}
	next = close + len(name) + 3
	if bytes.IndexByte(text, '&') >= 0 {
		text = xmlUnescape(text[:0], text, false)
	}
	if bytes.IndexByte(text, '%') >= 0 {
		text = percentDecodeInPlace(text)
	}
	sp.ValueEnd = sp.ValueStart + int32(len(text))
	return sp, next, nil
}

// addXMLHeader records a header, folding it into the previous header as an
// array value when both have the same name.
func (d *EventDecoder) addXMLHeader(a []byte, sp Span) {
	if n := len(d.hs); n > 0 {
		last := &d.hs[n-1]
		if bytes.Equal(a[last.NameStart:last.NameEnd], a[sp.NameStart:sp.NameEnd]) {
			if last.ValueEnd >= 0 { // a second value: the header becomes an array
				first := int32(len(d.elems))
				d.elems = append(d.elems, elem{last.ValueStart, last.ValueEnd})
				last.ValueStart, last.ValueEnd = first, -2
			}
			d.elems = append(d.elems, elem{sp.ValueStart, sp.ValueEnd})
			last.ValueEnd-- // one more value: ValueEnd is -count-1
			return
		}
	}
	d.hs = append(d.hs, sp)
}

// xmlUnescape appends text with its entity and character references
// decoded; dst may be text[:0] to decode in place (a reference is always
// longer than what it stands for). For body text (body true) everything
// from the first "<!" on is copied verbatim, mirroring FreeSWITCH's
// encoder. Unknown or malformed references are copied as they are.
func xmlUnescape(dst, text []byte, body bool) []byte {
	immune := len(text)
	if body {
		if k := bytes.Index(text, []byte("<!")); k >= 0 {
			immune = k
		}
	}
	t := text[:immune]
	for {
		k := bytes.IndexByte(t, '&')
		if k < 0 {
			dst = append(dst, t...)
			break
		}
		dst = append(dst, t[:k]...)
		t = t[k:]
		semi := bytes.IndexByte(t, ';')
		if semi < 0 || semi > 12 {
			dst = append(dst, '&')
			t = t[1:]
			continue
		}
		ref := t[1:semi]
		var c byte
		switch string(ref) {
		case "amp":
			c = '&'
		case "lt":
			c = '<'
		case "gt":
			c = '>'
		case "quot":
			c = '"'
		case "apos":
			c = '\''
		default:
			r, ok := charRef(ref)
			if !ok {
				dst = append(dst, '&')
				t = t[1:]
				continue
			}
			t = t[semi+1:]
			dst = utf8.AppendRune(dst, r)
			continue
		}
		t = t[semi+1:]
		dst = append(dst, c)
	}
	return append(dst, text[immune:]...)
}

// charRef parses "#xHEX" or "#DEC".
func charRef(ref []byte) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	base := 10
	digits := ref[1:]
	if digits[0] == 'x' || digits[0] == 'X' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 || len(digits) > 8 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil || n > utf8.MaxRune {
		return 0, false
	}
	return rune(n), true
}

// AppendXML appends ev serialised as FreeSWITCH's text/event-xml body
// (switch_event_xmlize printed by switch_xml_toxml): two-space indentation,
// header values percent-encoded and then escaped, one element per array
// value, and for a non-empty body a Content-Length element and the escaped
// body, whose closing tag is indented when the body ends with LF.
func AppendXML(dst []byte, ev *Event) []byte { return appendXML(dst, headerSlice(ev.Headers), ev.Body) }

// AppendXMLCompact is AppendXML for the compact form.
func AppendXMLCompact(dst []byte, c *Compact) []byte { return appendXML(dst, c, c.Body) }

func appendXML[H headerList](dst []byte, hs H, body string) []byte {
	dst = append(dst, "<event>\n  <headers>"...)
	if hs.Len() > 0 {
		dst = append(dst, '\n')
		for i := range hs.Len() {
			h := hs.Header(i)
			if h.Array != nil {
				for _, v := range h.Array {
					dst = appendXMLHeader(dst, h.Name, v)
				}
				continue
			}
			dst = appendXMLHeader(dst, h.Name, h.Value)
		}
		dst = append(dst, "  "...)
	}
	dst = append(dst, "</headers>\n"...)
	if body != "" {
		dst = append(dst, "  <Content-Length>"...)
		dst = strconv.AppendInt(dst, int64(len(body)), 10)
		dst = append(dst, "</Content-Length>\n  <body>"...)
		dst = appendXMLText(dst, body)
		if dst[len(dst)-1] == '\n' {
			dst = append(dst, "  "...)
		}
		dst = append(dst, "</body>\n"...)
	}
	return append(dst, "</event>\n"...)
}

func appendXMLHeader(dst []byte, name, value string) []byte {
	dst = append(dst, "    <"...)
	dst = append(dst, name...)
	dst = append(dst, '>')
	// Percent-encoding leaves none of & < > " CR or non-ASCII in the
	// text, so FreeSWITCH's XML escaping that follows changes nothing.
	dst = PercentEncode(dst, value)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, ">\n"...)
}

// appendXMLText escapes s as switch_xml_ampencode does for text with UTF-8
// encoding on: & < > become entities, CR becomes &#xD;, each multi-byte
// UTF-8 sequence becomes &#xHEX; (invalid bytes are dropped the way
// FreeSWITCH drops them), and from the first "<!" on everything is copied
// verbatim.
func appendXMLText(dst []byte, s string) []byte {
	expecting := 0
	var cp uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '&':
			dst = append(dst, "&amp;"...)
			continue
		case '<':
			if i+1 < len(s) && s[i+1] == '!' {
				return append(dst, s[i:]...)
			}
			dst = append(dst, "&lt;"...)
			continue
		case '>':
			dst = append(dst, "&gt;"...)
			continue
		case '\r':
			dst = append(dst, "&#xD;"...)
			continue
		case '"', '\n', '\t':
			// Handled before the UTF-8 state machine, so they are kept even
			// in the middle of a multi-byte sequence, as in FreeSWITCH.
			dst = append(dst, c)
			continue
		}
		switch {
		case expecting == 0 && c&0x80 != 0:
			num := 1
			for ; num < 4; num++ {
				if (c>>(7-num))&1 == 0 {
					break
				}
			}
			switch num {
			case 2:
				cp = uint32(c & 0x1f)
			case 3:
				cp = uint32(c & 0x0f)
			case 4:
				cp = uint32(c & 0x07)
			}
			expecting = num - 1
		case expecting > 0:
			if c>>6 != 2 {
				expecting = 0 // FreeSWITCH drops the sequence and this byte
				continue
			}
			cp = cp<<6 | uint32(c&0x3f)
			expecting--
			if expecting == 0 {
				dst = append(dst, "&#x"...)
				dst = strconv.AppendUint(dst, uint64(cp), 16)
				dst = upperTail(dst)
				dst = append(dst, ';')
			}
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// upperTail upper-cases the hex digits just appended after "&#x".
func upperTail(dst []byte) []byte {
	for i := len(dst) - 1; i >= 0 && dst[i] != 'x'; i-- {
		if 'a' <= dst[i] && dst[i] <= 'f' {
			dst[i] -= 'a' - 'A'
		}
	}
	return dst
}
