package esl

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// pipeDialer connects to a server function over net.Pipe.
func pipeDialer(t *testing.T, serve func(net.Conn)) ContextDialer {
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	return dialerFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
		srv, cli := net.Pipe()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer srv.Close()
			serve(srv)
		}()
		return cli, nil
	})
}

func TestDialTimeoutWhenPeerIsSilent(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	d := pipeDialer(t, func(nc net.Conn) { <-release })
	_, err := Dial(context.Background(), "fs:8021", WithDialer(d), WithDialTimeout(20*time.Millisecond))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
}

func TestDialNotFreeSWITCH(t *testing.T) {
	d := pipeDialer(t, func(nc net.Conn) {
		nc.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n"))
	})
	_, err := Dial(context.Background(), "fs:8021", WithDialer(d))
	if !errors.Is(err, ErrNotFreeSWITCH) {
		t.Fatalf("err = %v", err)
	}
}

func TestDialRudeRejection(t *testing.T) {
	d := pipeDialer(t, func(nc net.Conn) {
		nc.Write([]byte("Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n"))
	})
	_, err := Dial(context.Background(), "fs:8021", WithDialer(d))
	if !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("err = %v", err)
	}
}

func TestDialRefusesCredentialsWithNewline(t *testing.T) {
	d := pipeDialer(t, func(nc net.Conn) {
		nc.Write([]byte("Content-Type: auth/request\n\n"))
		nc.Read(make([]byte, 1)) // must see nothing but the close
	})
	_, err := Dial(context.Background(), "fs:8021", WithDialer(d), WithPassword("x\napi status"))
	if !errors.Is(err, ErrInvalidArgument) || strings.Contains(err.Error(), "api status") {
		t.Fatalf("err = %v", err)
	}
}

// logSink is a log sink safe for the client's goroutines.
type logSink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestPasswordNeverLogged(t *testing.T) {
	var logs logSink
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Refused: the auth-bad capture.
	s := newScript(t, "auth-bad")
	_, err := dialScript(t, s, WithPassword("WrongPassword"), WithLogger(logger))
	if err == nil || strings.Contains(err.Error(), "WrongPassword") {
		t.Fatalf("err = %v", err)
	}
	<-s.done
	// Accepted, then used and closed with debug logging on.
	fs := newFakeFS(t)
	c, err := Dial(context.Background(), "fs:8021", WithDialer(fs.dialer()), WithPassword("s3cr3t-pw"), WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.API(context.Background(), "status"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if got := fs.commands(0); len(got) == 0 || got[0] != "auth s3cr3t-pw" {
		t.Fatalf("server saw %q", got)
	}
	out := logs.String()
	if strings.Contains(out, "WrongPassword") || strings.Contains(out, "s3cr3t-pw") {
		t.Fatalf("password in logs:\n%s", out)
	}
	if !strings.Contains(out, "command=\"api status\"") {
		t.Fatalf("debug logging did not happen:\n%s", out)
	}
}

func TestHandleAndJobRelease(t *testing.T) {
	fs := newFakeFS(t)
	fs.eventOn = "event plain CHANNEL_"
	ctx := context.Background()
	c, err := Dial(ctx, "fs:8021", WithDialer(fs.dialer()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := make(chan string, 1)
	h := c.Handle(func(m Message) {
		if m.Kind == KindEvent {
			got <- m.Event.UniqueID()
		}
	}, ForEvents(EventChannelCreate))
	defer h.Close()
	if err := c.Subscribe(ctx, EventChannelCreate); err != nil {
		t.Fatal(err)
	}
	if id := <-got; id != "conn0" {
		t.Fatalf("handler got %q", id)
	}
	// A job whose waiter gives up is forgotten: nothing stays registered.
	job, err := c.BgAPI(ctx, "status")
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := job.Wait(wctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait: %v", err)
	}
	c.mu.Lock()
	n := len(c.jobs)
	c.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d jobs still registered", n)
	}
	// A BgAPI whose context is already done writes nothing and leaks nothing.
	if _, err := c.BgAPI(wctx, "status"); !errors.Is(err, context.Canceled) {
		t.Fatalf("bgapi with done ctx: %v", err)
	}
	c.mu.Lock()
	n = len(c.jobs)
	c.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d jobs registered after a cancelled BgAPI", n)
	}
}
