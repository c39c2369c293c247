package wire

import (
	"strconv"
	"strings"
	"testing"
)

// TestCompactSpanForms decodes the same headers with a text just under and
// just over the 64 KiB that narrow spans can address, and checks that both
// forms (and CompactOf's) give back exactly the reference's event,
// including array headers, lookups and the body.
func TestCompactSpanForms(t *testing.T) {
	head := "Event-Name: CUSTOM\nX-Multi: ARRAY%3A%3Aa%7C%3Ab%20c\nX-Raw: ARRAY::x|:|:y\nX-Text: 50%25%20off\n"
	for _, bodyLen := range []int{100, narrowLimit - 200, narrowLimit, narrowLimit + 10, 200000} {
		body := strings.Repeat("b", bodyLen)
		in := head + "Content-Length: " + strconv.Itoa(len(body)) + "\n\n" + body
		want, err := refDecode(TypeEventPlain, []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		var d EventDecoder
		var c Compact
		if err := d.DecodeCompact(&c, TypeEventPlain, []byte(in)); err != nil {
			t.Fatal(err)
		}
		wantNarrow := len(in) <= narrowLimit
		if (c.narrow != nil) != wantNarrow || (c.wide != nil) == wantNarrow {
			t.Fatalf("text %d bytes: narrow %v, wide %v", len(in), c.narrow != nil, c.wide != nil)
		}
		if got := c.Event(); !equalEvents(got, want) {
			t.Fatalf("text %d bytes:\n%+v\nwant %+v", len(in), got.Headers, want.Headers)
		}
		if v, ok := c.Lookup("x-text"); !ok || v != "50% off" {
			t.Fatalf("Lookup = %q, %v", v, ok)
		}
		if v, ok := c.LookupPrefixed("X-", "multi"); !ok || v != "a" {
			t.Fatalf("LookupPrefixed = %q, %v", v, ok)
		}
		if _, ok := c.Lookup("Content-Length"); ok {
			t.Fatal("body marker kept as a header")
		}
		built := CompactOf(want.Headers, want.Body)
		if got := built.Event(); !equalEvents(got, want) || (built.narrow != nil) != (len(built.Data) <= narrowLimit) {
			t.Fatalf("CompactOf, %d bytes: %+v", len(built.Data), got.Headers)
		}
	}
}
