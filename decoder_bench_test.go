package esl

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/eslkit/esl/internal/cputime"
)

// benchmarkStream decodes a whole captured server stream per iteration
// through the public Decoder and reports events per second and heap
// allocations per event.
func benchmarkStream(b *testing.B, scenario string) {
	stream := readCapture(b, scenario)
	events := 0
	for _, f := range decodeAll(b, stream) {
		if f.Event != nil {
			events++
		}
	}
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := cputime.Process()
	b.ResetTimer()
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(stream))
		for {
			_, err := d.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					b.Fatal(err)
				}
				break
			}
		}
	}
	b.StopTimer()
	cpu := cputime.Process() - cpu0
	runtime.ReadMemStats(&ms1)
	total := float64(events) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/total, "allocs/event")
	if cpu > 0 {
		// Events per second of CPU used (GC included): what one core
		// sustains, even when other processes compete for the machine.
		b.ReportMetric(total/cpu.Seconds(), "events/cpu-s")
	}
}

func BenchmarkDecodeLoadPlain(b *testing.B) { benchmarkStream(b, "load") }
func BenchmarkDecodeLoadJSON(b *testing.B)  { benchmarkStream(b, "load-json") }
func BenchmarkDecodeCallXML(b *testing.B)   { benchmarkStream(b, "call-xml") }
