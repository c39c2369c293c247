package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
)

// The floors: work that every library must do at least, done with nothing
// else, so that a target can be checked against what the machine allows.
// They are not libraries and have no adapters; the report shows them
// beside the rows they bound.

// decodeFloor is one lower bound of the decode workload: a function run
// over a whole captured stream per iteration.
type decodeFloor struct {
	name string // the <library> part of BenchmarkDecode/<library>/<format>
	// run does the floor's work over stream (a capture of the given
	// format) and returns how many things it found, so that the work
	// cannot be optimised away and an empty result fails the benchmark.
	run func(stream []byte, format string) int
	// want counts, one byte at a time, what run must find.
	want func(stream []byte, format string) int
}

// decodeFloors run next to newline-scan. floor_simd_test.go adds one when
// the SIMD experiment is on.
var decodeFloors = []decodeFloor{
	// Reading from an io.Reader puts every byte through a buffer at least
	// once: this is that copy and nothing else.
	{"floor-copy", func(stream []byte, _ string) int {
		buf := copyScratch(len(stream))
		return copy(buf, stream)
	}, func(stream []byte, _ string) int { return len(stream) }},
	// The least a parser must know: where every plain header line ends
	// and where its name ends, or where every JSON string starts and ends,
	// found with the standard library's vectorised byte search and kept in
	// a reused table.
	{"floor-index", func(stream []byte, format string) int {
		if format == "json" {
			return indexQuotes(stream)
		}
		return indexLines(stream)
	}, countHeadersOrQuotes},
}

var copyBuf []byte

func copyScratch(n int) []byte {
	if cap(copyBuf) < n {
		copyBuf = make([]byte, n)
	}
	return copyBuf[:n]
}

// floorSpan is where one header's name and line end.
type floorSpan struct{ start, colon, end int32 }

var (
	spanScratch []floorSpan
	posScratch  []int32
)

// indexLines records, for every line with a colon, where it starts, where
// its first colon is and where it ends.
func indexLines(b []byte) int {
	hs := spanScratch[:0]
	for pos := 0; pos < len(b); {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			break
		}
		end := pos + i
		if c := bytes.IndexByte(b[pos:end], ':'); c >= 0 {
			hs = append(hs, floorSpan{int32(pos), int32(pos + c), int32(end)})
		}
		pos = end + 1
	}
	spanScratch = hs
	return len(hs)
}

// indexQuotes records the position of every '"'.
func indexQuotes(b []byte) int {
	ps := posScratch[:0]
	for pos := 0; ; {
		i := bytes.IndexByte(b[pos:], '"')
		if i < 0 {
			break
		}
		pos += i
		ps = append(ps, int32(pos))
		pos++
	}
	posScratch = ps
	return len(ps)
}

// TestDecodeFloorsFindTheStructure checks that each floor really visits
// the capture's structure: as much as a byte-by-byte count finds.
func TestDecodeFloorsFindTheStructure(t *testing.T) {
	for _, dc := range decodeCaptures {
		c, err := LoadCapture(dc.name, dc.format)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range decodeFloors {
			if got, want := f.run(c.Stream, dc.format), f.want(c.Stream, dc.format); got != want || got == 0 {
				t.Errorf("%s/%s found %d, want %d", f.name, dc.format, got, want)
			}
		}
	}
}

// countHeadersOrQuotes counts the lines with a colon of a plain stream, or
// the quotes of a JSON one.
func countHeadersOrQuotes(b []byte, format string) int {
	n := 0
	if format == "json" {
		for _, c := range b {
			if c == '"' {
				n++
			}
		}
		return n
	}
	colon := false
	for _, c := range b {
		switch c {
		case ':':
			colon = true
		case '\n':
			if colon {
				n++
			}
			colon = false
		}
	}
	return n
}

// runWireFloor is the api workload's floor: a client that does no
// client work. One goroutine writes `api echo` commands, keeping at most
// window of them unanswered (as window callers would), another reads the
// replies in order and checks each body; nothing is parked per command,
// matched, or handed over. With a window of 1 a single goroutine does
// both. No library on one connection can do much better against the same
// server on the same machine.
func runWireFloor(b *testing.B, addr string, window int) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 64<<10)
	if _, _, err := readReply(br, nil, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := io.WriteString(c, "auth "+benchPassword+"\n\n"); err != nil {
		b.Fatal(err)
	}
	hdr, _, err := readReply(br, nil, nil)
	if err != nil || !bytes.Contains(hdr, []byte("+OK accepted")) {
		b.Fatalf("auth: %q, %v", hdr, err)
	}
	n := b.N
	if window == 1 {
		// Nothing to overlap: one goroutine writes each command and
		// reads its reply, with no hand-off at all.
		b.ResetTimer()
		var out, hdr, body, want []byte
		for i := range n {
			want = strconv.AppendInt(append(want[:0], 't'), int64(i), 10)
			out = append(append(append(out[:0], "api echo "...), want...), "\n\n"...)
			if _, err := c.Write(out); err != nil {
				b.Fatal(err)
			}
			if hdr, body, err = readReply(br, hdr, body); err != nil {
				b.Fatal(err)
			}
			if !bytes.Equal(body, want) {
				b.Fatalf("reply %d is %q, want %q", i, body, want)
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ops/s")
		return
	}
	var replied atomic.Int64
	wake := make(chan struct{}, 1)
	readErr := make(chan error, 1)
	b.ResetTimer()
	go func() {
		var hdr, body, want []byte
		for got := 0; got < n; got++ {
			var err error
			if hdr, body, err = readReply(br, hdr, body); err != nil {
				readErr <- err
				return
			}
			want = strconv.AppendInt(append(want[:0], 't'), int64(got), 10)
			if !bytes.Equal(body, want) {
				readErr <- fmt.Errorf("reply %d is %q, want %q", got, body, want)
				return
			}
			// Tell the writer only when the reader is about to wait
			// for the network anyway: one wake-up per batch.
			if br.Buffered() == 0 || got == n-1 {
				replied.Store(int64(got + 1))
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}
		readErr <- nil
	}()
	var out []byte
	for sent := 0; sent < n; {
		for sent-int(replied.Load()) >= window {
			select {
			case <-wake:
			case err := <-readErr:
				b.Fatalf("reader stopped after %d replies: %v", replied.Load(), err)
			}
		}
		for k := sent - int(replied.Load()); k < window && sent < n; k++ {
			out = append(out, "api echo t"...)
			out = strconv.AppendInt(out, int64(sent), 10)
			out = append(out, "\n\n"...)
			sent++
		}
		if _, err := c.Write(out); err != nil {
			b.Fatal(err)
		}
		out = out[:0]
	}
	if err := <-readErr; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ops/s")
}

// readReply reads one frame: its header block and its body, which
// Content-Length sizes, into the memory of hdr and body.
func readReply(br *bufio.Reader, hdr, body []byte) (_, _ []byte, err error) {
	hdr = hdr[:0]
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return nil, nil, err
		}
		if len(line) == 1 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			if n, err = strconv.Atoi(string(bytes.TrimSpace(v))); err != nil {
				return nil, nil, err
			}
		}
		hdr = append(hdr, line...)
	}
	body = append(body[:0], make([]byte, n)...)
	_, err = io.ReadFull(br, body)
	return hdr, body, err
}
