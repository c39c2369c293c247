package wire

import (
	"bytes"
	"strconv"
)

// Plain decodes the body of a text/event-plain frame into ev: header lines
// "Name: value" with percent-encoded values up to a blank line; when the
// last header is a non-zero Content-Length, that many bytes after the blank
// line are the event body and that header is the body marker, not a header.
func (d *EventDecoder) Plain(ev *Event, b []byte) error {
	// Copy the whole body once, then decode each value in place (decoding
	// only shrinks): names and plain values need no further copying.
	d.begin(len(b))
	a := append(d.arena, b...)
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
		line := a[pos:end]
		c := bytes.IndexByte(line, ':')
		if c <= 0 {
			d.arena = nil
			return ErrMalformedHeader
		}
		vs := pos + c + 1
		for vs < end && (a[vs] == ' ' || a[vs] == '\t') {
			vs++
		}
		ve := end
		if k := bytes.IndexByte(a[vs:ve], '%'); k >= 0 {
			ve = vs + k + len(PercentDecode(a[vs+k:vs+k], a[vs+k:ve]))
		}
		d.spans = append(d.spans, span{ns: int32(pos), ne: int32(pos + c), vs: int32(vs), ve: int32(ve)})
		pos = next
	}
	rest := a[pos:]
	bs, be := len(a), len(a)
	if n := len(d.spans); n > 0 {
		last := d.spans[n-1]
		if EqualFold(bytesString(a[last.ns:last.ne]), "Content-Length") {
			cl, err := ParseContentLength(bytesString(a[last.vs:last.ve]))
			switch {
			case err != nil && len(rest) > 0:
				d.arena = nil
				return err
			case err != nil || cl == 0:
				// A real header that happens to be last; FreeSWITCH never
				// writes a marker for an empty body.
			case cl > len(rest):
				d.arena = nil
				return ErrMalformedEvent
			default:
				d.spans = d.spans[:n-1]
				bs, be = pos, pos+cl
			}
		}
	}
	d.arena = a
	d.finish(ev, bs, be)
	return nil
}

// AppendPlain appends ev serialised as FreeSWITCH's text/event-plain body
// (switch_event_serialize): "Name: value\n" per header with the value
// percent-encoded (an array header in its "ARRAY::a|:b" form), then either
// a blank line or, when the body is non-empty, "Content-Length: N\n\n" and
// the body.
func AppendPlain(dst []byte, ev *Event) []byte {
	for i := range ev.Headers {
		h := &ev.Headers[i]
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
	if ev.Body != "" {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(ev.Body)), 10)
		dst = append(dst, '\n', '\n')
		dst = append(dst, ev.Body...)
		return dst
	}
	return append(dst, '\n')
}
