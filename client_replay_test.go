package esl

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// scriptServer plays a capture's server side for a Client. Each command
// the client writes must equal the capture's next command, except:
//   - Job-UUID header lines are ignored (the client makes its own), and the
//     capture's job ids are rewritten to the client's in later frames;
//   - the client's own helpers (event … BACKGROUND_JOB, filter [delete]
//     Job-UUID …) get a made-up +OK and are recorded as extras;
//   - capture commands listed in skip may be left out by the client: their
//     events and logs are still sent, their replies are not.
//
// Anything else is a test failure.
type scriptServer struct {
	t      testing.TB
	cmds   [][]byte   // capture commands, raw
	frames [][][]byte // frames sent in answer to each command (last is its reply)
	greet  [][]byte
	tail   [][]byte // frames after the last reply
	skip   map[int]bool
	nc     net.Conn
	done   chan struct{}

	mu     sync.Mutex
	extras []string
	wrote  [][]byte
}

var jobHeader = regexp.MustCompile(`(?m)^Job-UUID: [^\n]*\n`)

func normCommand(b []byte) []byte { return jobHeader.ReplaceAll(b, nil) }

func newScript(t testing.TB, name string) *scriptServer {
	cp := loadCapture(t, name)
	s := &scriptServer{t: t, skip: map[int]bool{}, done: make(chan struct{})}
	br := bufio.NewReader(bytes.NewReader(cp.client))
	for {
		cmd, err := readCommand(br)
		if len(cmd) > 0 {
			s.cmds = append(s.cmds, cmd)
		}
		if err != nil {
			break
		}
	}
	i := 0
	for i < len(cp.frames) && !isReply(cp.frames[i]) {
		s.greet = append(s.greet, cp.frames[i])
		i++
	}
	for range s.cmds {
		var group [][]byte
		for i < len(cp.frames) {
			f := cp.frames[i]
			i++
			group = append(group, f)
			if isReply(f) {
				break
			}
		}
		s.frames = append(s.frames, group)
	}
	s.tail = cp.frames[i:]
	return s
}

// dialer returns a ContextDialer that connects the client to this script.
func (s *scriptServer) dialer() ContextDialer {
	return dialerFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
		srv, cli := net.Pipe()
		s.nc = srv
		go s.run()
		return cli, nil
	})
}

type dialerFunc func(ctx context.Context, network, addr string) (net.Conn, error)

func (f dialerFunc) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return f(ctx, network, addr)
}

func commandLine(b []byte) string {
	line, _, _ := strings.Cut(string(b), "\n")
	return line
}

func (s *scriptServer) run() {
	defer close(s.done)
	defer s.nc.Close()
	write := func(f []byte) bool {
		_, err := s.nc.Write(f)
		return err == nil
	}
	for _, f := range s.greet {
		if !write(f) {
			return
		}
	}
	br := bufio.NewReader(s.nc)
	rewrite := map[string]string{}
	apply := func(f []byte) []byte {
		for from, to := range rewrite {
			f = bytes.ReplaceAll(f, []byte(from), []byte(to))
		}
		return f
	}
	next := 0
	for next < len(s.cmds) {
		got, err := readCommand(br)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.wrote = append(s.wrote, got)
		s.mu.Unlock()
		line := commandLine(got)
		if isHelper(line) && !bytes.Equal(got, s.cmds[next]) {
			s.mu.Lock()
			s.extras = append(s.extras, line)
			s.mu.Unlock()
			if !write([]byte("Content-Type: command/reply\nReply-Text: +OK helper\n\n")) {
				return
			}
			continue
		}
		// Find the capture command this is, skipping allowed ones.
		j := next
		for j < len(s.cmds) && !bytes.Equal(normCommand(got), normCommand(s.cmds[j])) && s.skip[j] {
			j++
		}
		if j >= len(s.cmds) || !bytes.Equal(normCommand(got), normCommand(s.cmds[j])) {
			s.t.Errorf("client wrote %q, capture expects %q", got, s.cmds[next])
			write([]byte("Content-Type: command/reply\nReply-Text: -ERR unexpected\n\n"))
			continue
		}
		for k := next; k < j; k++ { // skipped: their events, not their replies
			for _, f := range s.frames[k] {
				if !isReply(f) && !write(apply(f)) {
					return
				}
			}
		}
		group := s.frames[j]
		if m := jobHeader.Find(got); m != nil {
			if rm := jobHeader.Find(group[len(group)-1]); rm != nil && !bytes.Equal(m, rm) {
				rewrite[string(rm[len("Job-UUID: "):len(rm)-1])] = string(m[len("Job-UUID: ") : len(m)-1])
			}
		}
		for _, f := range group {
			if !write(apply(f)) {
				return
			}
		}
		next = j + 1
	}
	for _, f := range s.tail {
		if !write(apply(f)) {
			return
		}
	}
}

func isHelper(line string) bool {
	return strings.HasPrefix(line, "event ") && strings.HasSuffix(line, " BACKGROUND_JOB") ||
		strings.HasPrefix(line, "filter Job-UUID ") || strings.HasPrefix(line, "filter delete Job-UUID ")
}

func (s *scriptServer) helpers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.extras...)
}

// dialScript dials a Client to a script server.
func dialScript(t *testing.T, s *scriptServer, opts ...Option) (*Client, error) {
	t.Helper()
	return Dial(context.Background(), "fs:8021", append([]Option{WithDialer(s.dialer())}, opts...)...)
}
