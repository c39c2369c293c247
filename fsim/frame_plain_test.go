package fsim

import (
	"testing"

	"github.com/eslkit/esl/internal/wire"
)

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

// BenchmarkPlainEncoding is the serialisation of the events benchmark's
// event (about 2.6 KB in plain form) with wire's encoder, as frame does it.
func BenchmarkPlainEncoding(b *testing.B) {
	s := New(Options{})
	e := s.newEventCap(evCustom, "bench::event", origin{"fsim.go", "InjectEvent", 1}, len(benchHeaders))
	for _, h := range benchHeaders {
		e.add(h.Name, h.Value)
	}
	buf := make([]byte, 0, 8192)
	b.ReportAllocs()
	for b.Loop() {
		buf = wire.AppendPlain(buf[:0], &wire.Event{Headers: e.headers, Body: e.body})
	}
}
