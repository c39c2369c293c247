package wire

import (
	"math/rand/v2"
	"testing"
)

// percentEncodeRef is the byte-at-a-time statement of the encoding rule,
// kept to check that the stretch-copying PercentEncode matches it.
func percentEncodeRef(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isUpperHex(s[i+1]) && isUpperHex(s[i+2]) {
			dst = append(dst, c)
			continue
		}
		if urlUnsafe[c] {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

func TestPercentEncodeMatchesByteRule(t *testing.T) {
	cases := []string{"", "%", "%4", "%41", "%41x", "%4g1", "%af1", "%%41", "a%", "a%4", "%41%42",
		"plain", " ", "\r\n", "\x00\x7f\xff", "100%25 done", "tone_stream://%(1000,0,440)"}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("%%%AF09af :+\n\x00\x80aZ")
	for range 20000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		want := string(percentEncodeRef([]byte("pre"), s))
		if got := string(PercentEncode([]byte("pre"), s)); got != want {
			t.Fatalf("PercentEncode(%q) = %q, want %q", s, got, want)
		}
	}
}
