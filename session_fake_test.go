package esl

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// outboundReplay plays FreeSWITCH's side of an outbound capture: nothing
// until the first command; then, for each command read, the frames up to
// and including its reply plus the events that followed that reply in the
// capture (FreeSWITCH sent them before the application's next command).
// It records every byte the session wrote.
type outboundReplay struct {
	frames [][]byte
	nc     net.Conn
	mu     sync.Mutex
	got    bytes.Buffer
	done   chan struct{}
}

func startOutboundReplay(t *testing.T, name string) (*outboundReplay, net.Conn) {
	t.Helper()
	c := loadCapture(t, name)
	fs, app := net.Pipe()
	r := &outboundReplay{frames: c.frames, nc: fs, done: make(chan struct{})}
	go r.run()
	t.Cleanup(func() {
		fs.Close()
		<-r.done
	})
	return r, app
}

func (r *outboundReplay) run() {
	defer close(r.done)
	defer r.nc.Close()
	br := bufio.NewReader(r.nc)
	i := 0
	for {
		cmd, err := readCommand(br)
		r.mu.Lock()
		r.got.Write(cmd)
		r.mu.Unlock()
		if err != nil {
			return // the session closed the socket
		}
		replied := false
		for i < len(r.frames) && !(replied && isReply(r.frames[i])) {
			f := r.frames[i]
			replied = replied || isReply(f)
			i++
			if _, err := r.nc.Write(f); err != nil {
				return
			}
		}
	}
}

func (r *outboundReplay) written() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.got.Bytes())
}

// obFS is a scriptable FreeSWITCH end of an outbound connection.
type obFS struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func newObFS(t *testing.T, nc net.Conn) *obFS {
	return &obFS{t: t, nc: nc, br: bufio.NewReader(nc)}
}

// next reads one command; "" when the session closed the connection.
func (f *obFS) next() string {
	b, err := readCommand(f.br)
	if err != nil {
		return ""
	}
	return string(b)
}

// expect reads one command and fails the test unless its first line is
// line.
func (f *obFS) expect(line string) string {
	f.t.Helper()
	cmd := f.next()
	if got, _, _ := strings.Cut(cmd, "\n"); got != line {
		f.t.Errorf("command %q, want first line %q", cmd, line)
	}
	return cmd
}

func (f *obFS) write(frames ...string) {
	for _, fr := range frames {
		if _, err := f.nc.Write([]byte(fr)); err != nil {
			return
		}
	}
}

func cmdReply(text string) string {
	return "Content-Type: command/reply\nReply-Text: " + text + "\n\n"
}

func apiReply(body string) string {
	return "Content-Type: api/response\nContent-Length: " + strconv.Itoa(len(body)) + "\n\n" + body
}

// plainEvent builds a text/event-plain frame from name/value pairs.
func plainEvent(kv ...string) string {
	var b []byte
	for i := 0; i+1 < len(kv); i += 2 {
		b = append(b, kv[i]...)
		b = append(b, ": "...)
		b = wire.PercentEncode(b, kv[i+1])
		b = append(b, '\n')
	}
	b = append(b, '\n')
	return "Content-Length: " + strconv.Itoa(len(b)) + "\nContent-Type: text/event-plain\n\n" + string(b)
}

const testUUID = "e80df529-3c46-48e0-a663-fe51db05bd96"

// connectReply is the real connect reply of outbound-7777 with its
// Socket-Mode and Control replaced.
func connectReply(t *testing.T, mode, control string) string {
	t.Helper()
	first := string(loadCapture(t, "outbound-7777").frames[0])
	first = strings.Replace(first, "Socket-Mode: async", "Socket-Mode: "+mode, 1)
	return strings.Replace(first, "Control: full", "Control: "+control, 1)
}

// handshake plays FreeSWITCH's side of connect and myevents.
func (f *obFS) handshake(mode, control string) {
	f.t.Helper()
	f.expect("connect")
	f.write(connectReply(f.t, mode, control))
	f.expect("myevents")
	f.write(cmdReply("+OK Events Enabled"))
}

// pipeSession starts a session over net.Pipe; script plays FreeSWITCH on
// its own goroutine. The session is closed at cleanup.
func pipeSession(t *testing.T, cfg sessionConfig, script func(f *obFS)) *Session {
	t.Helper()
	fs, app := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer fs.Close()
		script(newObFS(t, fs))
	}()
	s, err := newSession(context.Background(), app, cfg)
	if err != nil {
		fs.Close()
		<-done
		t.Fatalf("newSession: %v", err)
	}
	t.Cleanup(func() {
		s.close()
		<-done
	})
	return s
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
