package fsim

import (
	"slices"
	"strconv"

	"github.com/eslkit/esl/internal/wire"
)

// The plain serialisation of an event, exactly wire.AppendPlain's bytes
// (FreeSWITCH's switch_event_serialize: "Name: url-encoded value\n" per
// header, then the body) written for the event path: a value with nothing
// to escape (most of them: UUIDs, numbers, names) is copied in one piece,
// the others byte by byte without a call per stretch. The equality with
// wire.AppendPlain is tested byte for byte (and fuzzed).

// urlUnsafe marks the bytes switch_url_encode escapes: controls, bytes >=
// 0x7F and the listed punctuation (the table of wire.PercentEncode).
var urlUnsafe = func() (t [256]bool) {
	for _, c := range []byte("\r\n #%&+:;<=>?@[\\]^`{|}\"") {
		t[c] = true
	}
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	for c := 0x7F; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// keptPercent reports whether the '%' at s[i] is copied as is: it already
// starts an escape (two uppercase hex digits follow), which
// switch_url_encode does not encode twice.
func keptPercent(s string, i int) bool {
	return i+2 < len(s) && isUpperHex(s[i+1]) && isUpperHex(s[i+2])
}

// appendPlainEvent appends the plain serialisation of hs and body.
func appendPlainEvent(dst []byte, hs []wire.Header, body string) []byte {
	for i := range hs {
		h := &hs[i]
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
				dst = appendURLEncoded(dst, v)
			}
		} else {
			dst = appendURLEncoded(dst, h.Value)
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
		return append(dst, body...)
	}
	return append(dst, '\n')
}

// appendURLEncoded appends s url-encoded: a clean value in one copy, else
// the rest byte by byte into room grown once for the worst case (cheaper
// than copying the short clean stretches between escapes one by one).
func appendURLEncoded(dst []byte, s string) []byte {
	i := 0
	for i < len(s) && !urlUnsafe[s[i]] {
		i++
	}
	dst = append(dst, s[:i]...)
	if i == len(s) {
		return dst
	}
	n := len(dst)
	dst = slices.Grow(dst, 3*(len(s)-i))
	out := dst[n : n+3*(len(s)-i)]
	j := 0
	for ; i < len(s); i++ {
		c := s[i]
		if urlUnsafe[c] && !(c == '%' && keptPercent(s, i)) {
			out[j], out[j+1], out[j+2] = '%', upperHex[c>>4], upperHex[c&15]
			j += 3
			continue
		}
		out[j] = c
		j++
	}
	return dst[:n+j]
}
