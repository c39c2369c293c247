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
	d.begin(len(b))
	arena := d.arena
	rest := b
	for len(rest) > 0 {
		var line []byte
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			line, rest = rest, nil
		} else {
			line, rest = rest[:i], rest[i+1:]
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) == 0 {
			break
		}
		c := bytes.IndexByte(line, ':')
		if c <= 0 {
			d.arena = nil
			return ErrMalformedHeader
		}
		ns := len(arena)
		arena = append(arena, line[:c]...)
		ne := len(arena)
		v := line[c+1:]
		for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
			v = v[1:]
		}
		arena = PercentDecode(arena, v)
		d.spans = append(d.spans, span{ns: int32(ns), ne: int32(ne), vs: int32(ne), ve: int32(len(arena))})
	}
	bs, be := len(arena), len(arena)
	if n := len(d.spans); n > 0 {
		last := d.spans[n-1]
		if EqualFold(bytesString(arena[last.ns:last.ne]), "Content-Length") {
			cl, err := ParseContentLength(bytesString(arena[last.vs:last.ve]))
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
				bs = len(arena)
				arena = append(arena, rest[:cl]...)
				be = len(arena)
			}
		}
	}
	d.arena = arena
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
