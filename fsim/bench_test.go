package fsim

import (
	"bufio"
	"bytes"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eslkit/esl/internal/cputime"
	"github.com/eslkit/esl/internal/wire"
)

// benchHeaders make an event of realistic size (about 1 KB in plain form,
// like a CHANNEL_STATE without variables).
var benchHeaders = func() []Header {
	var hs []Header
	for i := 0; i < 30; i++ {
		hs = append(hs, Header{"Caller-Header-" + strconv.Itoa(i), "value with spaces & symbols: " + strconv.Itoa(i)})
	}
	return hs
}()

// subscriber is a raw TCP client that authenticates, subscribes and counts
// the event frames it reads.
type subscriber struct {
	nc      net.Conn
	n       atomic.Int64
	want    atomic.Int64  // the count waitCount awaits (0: none yet)
	reached chan struct{} // closed by the reader when n reaches want
	done    chan struct{}
}

func newSubscriber(b *testing.B, s *Sim, format string) *subscriber {
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		b.Fatal(err)
	}
	r := wire.NewReader(bufio.NewReaderSize(nc, 256<<10), wire.Limits{})
	if _, err := r.ReadFrame(); err != nil {
		b.Fatal(err)
	}
	nc.Write([]byte("auth ClueCon\n\nevent " + format + " CUSTOM bench::event\n\n"))
	for i := 0; i < 2; i++ {
		f, err := r.ReadFrame()
		if err != nil || f.ContentType() != wire.TypeCommandReply {
			b.Fatalf("setup: %v %v", err, f)
		}
	}
	sub := &subscriber{nc: nc, done: make(chan struct{}), reached: make(chan struct{})}
	go func() {
		// A minimal reader (find Content-Length, skip the body) so that the
		// measurement is the simulator's delivery, not a client's parsing.
		defer close(sub.done)
		br := bufio.NewReaderSize(nc, 256<<10)
		for {
			n := 0
			for {
				line, err := br.ReadSlice('\n')
				if err != nil {
					return
				}
				if len(line) == 1 {
					break
				}
				if bytes.HasPrefix(line, []byte("Content-Length: ")) {
					n, _ = strconv.Atoi(string(line[16 : len(line)-1]))
				}
			}
			if _, err := br.Discard(n); err != nil {
				return
			}
			// The count rises one by one, so it equals want exactly once.
			if c := sub.n.Add(1); c == sub.want.Load() {
				close(sub.reached)
			}
		}
	}()
	return sub
}

// waitCount waits until the subscriber has read n events (once per
// subscriber): the reader signals the moment its count reaches n.
func (sub *subscriber) waitCount(b *testing.B, n int64) {
	sub.want.Store(n)
	if sub.n.Load() >= n {
		return // reached before want was set: the reader did not see it
	}
	t := time.NewTimer(60 * time.Second)
	defer t.Stop()
	select {
	case <-sub.reached:
	case <-sub.done:
		b.Fatalf("connection closed after %d of %d events", sub.n.Load(), n)
	case <-t.C:
		b.Fatalf("delivered %d of %d", sub.n.Load(), n)
	}
}

func benchFanout(b *testing.B, subs int, format string) {
	s := New(Options{HeartbeatInterval: -1, QueueLimit: 1 << 30})
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var ss []*subscriber
	for i := 0; i < subs; i++ {
		ss = append(ss, newSubscriber(b, s, format))
	}
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cputime.Process()
	for i := 0; i < b.N; i++ {
		s.InjectEvent("CUSTOM", "bench::event", benchHeaders, "")
	}
	for _, sub := range ss {
		sub.waitCount(b, int64(b.N))
	}
	el, cpu := time.Since(start), cputime.Process()-cpu0
	b.StopTimer()
	// CPU time per event (the whole process: firing, encoding, writing and
	// the benchmark's own reader) stays meaningful on a loaded machine,
	// where wall-clock events/s does not.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/event")
	b.ReportMetric(float64(b.N)*float64(subs)/el.Seconds(), "events/s")
	b.ReportMetric(float64(b.N)/el.Seconds(), "events/s/subscriber")
	for _, sub := range ss {
		sub.nc.Close()
		<-sub.done
	}
}

// BenchmarkEventsToOneSubscriber measures events fired and delivered over
// TCP to one plain subscriber (target: at least 200 000 events/s).
func BenchmarkEventsToOneSubscriber(b *testing.B) { benchFanout(b, 1, "plain") }

// BenchmarkEventsToTenSubscribers delivers every event to ten subscribers;
// the serialisation is made once and shared.
func BenchmarkEventsToTenSubscribers(b *testing.B) { benchFanout(b, 10, "plain") }

// BenchmarkEventsToOneSubscriberJSON is the one-subscriber case in json.
func BenchmarkEventsToOneSubscriberJSON(b *testing.B) { benchFanout(b, 1, "json") }

// BenchmarkConcurrentCalls runs 1000 simultaneous 9999 calls (answer, a
// 3 s tone, hangup: 2000 channels) per iteration on a manual clock.
func BenchmarkConcurrentCalls(b *testing.B) {
	const calls = 1000
	clk := NewManualClock(time.Time{})
	s := New(Options{Clock: clk, HeartbeatInterval: -1, Addr: "127.0.0.1:0"})
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var events atomic.Int64
	var destroyed sync.WaitGroup
	s.OnEvent(func(name string, hs []Header, body string) {
		events.Add(1)
		if name == "CHANNEL_DESTROY" {
			destroyed.Done()
		}
	})
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		destroyed.Add(2 * calls)
		for j := 0; j < calls; j++ {
			s.BgAPI("originate loopback/9999/default &park")
		}
		s.Settle()
		if n := len(s.liveChannels()); n != 2*calls {
			b.Fatalf("%d channels up, want %d", n, 2*calls)
		}
		s.Advance(3 * time.Second)
		destroyed.Wait()
	}
	el := time.Since(start)
	b.ReportMetric(float64(b.N*calls)/el.Seconds(), "calls/s")
	b.ReportMetric(float64(events.Load())/el.Seconds(), "events/s")
}
