package esl_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/fsim"
)

// BenchmarkServerSessionsFsim runs b.N outbound calls through one Server,
// 1,000 at a time, all made by fsim: "originate
// {origination_uuid=…}loopback/7777/default &park" (bgapi) creates two channels
// whose B leg runs the socket application, which dials the Server; the
// handler runs Execute(answer) (waiting for its CHANNEL_EXECUTE_COMPLETE)
// and hangs up. It reports calls/s and the p50/p99 time from the
// originate to the return of the first Execute. fsim's own work (two
// channels, their events and state machines) is part of every call.
// -benchtime=1000x runs the 1,000 concurrent sessions.
func BenchmarkServerSessionsFsim(b *testing.B) {
	const concurrency = 1000
	var (
		starts sync.Map // A-leg uuid -> time of the originate
		ended  sync.Map // A-leg uuid -> closed when the handler is done
		mu     sync.Mutex
		lat    = make([]time.Duration, 0, b.N)
		failed atomic.Int64
		first  sync.Once
		why    string
	)
	fail := func(reason string) {
		failed.Add(1)
		first.Do(func() { why = reason })
	}
	srv := &esl.Server{Handler: esl.HandlerFunc(func(ctx context.Context, s *esl.Session) {
		if _, err := s.Execute(ctx, "answer", ""); err != nil {
			fail("answer: " + err.Error())
			return
		}
		a := s.ChannelData().Var("other_loopback_leg_uuid")
		if t0, ok := starts.Load(a); ok {
			d := time.Since(t0.(time.Time))
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
		_ = s.Hangup(ctx, "NORMAL_CLEARING")
		if done, ok := ended.Load(a); ok {
			close(done.(chan struct{}))
		}
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	sim := fsim.New(fsim.Options{SocketAddr: l.Addr().String(), HeartbeatInterval: -1, MaxSessions: 100000})
	if err := sim.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := sim.Close(); err != nil {
			b.Error(err)
		}
	}()

	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	begin := time.Now()
	for range min(concurrency, b.N) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				uuid := fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
				done := make(chan struct{})
				ended.Store(uuid, done)
				starts.Store(uuid, time.Now())
				// bgapi: the handler hangs up right after answering, which
				// can end the call before a waiting originate sees the answer.
				sim.BgAPI("originate {origination_uuid=" + uuid + "}loopback/7777/default &park")
				select {
				case <-done:
				case <-time.After(30 * time.Second):
					fail("no session for " + uuid)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
	<-served
	if n := failed.Load(); n > 0 {
		fmt.Fprintf(os.Stderr, "%d calls failed; first: %s\n", n, why)
		b.Fatalf("%d calls failed; first: %s", n, why)
	}
	if len(lat) == 0 {
		b.Fatal("no call completed")
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "sessions/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
