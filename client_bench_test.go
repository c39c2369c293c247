package esl

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eslkit/esl/internal/cputime"
)

// loopbackFS serves one client over loopback TCP: it authenticates,
// answers api commands with a short api/response (flushing only when no
// more input is buffered, as a busy FreeSWITCH does), and when it sees
// `event` it replies and then writes events frames from the events func.
type loopbackFS struct {
	ln     net.Listener
	events func(w *bufio.Writer)
	delay  time.Duration // added before each batch of replies (link latency)
	wg     sync.WaitGroup
}

func startLoopbackFS(tb testing.TB, events func(w *bufio.Writer)) *loopbackFS {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f := &loopbackFS{ln: ln, events: events}
	f.wg.Add(1)
	go f.accept()
	tb.Cleanup(func() {
		ln.Close()
		f.wg.Wait()
	})
	return f
}

func (f *loopbackFS) accept() {
	defer f.wg.Done()
	for {
		nc, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer nc.Close()
			f.serve(nc)
		}()
	}
}

func (f *loopbackFS) serve(nc net.Conn) {
	br := bufio.NewReaderSize(nc, 64<<10)
	bw := bufio.NewWriterSize(nc, 64<<10)
	bw.WriteString("Content-Type: auth/request\n\n")
	bw.Flush()
	var line []byte // the command line of the block being read
	have := false   // line holds this block's command line
	for {
		// Read one command block without allocating (the benchmark
		// measures the client, not this server).
		l, err := br.ReadSlice('\n')
		if err != nil {
			return
		}
		if len(l) > 1 {
			if !have {
				line = append(line[:0], l[:len(l)-1]...)
				have = true
			}
			continue
		}
		if !have {
			continue
		}
		switch {
		case bytes.HasPrefix(line, []byte("api ")):
			bw.WriteString("Content-Type: api/response\nContent-Length: 3\n\n+OK")
		case bytes.HasPrefix(line, []byte("event ")):
			bw.WriteString("Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n")
			if f.delay == 0 && f.events != nil {
				f.events(bw)
			}
		case string(line) == "exit":
			bw.WriteString("Content-Type: command/reply\nReply-Text: +OK bye\n\n")
			bw.Flush()
			return
		default:
			bw.WriteString("Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
		}
		have = false
		if br.Buffered() == 0 {
			if f.delay > 0 {
				// A link with latency: the replies leave after the delay.
				time.Sleep(f.delay)
			}
			if bw.Flush() != nil {
				return
			}
		}
	}
}

func benchAPI(b *testing.B, callers int, rtt time.Duration) {
	fs := startLoopbackFS(b, nil)
	fs.delay = rtt
	ctx := context.Background()
	c, err := Dial(ctx, fs.ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cputime.Process()
	var wg sync.WaitGroup
	per := b.N / callers
	extra := b.N % callers
	for i := range callers {
		n := per
		if i < extra {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				if _, err := c.API(ctx, "status"); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
	// CPU time of the whole process (client and test server) per call:
	// what the machine's other load distorts least.
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/call")
}

// BenchmarkAPI measures pipelined api throughput on one connection: one
// caller waiting for each reply in turn, and 64 concurrent callers; over
// plain loopback (CPU-bound: client and server share the machine) and
// over a link with 1ms of latency per reply batch (latency-bound, like a
// FreeSWITCH on the LAN), where pipelining hides the round trips.
func BenchmarkAPI(b *testing.B) {
	for _, rtt := range []time.Duration{0, time.Millisecond} {
		b.Run("rtt="+rtt.String()+"/callers=1", func(b *testing.B) { benchAPI(b, 1, rtt) })
		b.Run("rtt="+rtt.String()+"/callers=64", func(b *testing.B) { benchAPI(b, 64, rtt) })
	}
}

// BenchmarkEventIngest measures end-to-end event ingest over loopback TCP:
// a real CHANNEL_STATE event from the call-plain capture, sent as fast as
// the socket takes it, read, decoded and delivered to one subscriber,
// which must see every one of them (zero loss).
func BenchmarkEventIngest(b *testing.B) {
	cp := loadCapture(b, "call-plain")
	var frame []byte
	for _, f := range cp.frames {
		if frameType(f) == "text/event-plain" && strings.Contains(string(f), "Event-Name: CHANNEL_STATE") {
			frame = f
			break
		}
	}
	if frame == nil {
		b.Fatal("no event in capture")
	}
	n := b.N
	fs := startLoopbackFS(b, func(w *bufio.Writer) {
		for range n {
			w.Write(frame)
		}
	})
	ctx := context.Background()
	c, err := Dial(ctx, fs.ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	sub := c.Listen(WithBuffer(1<<16), WithOverflow(Block), WithBlockLimit(-1))
	defer sub.Close()
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	b.ResetTimer()
	start, cpu0 := time.Now(), cputime.Process()
	if err := c.Subscribe(ctx, EventAll); err != nil {
		b.Fatal(err)
	}
	got := 0
	for got < n {
		m, ok := sub.Next(ctx)
		if !ok {
			b.Fatal("stream ended")
		}
		if m.Kind != KindEvent {
			b.Fatalf("unexpected %v", m.Kind)
		}
		got++
	}
	el, cpu := time.Since(start), cputime.Process()-cpu0
	b.StopTimer()
	if sub.Lost() != 0 {
		b.Fatalf("lost %d events", sub.Lost())
	}
	b.ReportMetric(float64(n)/el.Seconds(), "events/s")
	// CPU time of the whole process (test server writing, reader,
	// consumer) per event.
	b.ReportMetric(float64(cpu)/float64(n), "cpu-ns/event")
}
