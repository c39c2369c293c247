package bench

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eslkit/esl/fsim"
)

// commandServer starts the server the api and bgapi workloads run
// against: fsim, or with BENCH_SERVER=fake the small fake in fakefs.go.
func commandServer(tb testing.TB) (addr string, stop func()) {
	if os.Getenv("BENCH_SERVER") != "fake" {
		sim := fsim.New(fsim.Options{Password: benchPassword})
		if err := sim.Start(); err != nil {
			tb.Fatal(err)
		}
		return sim.Addr(), func() { sim.Close() }
	}
	srv, err := StartFakeFS(benchPassword, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return srv.Addr(), func() { srv.Close() }
}

func dialLib(tb testing.TB, lib *Library, addr string) Conn {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := lib.Dial(ctx, addr, benchPassword)
	if err != nil {
		tb.Fatalf("%s: dial: %v", lib.Name, err)
	}
	return c
}

// TestCommandAdapters checks that every library's api and bgapi adapters
// return the command's own output.
func TestCommandAdapters(t *testing.T) {
	addr, stop := commandServer(t)
	defer stop()
	for _, lib := range Libraries {
		if lib.Dial == nil {
			continue
		}
		t.Run(lib.Name, func(t *testing.T) {
			c := dialLib(t, lib, addr)
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if got, err := c.API(ctx, "status"); err != nil || !strings.HasPrefix(got, "UP ") || !strings.Contains(got, "FreeSWITCH (Version") {
				t.Fatalf("api status = %q, %v", got, err)
			}
			for i := range 20 {
				want := "token-" + strconv.Itoa(i)
				if got, err := c.API(ctx, "echo "+want); err != nil || got != want {
					t.Fatalf("api echo = %q, %v; want %q", got, err, want)
				}
				if got, err := c.BgAPI(ctx, "echo "+want); err != nil || got != want {
					t.Fatalf("bgapi echo = %q, %v; want %q", got, err, want)
				}
			}
		})
	}
}

// runCommands makes b.N calls of call from callers goroutines and reports
// ops/s, p50 and p99 latency and the share of calls that got someone
// else's reply (each call echoes its own token).
func runCommands(b *testing.B, callers int, call func(ctx context.Context, token string) (string, error)) {
	var next atomic.Int64
	var wrong atomic.Int64
	lat := make([][]time.Duration, callers)
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	n := int64(b.N)
	// One deadline for the whole run: a timer per call would cost more
	// than some libraries' round trip.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b.ResetTimer()
	start := time.Now()
	for w := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > n {
					return
				}
				token := "c" + strconv.Itoa(w) + "-" + strconv.FormatInt(i, 10)
				t0 := time.Now()
				got, err := call(ctx, token)
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				if got != token {
					wrong.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	if p := failed.Load(); p != nil {
		b.Fatal(*p)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/el.Seconds(), "ops/s")
	b.ReportMetric(float64(all[len(all)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Nanoseconds())/1e3, "p99-µs")
	b.ReportMetric(float64(wrong.Load())/float64(b.N), "wrong/op")
}

// BenchmarkAPI: `api echo <token>` round-trips on one connection with 1
// and 64 concurrent callers, after the floor of each (runWireFloor).
func BenchmarkAPI(b *testing.B) {
	addr, stop := commandServer(b)
	defer stop()
	for _, callers := range []int{1, 64} {
		b.Run("wire-floor/callers="+strconv.Itoa(callers), func(b *testing.B) {
			runWireFloor(b, addr, callers)
		})
	}
	for _, lib := range Libraries {
		if lib.Dial == nil {
			continue
		}
		for _, callers := range []int{1, 64} {
			b.Run(lib.Name+"/callers="+strconv.Itoa(callers), func(b *testing.B) {
				c := dialLib(b, lib, addr)
				defer c.Close()
				runCommands(b, callers, func(ctx context.Context, token string) (string, error) {
					return c.API(ctx, "echo "+token)
				})
			})
		}
	}
}

// BenchmarkBgAPI: `bgapi echo <token>` jobs from 64 concurrent callers on
// one connection, each waiting for its BACKGROUND_JOB result.
func BenchmarkBgAPI(b *testing.B) {
	addr, stop := commandServer(b)
	defer stop()
	for _, lib := range Libraries {
		if lib.Dial == nil {
			continue
		}
		b.Run(lib.Name, func(b *testing.B) {
			c := dialLib(b, lib, addr)
			defer c.Close()
			runCommands(b, 64, func(ctx context.Context, token string) (string, error) {
				return c.BgAPI(ctx, "echo "+token)
			})
		})
	}
}

// TestConcurrentAPIReplies: 64 goroutines share one connection and each
// must get its own `api echo` output back. eslgo is known to hand replies
// to the wrong caller (it is only logged here; the benchmarks report it as
// wrong/op).
func TestConcurrentAPIReplies(t *testing.T) {
	addr, stop := commandServer(t)
	defer stop()
	for _, lib := range Libraries {
		if lib.Dial == nil {
			continue
		}
		t.Run(lib.Name, func(t *testing.T) {
			c := dialLib(t, lib, addr)
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var wrong atomic.Int64
			errs := make(chan error, 64)
			var wg sync.WaitGroup
			for w := range 64 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 50 {
						token := "w" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
						got, err := c.API(ctx, "echo "+token)
						if err != nil {
							errs <- err
							return
						}
						if got != token {
							wrong.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
			if n := wrong.Load(); n > 0 {
				if lib.Name == "eslgo" {
					t.Logf("eslgo handed %d of 3200 replies to the wrong caller", n)
					return
				}
				t.Fatalf("%d of 3200 replies went to the wrong caller", n)
			}
		})
	}
}

// TestConcurrentFirstBgAPI: 64 goroutines start bgapi jobs at once on a
// fresh connection, and every job's result must arrive.
func TestConcurrentFirstBgAPI(t *testing.T) {
	addr, stop := commandServer(t)
	defer stop()
	for _, lib := range Libraries {
		if lib.Dial == nil {
			continue
		}
		t.Run(lib.Name, func(t *testing.T) {
			for round := range 5 {
				c := dialLib(t, lib, addr)
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				var failed atomic.Int64
				var wg sync.WaitGroup
				for w := range 64 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						want := "r" + strconv.Itoa(round) + "-" + strconv.Itoa(w)
						if got, err := c.BgAPI(ctx, "echo "+want); err != nil || got != want {
							failed.Add(1)
						}
					}()
				}
				wg.Wait()
				cancel()
				c.Close()
				if n := failed.Load(); n > 0 {
					t.Fatalf("round %d: %d of 64 jobs failed or got another job's result", round, n)
				}
			}
		})
	}
}
