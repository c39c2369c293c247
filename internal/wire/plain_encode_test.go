package wire

import (
	"bytes"
	"strconv"
	"testing"
)

// appendPlainRef is the plain serialisation stated plainly
// (switch_event_serialize): "Name: " and the value percent-encoded byte by
// byte, an array as "ARRAY::v1|:v2" encoded, "_undef_" for an empty
// result, then a blank line or "Content-Length: N", a blank line and the
// body. AppendPlain and AppendPlainCompact must write exactly these bytes.
func appendPlainRef(dst []byte, hs []Header, body string) []byte {
	for _, h := range hs {
		v := h.Value
		if h.Array != nil {
			v = ArrayValue(h.Array)
		}
		enc := percentEncodeRef(nil, v)
		if len(enc) == 0 {
			enc = []byte("_undef_")
		}
		dst = append(dst, h.Name+": "...)
		dst = append(dst, enc...)
		dst = append(dst, '\n')
	}
	if body == "" {
		return append(dst, '\n')
	}
	dst = append(dst, "Content-Length: "+strconv.Itoa(len(body))+"\n\n"...)
	return append(dst, body...)
}

// plainEncodeCases are header sets whose plain form is checked against the
// reference: escapes of every kind, '%' before digits in either case,
// arrays (several values, one, none) and bodies.
var plainEncodeCases = []struct {
	hs   []Header
	body string
}{
	{nil, ""},
	{[]Header{{Name: "Event-Name", Value: "HEARTBEAT"}}, ""},
	{[]Header{{Name: "A", Value: ""}, {Name: "B", Value: "x"}}, "body\n"},
	{[]Header{{Name: "Date", Value: "Thu, 26 Nov 2026 01:58:00 GMT"}, {Name: "P", Value: "100% %41 %4 %4g %ab %FF%"}}, ""},
	{[]Header{{Name: "Ctl", Value: "a\r\nb\tc\x00\x7f\xff\"{}|^`<=>?@[\\];:+&#"}}, ""},
	{[]Header{{Name: "Arr", Value: "a", Array: []string{"a", "b c", ""}}, {Name: "One", Value: "x", Array: []string{"x"}}, {Name: "Empty", Array: []string{}}}, ""},
	{[]Header{{Name: "Arr", Value: "", Array: []string{"", ""}}}, "x"},
	{[]Header{{Name: "Long", Value: "clean-prefix-" + string(bytes.Repeat([]byte("a b%41%"), 300))}}, ""},
}

// checkPlainEncoding compares AppendPlain and AppendPlainCompact (both
// appending to a non-empty dst) with the reference.
func checkPlainEncoding(t *testing.T, hs []Header, body string) {
	t.Helper()
	want := appendPlainRef([]byte("pre"), hs, body)
	if got := AppendPlain([]byte("pre"), &Event{Headers: hs, Body: body}); !bytes.Equal(got, want) {
		t.Fatalf("AppendPlain(%q, %q):\n got %q\nwant %q", hs, body, got, want)
	}
	c := CompactOf(hs, body)
	ev := c.Event()
	want = appendPlainRef([]byte("pre"), ev.Headers, ev.Body)
	if got := AppendPlainCompact([]byte("pre"), &c); !bytes.Equal(got, want) {
		t.Fatalf("AppendPlainCompact(%q, %q):\n got %q\nwant %q", hs, body, got, want)
	}
}

func TestAppendPlainMatchesReference(t *testing.T) {
	for _, c := range plainEncodeCases {
		checkPlainEncoding(t, c.hs, c.body)
	}
	// Every byte value alone, between others, next to a '%' and in an
	// array.
	for c := range 256 {
		b := string([]byte{byte(c)})
		for _, v := range []string{b, "\x00" + b, "a" + b + "b", "%" + b + "A", "%A" + b, "%" + b, "xyz" + b + "%41"} {
			checkPlainEncoding(t, []Header{{Name: "H", Value: v}}, "")
			checkPlainEncoding(t, []Header{{Name: "H", Value: v, Array: []string{v, b}}}, "")
		}
	}
}

func TestPercentEncodeAppendsToBuffer(t *testing.T) {
	// Room already there (no growth) and none (growth) give the same bytes,
	// and the bytes before dst's end are left alone.
	for _, s := range []string{"", "abc", "a b", "%41 %4", "\xff\xfe\xfd", "clean then 1 escape"} {
		want := percentEncodeRef([]byte("pre"), s)
		roomy := append(make([]byte, 0, 256), "pre"...)
		if got := PercentEncode(roomy, s); !bytes.Equal(got, want) {
			t.Fatalf("with room: PercentEncode(%q) = %q, want %q", s, got, want)
		}
		tight := []byte("pre")[:3:3]
		if got := PercentEncode(tight, s); !bytes.Equal(got, want) {
			t.Fatalf("without room: PercentEncode(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzPercentEncode(f *testing.F) {
	for _, s := range percentSamples {
		f.Add(s)
	}
	f.Add("%41%4%4g%")
	f.Fuzz(func(t *testing.T, s string) {
		want := percentEncodeRef([]byte("pre"), s)
		if got := PercentEncode([]byte("pre"), s); !bytes.Equal(got, want) {
			t.Fatalf("PercentEncode(%q) = %q, want %q", s, got, want)
		}
	})
}

func FuzzAppendPlain(f *testing.F) {
	f.Add("Name", "value with spaces & 100%", "x|:y", "")
	f.Add("A", "%41%4", "", "body")
	f.Fuzz(func(t *testing.T, name, value, arr, body string) {
		hs := []Header{{Name: name, Value: value}}
		if arr != "" {
			hs = append(hs, Header{Name: name, Value: value, Array: []string{value, arr}})
		}
		checkPlainEncoding(t, hs, body)
	})
}
