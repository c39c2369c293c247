package fsim

import (
	"strconv"
	"unicode/utf8"

	"github.com/eslkit/esl/internal/wire"
)

// appendPlain serialises e as switch_event_serialize does: one
// "Name: url-encoded value" line per header, then either a blank line or an
// inner Content-Length, a blank line and the body.
func appendPlain(dst []byte, e *event) []byte {
	for i := range e.headers {
		h := &e.headers[i]
		dst = append(dst, h.Name...)
		dst = append(dst, ": "...)
		if len(h.Array) > 1 {
			dst = wire.PercentEncode(dst, scalar(h))
		} else {
			dst = wire.PercentEncode(dst, h.Value)
		}
		dst = append(dst, '\n')
	}
	if e.body == "" {
		return append(dst, '\n')
	}
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(e.body)), 10)
	dst = append(dst, "\n\n"...)
	return append(dst, e.body...)
}

// appendJSON serialises e as switch_event_serialize_json does: unformatted,
// keys in header order (duplicates kept), arrays as JSON arrays, and the
// body as trailing "Content-Length" and "_body" keys.
func appendJSON(dst []byte, e *event) []byte {
	dst = append(dst, '{')
	for i := range e.headers {
		h := &e.headers[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, h.Name)
		dst = append(dst, ':')
		if len(h.Array) > 1 {
			dst = append(dst, '[')
			for j, v := range h.Array {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendJSONString(dst, v)
			}
			dst = append(dst, ']')
		} else {
			dst = appendJSONString(dst, h.Value)
		}
	}
	if e.hasBody {
		if len(e.headers) > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"Content-Length":"`...)
		dst = strconv.AppendInt(dst, int64(len(e.body)), 10)
		dst = append(dst, `","_body":`...)
		dst = appendJSONString(dst, e.body)
	}
	return append(dst, '}')
}

const lowerHex = "0123456789abcdef"

// appendJSONString quotes s as cJSON's print_string_ptr does.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
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
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// appendXML serialises e as switch_event_xmlize + switch_xml_toxml do.
func appendXML(dst []byte, e *event) []byte {
	dst = append(dst, "<event>\n  <headers>\n"...)
	for i := range e.headers {
		h := &e.headers[i]
		for _, v := range h.Values() {
			dst = append(dst, "    <"...)
			dst = append(dst, h.Name...)
			dst = append(dst, '>')
			dst = appendXMLText(dst, string(wire.PercentEncode(nil, v)))
			dst = append(dst, "</"...)
			dst = append(dst, h.Name...)
			dst = append(dst, ">\n"...)
		}
	}
	dst = append(dst, "  </headers>\n"...)
	if e.body != "" {
		dst = append(dst, "  <Content-Length>"...)
		dst = strconv.AppendInt(dst, int64(len(e.body)), 10)
		dst = append(dst, "</Content-Length>\n  <body>"...)
		dst = appendXMLText(dst, e.body)
		if e.body[len(e.body)-1] == '\n' {
			dst = append(dst, "  "...)
		}
		dst = append(dst, "</body>\n"...)
	}
	return append(dst, "</event>\n"...)
}

// appendXMLText escapes a text node as switch_xml_ampencode does: & < > and
// CR become entities, multi-byte UTF-8 becomes a numeric reference, invalid
// lead bytes are dropped, and from the first "<!" on nothing is escaped.
func appendXMLText(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '<' && i+1 < len(s) && s[i+1] == '!':
			return append(dst, s[i:]...)
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '<':
			dst = append(dst, "&lt;"...)
		case c == '>':
			dst = append(dst, "&gt;"...)
		case c == '\r':
			dst = append(dst, "&#xD;"...)
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 {
				i++
				continue
			}
			dst = append(dst, "&#x"...)
			dst = appendUpperHex(dst, uint32(r))
			dst = append(dst, ';')
			i += n
			continue
		default:
			dst = append(dst, c)
		}
		i++
	}
	return dst
}

func appendUpperHex(dst []byte, v uint32) []byte {
	var buf [8]byte
	i := len(buf)
	for {
		i--
		buf[i] = "0123456789ABCDEF"[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return append(dst, buf[i:]...)
}
