package wire

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// XML decodes the body of a text/event-xml frame into ev:
//
//	<event><headers><Name>text</Name>…</headers>
//	<Content-Length>N</Content-Length><body>text</body></event>
//
// Header text is entity-decoded and then percent-decoded (FreeSWITCH
// URL-encodes it before escaping). Adjacent elements with the same name are
// the values of one array header, which is how FreeSWITCH writes arrays.
// Body text is entity-decoded up to the first "<!", after which FreeSWITCH
// copies it verbatim; the indentation FreeSWITCH puts before </body> when
// the body ends with a newline is removed.
func (d *EventDecoder) XML(ev *Event, b []byte) error {
	d.begin(len(b))
	bs, be, err := d.xml(b)
	if err != nil {
		d.arena = nil
		return err
	}
	d.finish(ev, bs, be)
	return nil
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

func (d *EventDecoder) xml(b []byte) (bs, be int, err error) {
	i := skipWS(b, 0)
	if bytes.HasPrefix(b[i:], []byte("<?")) { // a prolog, in case someone adds one
		j := bytes.Index(b[i:], []byte("?>"))
		if j < 0 {
			return 0, 0, ErrMalformedEvent
		}
		i += j + 2
	}
	var ok bool
	if i, ok = expect(b, i, "<event>"); !ok {
		return 0, 0, ErrMalformedEvent
	}
	if j, ok := expect(b, i, "<headers/>"); ok {
		i = j
	} else {
		if i, ok = expect(b, i, "<headers>"); !ok {
			return 0, 0, ErrMalformedEvent
		}
		for {
			i = skipWS(b, i)
			if j, ok := expect(b, i, "</headers>"); ok {
				i = j
				break
			}
			ns, ne, vs, ve, j, err := d.xmlElement(b, i, true)
			if err != nil {
				return 0, 0, err
			}
			i = j
			d.addXMLHeader(ns, ne, vs, ve)
		}
	}
	bs, be = len(d.arena), len(d.arena)
	i = skipWS(b, i)
	if bytes.HasPrefix(b[i:], []byte("<Content-Length>")) {
		mark := len(d.arena)
		_, _, _, _, j, err := d.xmlElement(b, i, true)
		if err != nil {
			return 0, 0, err
		}
		d.arena = d.arena[:mark]
		i = skipWS(b, j)
	}
	if bytes.HasPrefix(b[i:], []byte("<body>")) {
		i += len("<body>")
		end := bytes.LastIndex(b[i:], []byte("</body>"))
		if end < 0 {
			return 0, 0, ErrMalformedEvent
		}
		raw := b[i : i+end]
		i += end + len("</body>")
		// FreeSWITCH indents the closing tag when the text ends with LF.
		if n := len(raw); n >= 3 && raw[n-3] == '\n' && raw[n-2] == ' ' && raw[n-1] == ' ' {
			raw = raw[:n-2]
		}
		bs = len(d.arena)
		d.arena = xmlUnescape(d.arena, raw, true)
		be = len(d.arena)
	} else if bytes.HasPrefix(b[i:], []byte("<body/>")) {
		i += len("<body/>")
	}
	if i, ok = expect(b, i, "</event>"); !ok {
		return 0, 0, ErrMalformedEvent
	}
	if skipWS(b, i) != len(b) {
		return 0, 0, ErrMalformedEvent
	}
	return bs, be, nil
}

// xmlElement parses <Name>text</Name> (or <Name/>) at b[i:], appending the
// name and the decoded text to the arena.
func (d *EventDecoder) xmlElement(b []byte, i int, percent bool) (ns, ne, vs, ve, next int, err error) {
	if i >= len(b) || b[i] != '<' {
		return 0, 0, 0, 0, 0, ErrMalformedEvent
	}
	i++
	j := bytes.IndexByte(b[i:], '>')
	if j <= 0 {
		return 0, 0, 0, 0, 0, ErrMalformedEvent
	}
	name := b[i : i+j]
	i += j + 1
	selfClosing := name[len(name)-1] == '/'
	if selfClosing {
		name = name[:len(name)-1]
	}
	if len(name) == 0 || bytes.ContainsAny(name, "</ \t\n") {
		return 0, 0, 0, 0, 0, ErrMalformedEvent
	}
	ns = len(d.arena)
	d.arena = append(d.arena, name...)
	ne = len(d.arena)
	vs = ne
	if !selfClosing {
		k := bytes.IndexByte(b[i:], '<')
		if k < 0 {
			return 0, 0, 0, 0, 0, ErrMalformedEvent
		}
		text := b[i : i+k]
		i += k
		if len(b)-i < len(name)+3 || b[i+1] != '/' || !bytes.Equal(b[i+2:i+2+len(name)], name) || b[i+2+len(name)] != '>' {
			return 0, 0, 0, 0, 0, ErrMalformedEvent
		}
		i += len(name) + 3
		if bytes.IndexByte(text, '&') < 0 {
			if percent {
				d.arena = PercentDecode(d.arena, text)
			} else {
				d.arena = append(d.arena, text...)
			}
		} else {
			d.arena = xmlUnescape(d.arena, text, false)
			if percent {
				// Decode in place: the decoded text is never longer.
				n := len(PercentDecode(d.arena[vs:vs], d.arena[vs:]))
				d.arena = d.arena[:vs+n]
			}
		}
	}
	return ns, ne, vs, len(d.arena), i, nil
}

// addXMLHeader records a header, folding it into the previous header as an
// array element when both have the same name.
func (d *EventDecoder) addXMLHeader(ns, ne, vs, ve int) {
	if n := len(d.spans); n > 0 {
		last := &d.spans[n-1]
		if bytes.Equal(d.arena[last.ns:last.ne], d.arena[ns:ne]) {
			if last.elems == 0 {
				last.first = int32(len(d.elems))
				d.elems = append(d.elems, elem{last.vs, last.ve})
				last.elems = 1
			}
			d.elems = append(d.elems, elem{int32(vs), int32(ve)})
			last.elems++
			return
		}
	}
	d.spans = append(d.spans, span{ns: int32(ns), ne: int32(ne), vs: int32(vs), ve: int32(ve)})
}

// xmlUnescape appends text with its entity and character references
// decoded. For body text (body true) everything from the first "<!" on is
// copied verbatim, mirroring FreeSWITCH's encoder. Unknown or malformed
// references are copied as they are.
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
		switch string(ref) {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ref)
			if !ok {
				dst = append(dst, '&')
				t = t[1:]
				continue
			}
			dst = utf8.AppendRune(dst, r)
		}
		t = t[semi+1:]
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
func AppendXML(dst []byte, ev *Event) []byte {
	dst = append(dst, "<event>\n  <headers>"...)
	if len(ev.Headers) > 0 {
		dst = append(dst, '\n')
		for i := range ev.Headers {
			h := &ev.Headers[i]
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
	if ev.Body != "" {
		dst = append(dst, "  <Content-Length>"...)
		dst = strconv.AppendInt(dst, int64(len(ev.Body)), 10)
		dst = append(dst, "</Content-Length>\n  <body>"...)
		dst = appendXMLText(dst, ev.Body)
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
