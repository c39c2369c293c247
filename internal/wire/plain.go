package wire

import (
	"bytes"
	"strconv"
)

// plain parses a text/event-plain body held in the arena a: header lines
// "Name: value" with percent-encoded values (decoded in place) up to a
// blank line; when the last header is a non-zero Content-Length, that many
// bytes after the blank line are the body and that header is the body
// marker, not a header.
func (d *EventDecoder) plain(a []byte) (bs, be int, err error) {
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
			ve = vs + k + len(PercentDecode(a[vs+k:vs+k], a[vs+k:ve]))
		}
		d.spans = append(d.spans, span{NameStart: int32(pos), NameEnd: int32(pos + c), ValueStart: int32(vs), ValueEnd: int32(ve)})
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

// AppendPlain appends ev serialised as FreeSWITCH's text/event-plain body
// (switch_event_serialize): "Name: value\n" per header with the value
// percent-encoded (an array header in its "ARRAY::a|:b" form), then either
// a blank line or, when the body is non-empty, "Content-Length: N\n\n" and
// the body.
func AppendPlain(dst []byte, ev *Event) []byte {
	return appendPlain(dst, headerSlice(ev.Headers), ev.Body)
}

// AppendPlainCompact is AppendPlain for the compact form.
func AppendPlainCompact(dst []byte, c *Compact) []byte { return appendPlain(dst, c, c.Body) }

func appendPlain[H headerList](dst []byte, hs H, body string) []byte {
	for i := range hs.Len() {
		h := hs.Header(i)
		dst = append(dst, h.Name...)
		dst = append(dst, ':', ' ')
		start := len(dst)
		if h.Array != nil {
			if len(h.Array) > 1 {
				dst = append(dst, "ARRAY%3A%3A"...)
			}
			for j, v := range h.Array {
				if j > 0 {
					dst = append(dst, "%7C%3A"...)
				}
				dst = PercentEncode(dst, v)
			}
		} else {
			dst = PercentEncode(dst, h.Value)
		}
		if len(dst) == start {
			dst = append(dst, "_undef_"...)
		}
		dst = append(dst, '\n')
	}
	if body != "" {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(body)), 10)
		dst = append(dst, '\n', '\n')
		dst = append(dst, body...)
		return dst
	}
	return append(dst, '\n')
}
