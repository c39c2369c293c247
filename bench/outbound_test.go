package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// outboundRun drives n call sessions, at most inflight at a time, into
// lib's outbound server and returns the time until the last session's
// execute-complete reached the library's handler.
func outboundRun(tb testing.TB, lib *Library, n, inflight int) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	addr, err := freeAddr()
	if err != nil {
		tb.Fatal(err)
	}
	slots := make(chan struct{}, inflight)
	var completed atomic.Int64
	var failed atomic.Pointer[error]
	allDone := make(chan struct{})
	srv, err := lib.Serve(ctx, addr, func(err error) {
		if err != nil {
			failed.CompareAndSwap(nil, &err)
		}
		<-slots
		if completed.Add(1) == int64(n) {
			close(allDone)
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	var drivers sync.WaitGroup
	start := time.Now()
	for range n {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			tb.Fatalf("%s: %d of %d sessions completed: %v", lib.Name, completed.Load(), n, ctx.Err())
		}
		drivers.Add(1)
		go func() {
			defer drivers.Done()
			if err := driveOutbound(ctx, addr); err != nil {
				failed.CompareAndSwap(nil, &err)
			}
		}()
	}
	select {
	case <-allDone:
	case <-ctx.Done():
		tb.Fatalf("%s: %d of %d sessions completed", lib.Name, completed.Load(), n)
	}
	el := time.Since(start)
	drivers.Wait() // every library closes its sessions after the handler
	srv.Close()
	if p := failed.Load(); p != nil {
		tb.Fatal(*p)
	}
	return el
}

// TestOutboundAdapters: every library's outbound server drives 50 calls to
// their first execute-complete.
func TestOutboundAdapters(t *testing.T) {
	for _, lib := range Libraries {
		if lib.Serve == nil {
			continue
		}
		t.Run(lib.Name, func(t *testing.T) {
			outboundRun(t, lib, 50, 16)
		})
	}
}

// BenchmarkOutbound: b.N call sessions, 64 in flight, each accepted by the
// library's outbound server and driven to the CHANNEL_EXECUTE_COMPLETE of
// an answer it executed.
func BenchmarkOutbound(b *testing.B) {
	for _, lib := range Libraries {
		if lib.Serve == nil {
			continue
		}
		b.Run(lib.Name, func(b *testing.B) {
			el := outboundRun(b, lib, b.N, 64)
			b.ReportMetric(float64(b.N)/el.Seconds(), "ops/s")
		})
	}
}
