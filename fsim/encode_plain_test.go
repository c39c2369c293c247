package fsim

import (
	"bytes"
	"testing"

	"github.com/eslkit/esl/internal/wire"
)

// plainCases are header sets whose plain form must equal wire.AppendPlain's.
var plainCases = []struct {
	hs   []wire.Header
	body string
}{
	{nil, ""},
	{[]wire.Header{{Name: "Event-Name", Value: "HEARTBEAT"}}, ""},
	{[]wire.Header{{Name: "A", Value: ""}, {Name: "B", Value: "x"}}, "body\n"},
	{[]wire.Header{{Name: "Date", Value: "Thu, 26 Nov 2026 01:58:00 GMT"}, {Name: "P", Value: "100% %41 %4 %4g %ab %FF%"}}, ""},
	{[]wire.Header{{Name: "Ctl", Value: "a\r\nb\tc\x00\x7f\xff\"{}|^`<=>?@[\\];:+&#"}}, ""},
	{[]wire.Header{{Name: "Arr", Value: "a", Array: []string{"a", "b c", ""}}, {Name: "One", Value: "x", Array: []string{"x"}}, {Name: "Empty", Array: []string{}}}, ""},
	{[]wire.Header{{Name: "Arr", Value: "", Array: []string{"", ""}}}, "x"},
}

func TestPlainEncodingMatchesWire(t *testing.T) {
	for i, c := range plainCases {
		want := wire.AppendPlain([]byte("pre"), &wire.Event{Headers: c.hs, Body: c.body})
		got := appendPlainEvent([]byte("pre"), c.hs, c.body)
		if !bytes.Equal(got, want) {
			t.Errorf("case %d:\n got %q\nwant %q", i, got, want)
		}
	}
	// Every byte value alone, between others and next to a '%'.
	for c := 0; c < 256; c++ {
		for _, v := range []string{string(rune(0)) + string([]byte{byte(c)}), "a" + string([]byte{byte(c)}) + "b", "%" + string([]byte{byte(c)}) + "A", "%A" + string([]byte{byte(c)})} {
			hs := []wire.Header{{Name: "H", Value: v}}
			want := wire.AppendPlain(nil, &wire.Event{Headers: hs})
			if got := appendPlainEvent(nil, hs, ""); !bytes.Equal(got, want) {
				t.Errorf("byte %#x in %q: got %q, want %q", c, v, got, want)
			}
		}
	}
}

func TestPlainFrame(t *testing.T) {
	e := &event{headers: []wire.Header{{Name: "Event-Name", Value: "CUSTOM"}, {Name: "V", Value: "a b"}}, body: "hi"}
	want := "Content-Length: 49\nContent-Type: text/event-plain\n\nEvent-Name: CUSTOM\nV: a%20b\nContent-Length: 2\n\nhi"
	e.hold()
	if got := string(e.frame(fmtPlain)); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	e.release()
	// The buffer went back to the pool; a second encoding is the same.
	e.hold()
	defer e.release()
	if got := string(e.frame(fmtPlain)); got != want {
		t.Fatalf("again: got %q, want %q", got, want)
	}
}

func FuzzPlainEncoding(f *testing.F) {
	f.Add("Name", "value with spaces & 100%", "x|:y", "")
	f.Add("A", "%41%4", "", "body")
	f.Fuzz(func(t *testing.T, name, value, arr, body string) {
		hs := []wire.Header{{Name: name, Value: value}}
		if arr != "" {
			hs = append(hs, wire.Header{Name: name, Value: value, Array: []string{value, arr}})
		}
		want := wire.AppendPlain(nil, &wire.Event{Headers: hs, Body: body})
		if got := appendPlainEvent(nil, hs, body); !bytes.Equal(got, want) {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// BenchmarkPlainEncoding is the serialisation of the events benchmark's
// event (about 2.6 KB in plain form) by fsim's encoder and by wire's.
func BenchmarkPlainEncoding(b *testing.B) {
	s := New(Options{})
	e := s.newEventCap(evCustom, "bench::event", origin{"fsim.go", "InjectEvent", 1}, len(benchHeaders))
	for _, h := range benchHeaders {
		e.add(h.Name, h.Value)
	}
	buf := make([]byte, 0, 8192)
	b.Run("fsim", func(b *testing.B) {
		for b.Loop() {
			appendPlainEvent(buf, e.headers, e.body)
		}
	})
	b.Run("wire", func(b *testing.B) {
		for b.Loop() {
			wire.AppendPlain(buf, &wire.Event{Headers: e.headers, Body: e.body})
		}
	})
}
