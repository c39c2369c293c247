package wire

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/eslkit/esl/internal/cputime"
)

// eventBodies returns the bodies of the event frames of a capture.
func eventBodies(b *testing.B, scenario string) (ct string, bodies [][]byte, size int64) {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "freeswitch", scenario, "server.bin"))
	if err != nil {
		b.Fatal(err)
	}
	r := NewReader(bytes.NewReader(raw), Limits{})
	for {
		f, err := r.ReadFrame()
		if err != nil {
			break
		}
		if IsEvent(f.ContentType()) {
			ct = f.ContentType()
			bodies = append(bodies, bytes.Clone(f.Body))
			size += int64(len(f.Body))
		}
	}
	return ct, bodies, size
}

// benchmarkDecode decodes the event bodies of a capture into the compact
// form (what esl.Event holds), without framing.
func benchmarkDecode(b *testing.B, scenario string) {
	ct, bodies, size := eventBodies(b, scenario)
	var d EventDecoder
	var c Compact
	b.SetBytes(size)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		for _, body := range bodies {
			if err := d.DecodeCompact(&c, ct, body); err != nil {
				b.Fatal(err)
			}
		}
	}
	cpu := cputime.Process() - cpu0
	events := float64(len(bodies)) * float64(b.N)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	if cpu > 0 {
		// CPU time per event (GC included), steadier than ns/op when
		// other processes share the machine.
		b.ReportMetric(float64(cpu.Nanoseconds())/events, "cpu-ns/event")
	}
}

func BenchmarkDecodePlainLoad(b *testing.B) { benchmarkDecode(b, "load") }
func BenchmarkDecodeJSONLoad(b *testing.B)  { benchmarkDecode(b, "load-json") }
func BenchmarkDecodeXMLCall(b *testing.B)   { benchmarkDecode(b, "call-xml") }

// BenchmarkReadFrameLoad measures framing alone over the plain load capture.
func BenchmarkReadFrameLoad(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "freeswitch", "load", "server.bin"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	frames := 0
	for b.Loop() {
		r := NewReader(bytes.NewReader(raw), Limits{})
		for {
			if _, err := r.ReadFrame(); err != nil {
				break
			}
			frames++
		}
	}
	b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
}

// BenchmarkAppendPlain measures the plain encoder (what fsim sends).
func BenchmarkAppendPlain(b *testing.B) {
	ct, bodies, size := eventBodies(b, "load")
	evs := make([]*Event, len(bodies))
	for i, body := range bodies {
		ev, err := Decode(ct, body)
		if err != nil {
			b.Fatal(err)
		}
		evs[i] = ev
	}
	b.SetBytes(size)
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		for _, ev := range evs {
			buf = AppendPlain(buf[:0], ev)
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
