package wire

import "bytes"

// Event is a decoded event: its headers in wire order and its body. The
// body-length marker that each serialisation adds (the inner Content-Length
// of plain, the trailing "Content-Length" key of json, the element outside
// <headers> of xml) is not a header; a Content-Length that the event really
// carries (sendevent echoes the client's) is.
type Event struct {
	Headers Headers
	Body    string
}

// DecodePlain decodes the body of a text/event-plain frame: header lines
// with percent-encoded values up to a blank line, then, when the last header
// is Content-Length, that many body bytes.
func DecodePlain(b []byte) (*Event, error) {
	ev := &Event{}
	rest := b
	for {
		i := bytes.IndexByte(rest, '\n')
		var line []byte
		if i < 0 {
			line, rest = rest, nil
		} else {
			line, rest = rest[:i], rest[i+1:]
		}
		line = trimEOL(line)
		if len(line) == 0 {
			break
		}
		name, value, ok := splitHeader(line)
		if !ok {
			return nil, ErrMalformedHeader
		}
		h := Header{Name: string(name), Value: string(PercentDecode(nil, value))}
		splitArray(&h)
		ev.Headers = append(ev.Headers, h)
		if i < 0 {
			break
		}
	}
	if n := len(ev.Headers); n > 0 && len(rest) > 0 && EqualFold(ev.Headers[n-1].Name, "Content-Length") {
		cl, err := ParseContentLength(ev.Headers[n-1].Value)
		if err != nil {
			return nil, err
		}
		if cl > len(rest) {
			return nil, ErrMalformedEvent
		}
		ev.Body = string(rest[:cl])
		ev.Headers = ev.Headers[:n-1]
	}
	return ev, nil
}

const arrayPrefix = "ARRAY::"

// splitArray turns a value in FreeSWITCH's array scalar form
// ("ARRAY::a|:b") into an array header.
func splitArray(h *Header) {
	v := h.Value
	if len(v) < len(arrayPrefix) || v[:len(arrayPrefix)] != arrayPrefix {
		return
	}
	v = v[len(arrayPrefix):]
	var arr []string
	for {
		i := indexSep(v)
		if i < 0 {
			arr = append(arr, v)
			break
		}
		arr = append(arr, v[:i])
		v = v[i+2:]
	}
	h.Array = arr
	h.Value = arr[0]
}

func indexSep(s string) int {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '|' && s[i+1] == ':' {
			return i
		}
	}
	return -1
}
