package wire

import (
	"bytes"
	"slices"
)

// PercentDecode appends the decoding of s to dst: every %XX (hex, either
// case) becomes its byte; anything else, including '+' and a stray '%', is
// copied unchanged, as libesl's esl_url_decode does. dst may be s[:0] (or
// start at s's first byte) to decode in place.
func PercentDecode(dst, s []byte) []byte {
	// Copied first, then decoded over the copy: one decoding loop serves
	// both forms (and copying s onto itself, in place, moves nothing).
	n := len(dst)
	dst = append(dst, s...)
	return dst[:n+len(percentDecodeInPlace(dst[n:]))]
}

// percentDecodeInPlace decodes v's escapes over v itself (decoding only
// shrinks text) and returns the result.
func percentDecodeInPlace(v []byte) []byte {
	k := bytes.IndexByte(v, '%')
	if k < 0 {
		return v
	}
	// One byte at a time from the first escape on: values that have one
	// usually have several, close together.
	w := k
	for r := k; r < len(v); r++ {
		c := v[r]
		if c == '%' && r+2 < len(v) {
			if h, l := hexVal[v[r+1]], hexVal[v[r+2]]; h|l < 16 {
				c = h<<4 | l
				r += 2
			}
		}
		v[w] = c
		w++
	}
	return v[:w]
}

// hexVal maps a hex digit (either case) to its value and every other byte
// to 0xFF.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// urlUnsafe marks the bytes FreeSWITCH's switch_url_encode escapes besides
// controls and bytes >= 0x7F.
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

// PercentEncode appends s encoded the way FreeSWITCH encodes header values
// (switch_url_encode_opt without double encoding): unsafe bytes become %XX in
// uppercase hex, except a '%' already followed by two uppercase hex digits,
// which is copied as is.
//
// It is the plain event encoder's inner loop, written for the values
// events carry: most (UUIDs, numbers, names) have nothing to escape and are
// copied in one piece; from the first unsafe byte on, the rest goes byte by
// byte into room grown once for the worst case, which is cheaper than
// appending the short clean stretches between escapes one by one.
func PercentEncode(dst []byte, s string) []byte {
	i := 0
	for i < len(s) && !urlUnsafe[s[i]] {
		i++
	}
	dst = append(dst, s[:i]...)
	if i == len(s) {
		return dst
	}
	return percentEncodeFrom(dst, s, i)
}

// percentEncodeFrom appends s[i:] encoded, s[i] being unsafe.
func percentEncodeFrom(dst []byte, s string, i int) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 3*(len(s)-i))
	out := dst[n : n+3*(len(s)-i)]
	j := 0
	for ; i < len(s); i++ {
		c := s[i]
		if urlUnsafe[c] && (c != '%' || i+2 >= len(s) || !isUpperHex(s[i+1]) || !isUpperHex(s[i+2])) {
			out[j], out[j+1], out[j+2] = '%', upperHex[c>>4], upperHex[c&15]
			j += 3
			continue
		}
		out[j] = c
		j++
	}
	return dst[:n+j]
}
