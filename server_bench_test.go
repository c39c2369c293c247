package esl

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeSocketApp plays FreeSWITCH's socket application for benchmarks: it
// dials the server, answers connect with the real outbound-7777 channel
// data (its UUID replaced), myevents with +OK, an execute with the
// capture's CHANNEL_EXECUTE and CHANNEL_EXECUTE_COMPLETE carrying the
// execute's Event-UUID, and a hangup with CHANNEL_HANGUP; it returns when
// the server closes the connection.
type fakeSocketApp struct {
	connect  string // connect reply with testUUID
	execute  string // CHANNEL_EXECUTE (answer) event body with testUUID
	complete string // CHANNEL_EXECUTE_COMPLETE (answer) event body
	hangup   string // CHANNEL_HANGUP event body
}

func newFakeSocketApp(tb testing.TB) *fakeSocketApp {
	frames := loadCapture(tb, "outbound-7777").frames
	a := &fakeSocketApp{connect: string(frames[0])}
	for _, f := range frames {
		s := string(f)
		_, body, _ := strings.Cut(s, "\n\n")
		switch {
		case strings.Contains(s, "Event-Name: CHANNEL_EXECUTE\n") && strings.Contains(s, "Application: answer\n"):
			a.execute = body
		case strings.Contains(s, "Event-Name: CHANNEL_EXECUTE_COMPLETE\n") && strings.Contains(s, "Application: answer\n"):
			a.complete = body
		case strings.Contains(s, "Event-Name: CHANNEL_HANGUP\n"):
			a.hangup = body
		}
	}
	if a.execute == "" || a.complete == "" || a.hangup == "" {
		tb.Fatal("outbound-7777: events not found")
	}
	return a
}

func eventFrame(body string) string {
	return fmt.Sprintf("Content-Length: %d\nContent-Type: text/event-plain\n\n%s", len(body), body)
}

// call runs one call against addr with channel UUID uuid (36 bytes).
func (a *fakeSocketApp) call(addr, uuid string) error {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	bw := bufio.NewWriter(nc)
	for {
		cmd, err := readCommand(br)
		if err != nil {
			return nil // the server closed the connection: call over
		}
		line, _, _ := bytes.Cut(cmd, []byte("\n"))
		switch string(line) {
		case "connect":
			bw.WriteString(strings.ReplaceAll(a.connect, testUUID, uuid))
		case "myevents":
			bw.WriteString(cmdReply("+OK Events Enabled"))
		case "sendmsg":
			bw.WriteString(cmdReply("+OK"))
			c := string(cmd)
			if headerOf(c, "call-command") == "hangup" {
				bw.WriteString(eventFrame(strings.ReplaceAll(a.hangup, testUUID, uuid)))
				break
			}
			id := headerOf(c, "Event-UUID")
			for _, body := range []string{a.execute, a.complete} {
				body = strings.ReplaceAll(body, testUUID, uuid)
				body = strings.ReplaceAll(body, "a0a0a0a0-7777-4777-8777-00000000000a", id)
				bw.WriteString(eventFrame(body))
			}
		default:
			bw.WriteString(cmdReply("-ERR command not found"))
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
}

// BenchmarkServerConcurrentSessions runs b.N calls through one Server,
// 1,000 at a time, each dialled by a fake FreeSWITCH socket application
// over loopback TCP: connect, myevents, Execute(answer) waiting for its
// CHANNEL_EXECUTE_COMPLETE, Hangup. It reports sessions/s and the p50/p99
// time from the TCP dial to the return of the first Execute. Run with
// e.g. -benchtime=20000x.
func BenchmarkServerConcurrentSessions(b *testing.B) {
	const concurrency = 1000
	app := newFakeSocketApp(b)
	var (
		starts sync.Map // uuid -> time.Time of the dial
		mu     sync.Mutex
		lat    = make([]time.Duration, 0, b.N)
		failed atomic.Int64
	)
	srv := &Server{Handler: HandlerFunc(func(ctx context.Context, s *Session) {
		if _, err := s.Execute(ctx, "answer", ""); err != nil {
			failed.Add(1)
			return
		}
		if t0, ok := starts.Load(s.UUID()); ok {
			d := time.Since(t0.(time.Time))
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
		_ = s.Hangup(ctx, "NORMAL_CLEARING")
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	addr := l.Addr().String()

	var next atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
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
				starts.Store(uuid, time.Now())
				if err := app.call(addr, uuid); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
	<-served
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d calls failed", n)
	}
	if len(lat) != b.N {
		b.Fatalf("%d latencies for %d calls", len(lat), b.N)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "sessions/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
