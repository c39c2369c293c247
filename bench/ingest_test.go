package bench

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eslkit/esl/internal/cputime"
)

const benchPassword = "ClueCon"

// ingestRun is one replay of a capture into one library.
type ingestRun struct {
	expected  int
	count     atomic.Int64
	last      atomic.Int64 // UnixNano of the latest delivery
	sentinel  atomic.Bool
	all       chan struct{}
	once      sync.Once
	mu        sync.Mutex
	names     map[string]int // filled only when keepNames
	keepNames bool
}

func (r *ingestRun) on(name string) {
	if name == "HEARTBEAT" {
		r.sentinel.Store(true)
		return
	}
	if r.keepNames {
		r.mu.Lock()
		r.names[name]++
		r.mu.Unlock()
	}
	r.last.Store(time.Now().UnixNano())
	if int(r.count.Add(1)) == r.expected {
		r.once.Do(func() { close(r.all) })
	}
}

// wait returns once every event arrived, or once the sentinel arrived and
// nothing else came for quiet (the library lost the rest), or at timeout.
func (r *ingestRun) wait(quiet, timeout time.Duration) {
	deadline := time.After(timeout)
	tick := time.NewTicker(quiet / 4)
	defer tick.Stop()
	for {
		select {
		case <-r.all:
			return
		case <-deadline:
			return
		case <-tick.C:
			if r.sentinel.Load() && time.Since(time.Unix(0, r.last.Load())) > quiet {
				return
			}
		}
	}
}

// ingestOnce replays c's events to lib over loopback TCP and returns the
// time from dialing to the last delivered event.
func ingestOnce(tb testing.TB, lib *Library, c *Capture, keepNames bool) (*ingestRun, time.Duration) {
	srv, err := StartFakeFS(benchPassword, c.Events)
	if err != nil {
		tb.Fatal(err)
	}
	defer srv.Close()
	r := &ingestRun{expected: c.Count, all: make(chan struct{}), keepNames: keepNames, names: map[string]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	r.last.Store(start.UnixNano())
	cl, err := lib.Ingest(ctx, srv.Addr(), benchPassword, r.on)
	if err != nil {
		tb.Fatal(err)
	}
	r.wait(100*time.Millisecond, 60*time.Second)
	el := time.Unix(0, r.last.Load()).Sub(start)
	cl.Close()
	return r, el
}

// TestIngestDeliversEveryEvent replays the load capture into every
// library and checks what each delivers. fsock by design hands
// BACKGROUND_JOB events to its bgapi table, not to event handlers.
func TestIngestDeliversEveryEvent(t *testing.T) {
	c, err := LoadCapture("load", "plain")
	if err != nil {
		t.Fatal(err)
	}
	for _, lib := range Libraries {
		if lib.Ingest == nil {
			continue
		}
		t.Run(lib.Name, func(t *testing.T) {
			want := maps.Clone(c.Names)
			if lib.Name == "fsock" {
				delete(want, "BACKGROUND_JOB")
			}
			r, _ := ingestOnce(t, lib, c, true)
			if !maps.Equal(r.names, want) {
				t.Fatalf("delivered %d events %v\nwant %v", r.count.Load(), r.names, want)
			}
		})
	}
}

// BenchmarkIngest replays the load capture's 4,899 plain events per
// iteration over loopback TCP into each library's event API.
func BenchmarkIngest(b *testing.B) {
	c, err := LoadCapture("load", "plain")
	if err != nil {
		b.Fatal(err)
	}
	for _, lib := range Libraries {
		if lib.Ingest == nil {
			continue
		}
		b.Run(lib.Name, func(b *testing.B) {
			var total time.Duration
			var delivered, lost int64
			runs := 0
			cpu0 := cputime.Process()
			for b.Loop() {
				r, el := ingestOnce(b, lib, c, false)
				total += el
				delivered += r.count.Load()
				lost += int64(c.Count) - r.count.Load()
				runs++
			}
			cpu := cputime.Process() - cpu0
			b.ReportMetric(float64(delivered)/total.Seconds(), "events/s")
			if cpu > 0 {
				// Per second of the process's CPU, the local sender's
				// share included (the same bytes for every library).
				b.ReportMetric(float64(delivered)/cpu.Seconds(), "events/cpu-s")
			}
			b.ReportMetric(float64(lost)/float64(runs), "lost/op")
		})
	}
}
