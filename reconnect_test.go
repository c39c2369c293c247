package esl

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeFS is a tiny FreeSWITCH for connection-level tests: it accepts any
// number of connections, authenticates, answers every command with a
// plausible +OK, and records what each connection received.
type fakeFS struct {
	t        *testing.T
	mu       sync.Mutex
	conns    []net.Conn
	cmds     [][]string
	hang     string // commands starting with this get no reply
	eventOn  string // after replying to commands starting with this, send an event
	badAuth  atomic.Bool
	wg       sync.WaitGroup
	accepted chan int
	seen     chan string
}

func newFakeFS(t *testing.T) *fakeFS {
	f := &fakeFS{t: t, accepted: make(chan int, 16), seen: make(chan string, 256)}
	t.Cleanup(func() {
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return f
}

func (f *fakeFS) dialer() ContextDialer {
	return dialerFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
		srv, cli := net.Pipe()
		f.mu.Lock()
		idx := len(f.conns)
		f.conns = append(f.conns, srv)
		f.cmds = append(f.cmds, nil)
		f.mu.Unlock()
		f.wg.Add(1)
		go f.serve(idx, srv)
		return cli, nil
	})
}

func (f *fakeFS) commands(i int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cmds[i]...)
}

// kill drops connection i without a notice.
func (f *fakeFS) kill(i int) {
	f.mu.Lock()
	c := f.conns[i]
	f.mu.Unlock()
	c.Close()
}

func (f *fakeFS) serve(idx int, nc net.Conn) {
	defer f.wg.Done()
	defer nc.Close()
	w := func(s string) bool { _, err := nc.Write([]byte(s)); return err == nil }
	if !w("Content-Type: auth/request\n\n") {
		return
	}
	br := bufio.NewReader(nc)
	for n := 0; ; n++ {
		cmd, err := readCommand(br)
		if err != nil {
			return
		}
		line, _, _ := strings.Cut(string(cmd), "\n")
		f.mu.Lock()
		f.cmds[idx] = append(f.cmds[idx], line)
		hang := f.hang != "" && strings.HasPrefix(line, f.hang)
		f.mu.Unlock()
		select {
		case f.seen <- line:
		default:
		}
		if n == 0 {
			if f.badAuth.Load() {
				w("Content-Type: command/reply\nReply-Text: -ERR invalid\n\n")
				w("Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n")
				return
			}
			if !w("Content-Type: command/reply\nReply-Text: +OK accepted\n\n") {
				return
			}
			f.accepted <- idx
			continue
		}
		if hang {
			continue
		}
		var ok bool
		switch {
		case strings.HasPrefix(line, "api "):
			body := strings.TrimPrefix(line, "api ")
			ok = w("Content-Type: api/response\nContent-Length: " + itoa(len(body)) + "\n\n" + body)
		case strings.HasPrefix(line, "bgapi "):
			ok = w("Content-Type: command/reply\nReply-Text: +OK Job-UUID: x\nJob-UUID: x\n\n")
		default:
			ok = w("Content-Type: command/reply\nReply-Text: +OK\n\n")
		}
		if ok && f.eventOn != "" && strings.HasPrefix(line, f.eventOn) {
			body := "Event-Name: CHANNEL_CREATE\nUnique-ID: conn" + itoa(idx) + "\n\n"
			ok = w("Content-Length: " + itoa(len(body)) + "\nContent-Type: text/event-plain\n\n" + body)
		}
		if !ok {
			return
		}
	}
}

func TestReconnectRestoresStateOnce(t *testing.T) {
	fs := newFakeFS(t)
	fs.hang = "api hang"
	fs.eventOn = "event plain CHANNEL_"
	ctx := context.Background()
	c, err := Dial(ctx, "fs:8021", WithDialer(fs.dialer()), WithReconnect(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-fs.accepted
	sub := c.Listen()
	defer sub.Close()
	for _, err := range []error{
		c.Subscribe(ctx, EventChannelCreate, EventChannelAnswer),
		c.SubscribeCustom(ctx, "sofia::register"),
		c.Subscribe(ctx, EventHeartbeat),
		c.Unsubscribe(ctx, EventHeartbeat),
		c.Filter(ctx, "Unique-ID", "abc"),
		c.Log(ctx, LogInfo),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	job, err := c.BgAPI(ctx, "status")
	if err != nil {
		t.Fatal(err)
	}
	pending := make(chan error, 1)
	go func() {
		_, err := c.API(ctx, "hang forever")
		pending <- err
	}()
	// Wait until the hanging command reached the server, then cut.
	for line := range fs.seen {
		if strings.HasPrefix(line, "api hang") {
			break
		}
	}
	fs.kill(0)
	if err := <-pending; !errors.Is(err, ErrDisconnected) {
		t.Fatalf("pending api: %v", err)
	}
	if _, err := job.Wait(ctx); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("job: %v", err)
	}
	m0, _ := sub.Next(ctx)
	m1, _ := sub.Next(ctx)
	m2, _ := sub.Next(ctx)
	m2b, _ := sub.Next(ctx)
	if m0.Kind != KindEvent || m0.Event.UniqueID() != "conn0" {
		t.Fatalf("first event: %+v", m0)
	}
	// The new connection's first event comes after the Reconnected notice.
	if m1.Kind != KindDisconnected || m2.Kind != KindReconnected || m2.Err != nil || m2b.Kind != KindEvent || m2b.Event.UniqueID() != "conn1" {
		t.Fatalf("notices: %v %v (%v) %v", m1.Kind, m2.Kind, m2.Err, m2b.Kind)
	}
	if idx := <-fs.accepted; idx != 1 {
		t.Fatalf("connection %d", idx)
	}
	got := fs.commands(1)
	want := []string{
		"auth ClueCon",
		"event plain CHANNEL_ANSWER CHANNEL_CREATE CUSTOM sofia::register",
		"filter Unique-ID abc",
		"log 6",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("restored:\n%q\nwant\n%q", got, want)
	}
	if out, err := c.API(ctx, "echo hi"); err != nil || out != "echo hi" {
		t.Fatalf("after reconnect: %q %v", out, err)
	}
	// A wrong password on the next reconnect is final.
	fs.badAuth.Store(true)
	fs.kill(1)
	m3, _ := sub.Next(ctx)
	if m3.Kind != KindDisconnected {
		t.Fatalf("got %v", m3.Kind)
	}
	if _, ok := sub.Next(ctx); ok {
		t.Fatal("stream should end")
	}
	if !errors.Is(sub.Err(), ErrAuthFailed) {
		t.Fatalf("end: %v", sub.Err())
	}
	if _, err := c.API(ctx, "status"); !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("api after auth failure: %v", err)
	}
}

func TestLivenessLimitWithHeartbeat(t *testing.T) {
	fs := newFakeFS(t)
	ctx := context.Background()
	c, err := Dial(ctx, "fs:8021", WithDialer(fs.dialer()), WithLiveness(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub := c.Listen()
	if err := c.Subscribe(ctx, EventHeartbeat); err != nil {
		t.Fatal(err)
	}
	m, _ := sub.Next(ctx)
	var de *DisconnectError
	if m.Kind != KindDisconnected || !errors.As(m.Err, &de) || de.Reason != ReasonIdle {
		t.Fatalf("got %v %v", m.Kind, m.Err)
	}
}

func TestBackoffGrowsWithJitterWithinBounds(t *testing.T) {
	min, max := 10*time.Millisecond, 80*time.Millisecond
	for n := range 8 {
		ceil := min << n
		if ceil > max {
			ceil = max
		}
		for range 50 {
			d := backoff(n, min, max)
			if d < ceil/2 || d > ceil {
				t.Fatalf("attempt %d: %v outside [%v, %v]", n, d, ceil/2, ceil)
			}
		}
	}
}

func TestReconnectRetriesWhenRestoreStalls(t *testing.T) {
	fs := newFakeFS(t)
	ctx := context.Background()
	c, err := Dial(ctx, "fs:8021", WithDialer(fs.dialer()), WithReconnect(1, 2), WithDialTimeout(30*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-fs.accepted
	if err := c.Log(ctx, LogInfo); err != nil {
		t.Fatal(err)
	}
	sub := c.Listen()
	defer sub.Close()
	fs.mu.Lock()
	fs.hang = "log" // the restore of the log level gets no answer
	fs.mu.Unlock()
	fs.kill(0)
	if m, _ := sub.Next(ctx); m.Kind != KindDisconnected {
		t.Fatalf("got %v", m.Kind)
	}
	<-fs.accepted // attempt 1 connects, then stalls in the restore
	<-fs.accepted // so the client tried again
	fs.mu.Lock()
	fs.hang = ""
	fs.mu.Unlock()
	if m, _ := sub.Next(ctx); m.Kind != KindReconnected || m.Err != nil {
		t.Fatalf("got %v %v", m.Kind, m.Err)
	}
	if _, err := c.API(ctx, "echo ok"); err != nil {
		t.Fatal(err)
	}
}
