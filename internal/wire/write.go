package wire

import (
	"io"
	"slices"
	"strconv"
	"strings"
)

// validHeader reports whether a header can be written without breaking the
// framing: no CR or LF anywhere, and a non-empty name without a colon.
func validHeader(name, value string) bool {
	return name != "" && !strings.ContainsAny(name, "\r\n:") && !strings.ContainsAny(value, "\r\n")
}

// writableValue returns the value h is written with (an array header in
// its "ARRAY::v1|:v2" form) and whether h can be written at all.
func writableValue(h *Header) (string, bool) {
	v := h.Value
	if h.Array != nil {
		v = ArrayValue(h.Array)
	}
	return v, validHeader(h.Name, v)
}

// AppendFrame appends a server→client frame as mod_event_socket writes
// one: each header as "Name: value\n" in the given order, values raw (the
// server does not URL-encode its own headers), a blank line, then the body.
// When body is non-nil the frame carries "Content-Length: len(body)": at
// the position of a Content-Length header in hs (its value is replaced), or
// else after the other headers. A header whose name or value would break
// the framing (CR, LF, a colon in the name) makes it return ErrNewline and
// dst unchanged.
func AppendFrame(dst []byte, hs Headers, body []byte) ([]byte, error) {
	start := len(dst)
	wroteCL := false
	for i := range hs {
		h := &hs[i]
		v, ok := writableValue(h)
		if !ok {
			return dst[:start], ErrNewline
		}
		dst = append(dst, h.Name...)
		dst = append(dst, ':', ' ')
		if body != nil && !wroteCL && EqualFold(h.Name, "Content-Length") {
			dst = strconv.AppendInt(dst, int64(len(body)), 10)
			wroteCL = true
		} else {
			dst = append(dst, v...)
		}
		dst = append(dst, '\n')
	}
	if body != nil && !wroteCL {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(body)), 10)
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	return append(dst, body...), nil
}

// WriteFrame writes the frame AppendFrame builds in one Write call.
func WriteFrame(w io.Writer, hs Headers, body []byte) error {
	b, err := AppendFrame(nil, hs, body)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// AppendEventFrame appends ev as a complete event frame in the given
// format (TypeEventPlain, TypeEventJSON or TypeEventXML), exactly as
// mod_event_socket sends it: "Content-Length: N\nContent-Type: T\n\n" and
// the serialised event. Any other content type returns ErrUnknownFormat.
func AppendEventFrame(dst []byte, contentType string, ev *Event) ([]byte, error) {
	start := len(dst)
	switch contentType {
	case TypeEventPlain:
		dst = AppendPlain(dst, ev)
	case TypeEventJSON:
		dst = AppendJSON(dst, ev)
	case TypeEventXML:
		dst = AppendXML(dst, ev)
	default:
		return dst, ErrUnknownFormat
	}
	var hdr [64]byte
	h := append(hdr[:0], "Content-Length: "...)
	h = strconv.AppendInt(h, int64(len(dst)-start), 10)
	h = append(h, "\nContent-Type: "...)
	h = append(h, contentType...)
	h = append(h, '\n', '\n')
	return slices.Insert(dst, start, h...), nil
}

// ArrayValue returns FreeSWITCH's scalar form of a multi-valued header:
// "ARRAY::v1|:v2", or the single value itself.
func ArrayValue(values []string) string {
	switch len(values) {
	case 0:
		return ""
	case 1:
		return values[0]
	}
	return arrayPrefix + strings.Join(values, "|:")
}

// AppendCommand appends a client→server command block: the command line,
// the headers as "Name: value\n" (raw: mod_event_socket does not decode
// command headers; an array header in its "ARRAY::a|:b" form), and when
// body is non-nil "Content-Length: N", then the blank line and the body.
// CR or LF in the line, a name or a value (newline injection), or a colon
// in a name, returns ErrNewline and dst unchanged; so does an empty line.
func AppendCommand(dst []byte, line string, hs Headers, body []byte) ([]byte, error) {
	if line == "" || strings.ContainsAny(line, "\r\n") {
		return dst, ErrNewline
	}
	start := len(dst)
	dst = append(dst, line...)
	dst = append(dst, '\n')
	for i := range hs {
		h := &hs[i]
		v, ok := writableValue(h)
		if !ok {
			return dst[:start], ErrNewline
		}
		if body != nil && EqualFold(h.Name, "Content-Length") {
			continue // written below from the body's real length
		}
		dst = append(dst, h.Name...)
		dst = append(dst, ':', ' ')
		dst = append(dst, v...)
		dst = append(dst, '\n')
	}
	if body != nil {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(body)), 10)
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	return append(dst, body...), nil
}

// AppendPlain appends ev serialised as FreeSWITCH's text/event-plain body
// (switch_event_serialize): "Name: value\n" per header with the value
// percent-encoded (an array header in its "ARRAY::a|:b" form), then either
// a blank line or, when the body is non-empty, "Content-Length: N\n\n" and
// the body.
//
// It is the simulator's event path (every plain event it sends), so the
// headers are read in place and each value's clean part is copied in one
// piece (see PercentEncode).
func AppendPlain(dst []byte, ev *Event) []byte {
	hs := ev.Headers
	for i := range hs {
		dst = appendPlainHeader(dst, &hs[i])
	}
	return appendPlainBody(dst, ev.Body)
}

// AppendPlainCompact is AppendPlain for the compact form.
func AppendPlainCompact(dst []byte, c *Compact) []byte {
	for i := range c.Len() {
		h := c.Header(i)
		dst = appendPlainHeader(dst, &h)
	}
	return appendPlainBody(dst, c.Body)
}

// appendPlainHeader appends one "Name: value\n" line; a value that encodes
// to nothing is written "_undef_", as FreeSWITCH does.
func appendPlainHeader(dst []byte, h *Header) []byte {
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
	return append(dst, '\n')
}

// appendPlainBody ends the headers: a blank line, or the body's
// Content-Length, a blank line and the body.
func appendPlainBody(dst []byte, body string) []byte {
	if body == "" {
		return append(dst, '\n')
	}
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(body)), 10)
	dst = append(dst, '\n', '\n')
	return append(dst, body...)
}
