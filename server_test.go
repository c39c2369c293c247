package esl

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServer serves srv on 127.0.0.1:0 and shuts it down at cleanup.
func startServer(t *testing.T, srv *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return l.Addr().String()
}

// dialFS plays FreeSWITCH's socket application: it connects to addr.
func dialFS(t *testing.T, addr string) *obFS {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return newObFS(t, nc)
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestServerServesConcurrentCalls(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	srv := &Server{Handler: HandlerFunc(func(ctx context.Context, s *Session) {
		resp, err := s.Execute(ctx, "answer", "")
		mu.Lock()
		seen[s.UUID()] = resp
		mu.Unlock()
		if err != nil {
			t.Errorf("answer: %v", err)
		}
	})}
	addr := startServer(t, srv)
	const calls = 8
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := dialFS(t, addr)
			uuid := "00000000-0000-4000-8000-00000000000" + string(rune('a'+i))
			f.expect("connect")
			f.write(strings.ReplaceAll(connectReply(t, "async", "full"), testUUID, uuid))
			f.expect("myevents")
			f.write(cmdReply("+OK Events Enabled"))
			cmd := f.expect("sendmsg")
			f.write(cmdReply("+OK"), plainEvent("Event-Name", "CHANNEL_EXECUTE_COMPLETE", "Unique-ID", uuid,
				"Application", "answer", "Application-Response", "answered "+uuid[len(uuid)-1:], "Application-UUID", headerOf(cmd, "Event-UUID")))
			if rest := f.next(); rest != "" {
				t.Errorf("after the handler returned: %q", rest)
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != calls {
		t.Fatalf("%d calls handled, want %d", len(seen), calls)
	}
	for uuid, resp := range seen {
		if resp != "answered "+uuid[len(uuid)-1:] {
			t.Errorf("%s got %q", uuid, resp)
		}
	}
}

func TestServerCapRefusesExtraConnectionsCleanly(t *testing.T) {
	running := make(chan struct{})
	release := make(chan struct{})
	var logs syncBuffer
	srv := &Server{
		MaxSessions: 1,
		Logger:      slog.New(slog.NewTextHandler(&logs, nil)),
		Handler: HandlerFunc(func(ctx context.Context, s *Session) {
			running <- struct{}{}
			<-release
		}),
	}
	addr := startServer(t, srv)
	first := dialFS(t, addr)
	first.handshake("async", "full")
	<-running

	second := dialFS(t, addr)
	if cmd := second.next(); cmd != "exit\n\n" {
		t.Errorf("refused connection got %q, want exit", cmd)
	}
	if _, err := second.br.ReadByte(); err != io.EOF {
		t.Errorf("refused connection not closed: %v", err)
	}
	if srv.Refused() != 1 || srv.ActiveSessions() != 1 {
		t.Errorf("refused %d active %d", srv.Refused(), srv.ActiveSessions())
	}
	if !strings.Contains(logs.String(), "session cap reached") {
		t.Errorf("refusal not logged: %s", logs.String())
	}

	close(release)
	if first.next() != "" {
		t.Error("first connection not closed after its handler returned")
	}
	// Room again: the next call is served. The first session's slot is
	// given back just after its socket closes, so a dial at once may still
	// meet the cap and be sent exit: dial again until one is admitted.
	third := dialFS(t, addr)
	for cmd := third.next(); !strings.HasPrefix(cmd, "connect\n"); cmd = third.next() {
		if cmd != "exit\n\n" {
			t.Fatalf("third connection got %q, want connect (or exit while the slot is still taken)", cmd)
		}
		third = dialFS(t, addr)
	}
	third.write(connectReply(t, "async", "full"))
	third.expect("myevents")
	third.write(cmdReply("+OK Events Enabled"))
	<-running
	third.next()
}

func TestServerRecoversHandlerPanic(t *testing.T) {
	var logs syncBuffer
	var calls sync.Mutex
	n := 0
	srv := &Server{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Handler: HandlerFunc(func(ctx context.Context, s *Session) {
			calls.Lock()
			n++
			first := n == 1
			calls.Unlock()
			if first {
				panic("handler bug")
			}
			if err := s.Answer(ctx); err != nil {
				t.Errorf("second call: %v", err)
			}
		}),
	}
	addr := startServer(t, srv)
	f := dialFS(t, addr)
	f.handshake("async", "full")
	if cmd := f.next(); cmd != "" {
		t.Errorf("panicking handler's connection got %q, want close", cmd)
	}
	out := logs.String()
	if !strings.Contains(out, "panic in outbound handler") || !strings.Contains(out, "handler bug") || !strings.Contains(out, testUUID) {
		t.Errorf("panic not logged with its call: %s", out)
	}
	// The server keeps serving.
	g := dialFS(t, addr)
	g.handshake("async", "full")
	cmd := g.expect("sendmsg")
	g.write(cmdReply("+OK"), plainEvent("Event-Name", "CHANNEL_EXECUTE_COMPLETE", "Unique-ID", testUUID,
		"Application", "answer", "Application-UUID", headerOf(cmd, "Event-UUID")))
	g.next()
}

func TestServerShutdownWaitsForCalls(t *testing.T) {
	running := make(chan struct{})
	release := make(chan struct{})
	srv := &Server{Handler: HandlerFunc(func(ctx context.Context, s *Session) {
		close(running)
		<-release
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	f := dialFS(t, l.Addr().String())
	f.handshake("async", "full")
	<-running

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown with a running call: %v", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Error("still accepting after Shutdown")
	}
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	close(release)
	if err := <-done; err != nil {
		t.Errorf("Shutdown after the call ended: %v", err)
	}
	if err := srv.ListenAndServe(); !errors.Is(err, ErrServerClosed) {
		t.Errorf("ListenAndServe after Shutdown: %v", err)
	}
}

func TestServerCloseEndsCalls(t *testing.T) {
	causes := make(chan error, 1)
	running := make(chan struct{})
	srv := &Server{Handler: HandlerFunc(func(ctx context.Context, s *Session) {
		close(running)
		<-ctx.Done()
		causes <- context.Cause(ctx)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	f := dialFS(t, l.Addr().String())
	f.handshake("async", "full")
	<-running
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-causes; !errors.Is(err, ErrDisconnected) {
		t.Errorf("session cause after Close: %v", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown after Close: %v", err)
	}
}

func TestServerWithoutHandler(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := (&Server{}).Serve(l); err == nil {
		t.Error("Serve without a Handler succeeded")
	}
}

func TestServerLogsFailedHandshake(t *testing.T) {
	var logs syncBuffer
	called := false
	srv := &Server{
		HandshakeTimeout: 30 * time.Millisecond,
		Logger:           slog.New(slog.NewTextHandler(&logs, nil)),
		Handler:          HandlerFunc(func(ctx context.Context, s *Session) { called = true }),
	}
	addr := startServer(t, srv)
	f := dialFS(t, addr)
	f.expect("connect")
	if f.next() != "" { // no reply: the server gives up and closes
		t.Error("connection not closed")
	}
	if err := srv.Shutdown(context.Background()); err != nil { // waits until the connection is released
		t.Fatal(err)
	}
	if called {
		t.Error("handler ran without a handshake")
	}
	if !strings.Contains(logs.String(), "handshake failed") {
		t.Errorf("not logged: %s", logs.String())
	}
}
