package bench

import (
	"bytes"
	"maps"
	"runtime"
	"testing"

	"github.com/eslkit/esl/internal/cputime"
)

// decodeCaptures are the streams of the decode workload, by format.
var decodeCaptures = []struct{ name, format string }{
	{"load", "plain"},
	{"load-json", "json"},
}

// TestDecodeDeliversEveryEvent checks every decode adapter against the
// capture's own index: the same number of events with the same names.
func TestDecodeDeliversEveryEvent(t *testing.T) {
	for _, dc := range decodeCaptures {
		c, err := LoadCapture(dc.name, dc.format)
		if err != nil {
			t.Fatal(err)
		}
		for _, lib := range Libraries {
			dec := lib.Decode[dc.format]
			if dec == nil {
				continue
			}
			t.Run(lib.Name+"/"+dc.format, func(t *testing.T) {
				got := map[string]int{}
				if err := dec(c.Stream, func(name string) { got[name]++ }); err != nil {
					t.Fatal(err)
				}
				if !maps.Equal(got, c.Names) {
					t.Fatalf("decoded %v\nwant %v", got, c.Names)
				}
			})
		}
	}
}

func TestCaptureIndex(t *testing.T) {
	c, err := LoadCapture("load", "plain")
	if err != nil {
		t.Fatal(err)
	}
	// The counts the capture's notes.md states.
	if c.Count != 4899 || c.Names["CHANNEL_STATE"] != 1299 || c.Names["BACKGROUND_JOB"] != 100 {
		t.Fatalf("load: %d events, %v", c.Count, c.Names)
	}
	j, err := LoadCapture("load-json", "json")
	if err != nil {
		t.Fatal(err)
	}
	if j.Count != 4900 || j.Names["CHANNEL_STATE"] != 1300 {
		t.Fatalf("load-json: %d events, %v", j.Count, j.Names)
	}
}

// BenchmarkDecode decodes a whole captured stream per iteration, for every
// library and format, next to the floors: counting the stream's newlines,
// and the decodeFloors.
func BenchmarkDecode(b *testing.B) {
	for _, dc := range decodeCaptures {
		c, err := LoadCapture(dc.name, dc.format)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("newline-scan/"+dc.format, func(b *testing.B) {
			n := 0
			runDecode(b, c, func() {
				if bytes.Count(c.Stream, []byte{'\n'}) == 0 {
					b.Fatal("no newlines")
				}
				n += c.Count
			}, &n)
		})
		for _, f := range decodeFloors {
			b.Run(f.name+"/"+dc.format, func(b *testing.B) {
				n := 0
				runDecode(b, c, func() {
					if f.run(c.Stream, dc.format) == 0 {
						b.Fatal("found nothing")
					}
					n += c.Count
				}, &n)
			})
		}
		for _, lib := range Libraries {
			dec := lib.Decode[dc.format]
			if dec == nil {
				continue
			}
			b.Run(lib.Name+"/"+dc.format, func(b *testing.B) {
				n := 0
				on := func(string) { n++ }
				runDecode(b, c, func() {
					if err := dec(c.Stream, on); err != nil {
						b.Fatal(err)
					}
				}, &n)
			})
		}
	}
}

// runDecode runs one decode per b.Loop iteration and reports events/s,
// ns/event and allocs/event; *events counts what the decoder delivered.
func runDecode(b *testing.B, c *Capture, decode func(), events *int) {
	b.SetBytes(int64(len(c.Stream)))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cputime.Process()
	for b.Loop() {
		decode()
	}
	cpu := cputime.Process() - cpu0
	runtime.ReadMemStats(&after)
	n := float64(*events)
	if n == 0 {
		b.Fatal("no events decoded")
	}
	el := b.Elapsed()
	b.ReportMetric(n/el.Seconds(), "events/s")
	b.ReportMetric(float64(el.Nanoseconds())/n, "ns/event")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/event")
	if cpu > 0 {
		// Per second of the process's CPU (GC included).
		b.ReportMetric(n/cpu.Seconds(), "events/cpu-s")
	}
}
