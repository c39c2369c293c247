package wire

import "testing"

// percentSamples are header values of the kinds events carry: plain words,
// dates and paths with a few escapes, and text that is mostly escapes.
var percentSamples = []string{
	"CHANNEL_EXECUTE_COMPLETE",
	"2026-11-26 01:20:01",
	"loopback/9999-a",
	"tone_stream://%(1000,0,440);loops=3",
	"value with spaces & symbols: 17",
	"a0a0a0a0-7777-4777-8777-00000000000a",
	"+OK Job-UUID: e806b76f-6467-4d16-ab7a-8790262f55c6\n",
	"100%25 done",
}

// BenchmarkPercentEncode encodes typical header values into a reused
// buffer.
func BenchmarkPercentEncode(b *testing.B) {
	var n int
	for _, s := range percentSamples {
		n += len(s)
	}
	b.SetBytes(int64(n))
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		buf = buf[:0]
		for _, s := range percentSamples {
			buf = PercentEncode(buf, s)
		}
	}
}

// BenchmarkPercentDecodeInPlace decodes typical encoded header values in
// place (what the event decoder does to each value with an escape).
func BenchmarkPercentDecodeInPlace(b *testing.B) {
	var in [][]byte
	var n int
	for _, s := range append(percentSamples, "Wed,%2025%20Nov%202026%2022%3A23%3A06%20GMT", "%3A%3A1", "2026-11-25%2022%3A23%3A06") {
		e := PercentEncode(nil, s)
		in = append(in, e)
		n += len(e)
	}
	b.SetBytes(int64(n))
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		for _, s := range in {
			buf = append(buf[:0], s...)
			percentDecodeInPlace(buf)
		}
	}
}
