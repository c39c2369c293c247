package esl

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eslkit/esl/internal/wire"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// engineOn starts a conn over cli after consuming the greeting.
func engineOn(t *testing.T, cli net.Conn, cfg connConfig) *conn {
	t.Helper()
	r := wire.NewReader(cli, wire.Limits{})
	f, err := r.ReadFrame()
	if err != nil || f.ContentType() != wire.TypeAuthRequest {
		t.Fatalf("greeting: %v %v", f, err)
	}
	c := newConn(cli, r, cfg)
	t.Cleanup(c.close)
	return c
}

// splitCommands cuts a client byte stream into command lines.
func commandLines(b []byte) []string {
	var out []string
	br := bufio.NewReader(bytes.NewReader(b))
	for {
		cmd, err := readCommand(br)
		if len(cmd) > 0 {
			line, _, _ := strings.Cut(string(cmd), "\n")
			out = append(out, line)
		}
		if err != nil {
			return out
		}
	}
}

func TestConnReplaysAPICapture(t *testing.T) {
	cp := loadCapture(t, "api")
	srv, cli := newReplay(t, cp)
	srv.start()
	c := engineOn(t, cli, connConfig{})
	ctx := context.Background()
	lines := commandLines(cp.client)
	var bodies []string
	for _, line := range lines {
		rep, err := c.roundTrip(ctx, &command{line: line, secret: strings.HasPrefix(line, "auth ")})
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		bodies = append(bodies, rep.body)
	}
	<-c.done
	var de *DisconnectError
	if !errors.As(c.err(), &de) || de.Reason != ReasonNotice || !strings.HasPrefix(de.Notice, "Disconnected, goodbye.") {
		t.Fatalf("terminal error = %v", c.err())
	}
	<-srv.done
	if got := srv.written(); !bytes.Equal(got, cp.client) {
		t.Fatalf("client wrote\n%q\nwant\n%q", got, cp.client)
	}
	if bodies[4] != "fs-lab" || bodies[11] != "héllo wörld 你好" {
		t.Fatalf("bodies: %q %q", bodies[4], bodies[11])
	}
	var ce *CommandError
	if err := (&reply{cmd: commandName{line: "api no_such_command"}, contentType: wire.TypeAPIResponse, body: bodies[8]}).err(); !errors.As(err, &ce) || ce.Reply != "-ERR no_such_command Command not found!\n" {
		t.Fatalf("no_such_command: %v", err)
	}
}

func TestConnPipelinedRepliesInOrder(t *testing.T) {
	cp := loadCapture(t, "pipelined-api")
	// Serve the whole capture at once after the client wrote everything:
	// replies must be matched in FIFO order however they are batched.
	srv, cli := net.Pipe()
	lines := commandLines(cp.client)
	var gotClient bytes.Buffer
	serverDone := make(chan struct{})
	go func() {
		defer close(serverDone)
		defer srv.Close()
		srv.Write(cp.frames[0])
		br := bufio.NewReader(srv)
		for range lines {
			cmd, err := readCommand(br)
			gotClient.Write(cmd)
			if err != nil {
				return
			}
		}
		for _, f := range cp.frames[1:] {
			if _, err := srv.Write(f); err != nil {
				return
			}
		}
	}()
	var evMu sync.Mutex
	var events []*Event
	c := engineOn(t, cli, connConfig{onEvent: func(_ *conn, ev *Event) {
		evMu.Lock()
		events = append(events, ev)
		evMu.Unlock()
	}})
	type res struct {
		rep *reply
		err error
	}
	results := make([]chan res, len(lines))
	ctx := context.Background()
	// Queue all commands in wire order from one goroutine each, in order.
	for i, line := range lines {
		results[i] = make(chan res, 1)
		w := &waiter{ch: make(chan result, 1), cmd: line}
		if err := c.enqueue(&command{line: line}, w); err != nil {
			t.Fatal(err)
		}
		go func(i int) {
			select {
			case r := <-w.ch:
				results[i] <- res{r.rep, r.err}
			case <-ctx.Done():
			}
		}(i)
	}
	for i, line := range lines {
		r := <-results[i]
		switch {
		case line == "exit":
			if r.err != nil || r.rep.text() != "+OK bye" {
				t.Fatalf("exit: %v %v", r.rep, r.err)
			}
		case strings.HasPrefix(line, "api "):
			if r.err != nil || r.rep.contentType != wire.TypeAPIResponse {
				t.Fatalf("%d %s: %+v %v", i, line, r.rep, r.err)
			}
		case strings.HasPrefix(line, "bgapi "):
			if r.err != nil || !strings.HasPrefix(r.rep.text(), "+OK Job-UUID: ") || r.rep.headers.Get("Job-UUID") == "" {
				t.Fatalf("%d %s: %+v %v", i, line, r.rep, r.err)
			}
		case strings.HasPrefix(line, "event "):
			if r.err != nil || r.rep.text() != "+OK event listener enabled plain" {
				t.Fatalf("%d %s: %+v %v", i, line, r.rep, r.err)
			}
		}
	}
	<-c.done
	<-serverDone
	if !bytes.Equal(gotClient.Bytes(), cp.client) {
		t.Fatalf("client bytes differ")
	}
	evMu.Lock()
	defer evMu.Unlock()
	if len(events) != 1 || events[0].Get("Event-Name") != "BACKGROUND_JOB" {
		t.Fatalf("events: %d", len(events))
	}
}

func TestConnAbandonedWaiterKeepsOrder(t *testing.T) {
	srv, cli := net.Pipe()
	release := make(chan struct{})
	gotFirst := make(chan struct{})
	go func() {
		defer srv.Close()
		srv.Write([]byte("Content-Type: auth/request\n\n"))
		br := bufio.NewReader(srv)
		for i := 0; ; i++ {
			cmd, err := readCommand(br)
			if err != nil {
				return
			}
			if i == 0 {
				close(gotFirst)
				<-release // hold the first reply until its caller gave up
			}
			body := strings.TrimPrefix(strings.TrimSpace(string(cmd)), "api echo ")
			if _, err := srv.Write([]byte("Content-Type: api/response\nContent-Length: " + itoa(len(body)) + "\n\n" + body)); err != nil {
				return
			}
		}
	}()
	c := engineOn(t, cli, connConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.roundTrip(ctx, &command{line: "api echo first"})
		errc <- err
	}()
	<-gotFirst // the first command is on the wire before the second
	second := make(chan *reply, 1)
	go func() {
		rep, err := c.roundTrip(context.Background(), &command{line: "api echo second"})
		if err != nil {
			t.Error(err)
		}
		second <- rep
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("first: %v", err)
	}
	close(release)
	if rep := <-second; rep == nil || rep.body != "second" {
		t.Fatalf("second got %+v", rep)
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func TestConnRefusesNewlineInjection(t *testing.T) {
	srv, cli := net.Pipe()
	got := make(chan []byte, 1)
	go func() {
		defer srv.Close()
		srv.Write([]byte("Content-Type: auth/request\n\n"))
		var buf bytes.Buffer
		b := make([]byte, 512)
		for {
			n, err := srv.Read(b)
			buf.Write(b[:n])
			if err != nil {
				got <- buf.Bytes()
				return
			}
		}
	}()
	c := engineOn(t, cli, connConfig{})
	cases := []*command{
		{line: "api echo hi\nexit"},
		{line: "api echo hi\r"},
		{line: "sendevent CUSTOM", headers: []Header{{Name: "X-A", Value: "1\nEvent-Name: HEARTBEAT"}}},
		{line: "sendevent CUSTOM", headers: []Header{{Name: "X\nA", Value: "1"}}},
		{line: "sendevent CUSTOM", headers: []Header{{Name: "Content-Length", Value: "1"}}},
		{line: ""},
	}
	for _, cmd := range cases {
		_, err := c.roundTrip(context.Background(), cmd)
		var ae *ArgumentError
		if !errors.Is(err, ErrInvalidArgument) || !errors.As(err, &ae) {
			t.Errorf("%q: err = %v", cmd.line, err)
		}
	}
	c.close()
	if b := <-got; len(b) != 0 {
		t.Fatalf("wrote %q", b)
	}
}

func TestConnLingerIsInformational(t *testing.T) {
	cp := loadCapture(t, "linger-exit")
	srv, cli := newReplay(t, cp)
	srv.start()
	var mu sync.Mutex
	var lingers []*Event
	var names []string
	c := engineOn(t, cli, connConfig{
		onLinger: func(_ *conn, n *Event) { mu.Lock(); lingers = append(lingers, n); mu.Unlock() },
		onEvent:  func(_ *conn, ev *Event) { mu.Lock(); names = append(names, ev.Get("Event-Name")); mu.Unlock() },
	})
	for _, line := range commandLines(cp.client) {
		if _, err := c.roundTrip(context.Background(), &command{line: line}); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	<-c.done
	<-srv.done
	mu.Lock()
	defer mu.Unlock()
	if len(lingers) != 1 || lingers[0].Get("Linger-Time") != "5" || lingers[0].Get("Channel-Name") != "loopback/8888-a" {
		t.Fatalf("lingers: %v", lingers)
	}
	if len(names) != 6 || names[len(names)-1] != "CHANNEL_HANGUP_COMPLETE" {
		t.Fatalf("events after linger: %v", names)
	}
	var de *DisconnectError
	if !errors.As(c.err(), &de) || de.Reason != ReasonNotice || de.Disposition != "disconnect" {
		t.Fatalf("end: %v", c.err())
	}
}

func TestConnEOFFailsPending(t *testing.T) {
	srv, cli := net.Pipe()
	go func() {
		srv.Write([]byte("Content-Type: auth/request\n\n"))
		br := bufio.NewReader(srv)
		readCommand(br)
		srv.Close()
	}()
	c := engineOn(t, cli, connConfig{})
	_, err := c.roundTrip(context.Background(), &command{line: "api status"})
	var de *DisconnectError
	if !errors.Is(err, ErrDisconnected) || !errors.As(err, &de) || de.Reason != ReasonEOF {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.roundTrip(context.Background(), &command{line: "api status"}); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("after end: %v", err)
	}
}

func TestConnIdleLimit(t *testing.T) {
	srv, cli := net.Pipe()
	defer srv.Close()
	go srv.Write([]byte("Content-Type: auth/request\n\n"))
	c := engineOn(t, cli, connConfig{idleLimit: 20 * time.Millisecond})
	<-c.done
	var de *DisconnectError
	if !errors.As(c.err(), &de) || de.Reason != ReasonIdle || !errors.Is(c.err(), ErrTimeout) {
		t.Fatalf("err = %v", c.err())
	}
}

// TestConnConcurrentCallersGetTheirOwnReplies hammers one connection from
// many goroutines, mixing awaited commands with fire-and-forget ones (as
// the reader's hooks send), and checks every reply and every byte on the
// wire: a writer that reused a buffer still being filled would corrupt
// commands or cross replies.
func TestConnConcurrentCallersGetTheirOwnReplies(t *testing.T) {
	srv, cli := net.Pipe()
	bad := make(chan string, 1)
	go func() {
		defer srv.Close()
		srv.Write([]byte("Content-Type: auth/request\n\n"))
		br := bufio.NewReader(srv)
		for {
			cmd, err := readCommand(br)
			if err != nil {
				return
			}
			line := strings.TrimSpace(string(cmd))
			body, ok := strings.CutPrefix(line, "api echo ")
			if !ok {
				if !strings.HasPrefix(line, "filter delete Job-UUID ") {
					select {
					case bad <- line:
					default:
					}
				}
				body = "+OK"
			}
			if _, err := srv.Write([]byte("Content-Type: api/response\nContent-Length: " + itoa(len(body)) + "\n\n" + body)); err != nil {
				return
			}
		}
	}()
	c := engineOn(t, cli, connConfig{})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				want := "g" + itoa(g) + "-" + itoa(i)
				if i%3 == 0 {
					if err := c.send(&command{line: "filter delete Job-UUID " + want}); err != nil {
						t.Error(err)
						return
					}
				}
				rep, err := c.roundTrip(context.Background(), &command{line: "api echo " + want})
				if err != nil || rep.body != want {
					t.Errorf("%s: got %+v %v", want, rep, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case line := <-bad:
		t.Fatalf("server read a corrupt command %q", line)
	default:
	}
}
