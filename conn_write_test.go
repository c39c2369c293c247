package esl

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// recordingConn keeps a copy of every Write, to see how the engine
// batches commands into system calls.
type recordingConn struct {
	net.Conn
	mu     sync.Mutex
	writes [][]byte
}

func (r *recordingConn) Write(b []byte) (int, error) {
	r.mu.Lock()
	r.writes = append(r.writes, bytes.Clone(b))
	r.mu.Unlock()
	return r.Conn.Write(b)
}

func (r *recordingConn) recorded() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.writes...)
}

// splitWholeCommands cuts one write into commands and fails if it ends
// inside one: a write must only ever carry complete commands.
func splitWholeCommands(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	br := bufio.NewReader(bytes.NewReader(b))
	for {
		cmd, err := readCommand(br)
		if err == io.EOF && len(cmd) == 0 {
			return out
		}
		if err != nil {
			t.Fatalf("write ends inside a command: %q (%v)", cmd, err)
		}
		out = append(out, bytes.Clone(cmd))
	}
}

// testCommand is command i of caller g: api commands, and every fifth a
// sendevent with headers and a body, so that coalescing is checked on
// bodies (sent after Content-Length, with no terminator) too.
func testCommand(g, i int) *command {
	id := "g" + strconv.Itoa(g) + "-" + strconv.Itoa(i)
	if i%5 == 0 {
		return &command{
			line:    "sendevent CUSTOM",
			headers: []Header{{Name: "Event-Subclass", Value: "test::coalesce"}, {Name: "X-ID", Value: id}},
			body:    strings.Repeat("body of "+id+"\n", i%7),
		}
	}
	return &command{line: "api echo " + id}
}

// commandID returns the id testCommand put in cmd's bytes.
func commandID(cmd []byte) string {
	s := string(cmd)
	if rest, ok := strings.CutPrefix(s, "api echo "); ok {
		id, _, _ := strings.Cut(rest, "\n")
		return id
	}
	_, rest, _ := strings.Cut(s, "X-ID: ")
	id, _, _ := strings.Cut(rest, "\n")
	return id
}

// Commands queued while a write is in progress leave together in the next
// write, byte for byte in queue order.
func TestConnCoalescesQueuedCommands(t *testing.T) {
	srv, cli := net.Pipe()
	rec := &recordingConn{Conn: cli}
	release := make(chan struct{})
	const n = 50
	serverDone := make(chan []byte)
	go func() {
		defer srv.Close()
		srv.Write([]byte("Content-Type: auth/request\n\n"))
		<-release
		var got bytes.Buffer
		br := bufio.NewReader(srv)
		for range n {
			cmd, err := readCommand(br)
			got.Write(cmd)
			if err != nil {
				break
			}
			if _, err := srv.Write([]byte("Content-Type: command/reply\nReply-Text: +OK\n\n")); err != nil {
				break
			}
		}
		serverDone <- got.Bytes()
	}()
	c := engineOn(t, rec, connConfig{})
	// net.Pipe has no buffer: the first write blocks until the server
	// reads, so everything queued meanwhile must share the second write.
	var want []byte
	waiters := make([]*waiter, n)
	for i := range n {
		cmd := testCommand(0, i)
		want = cmd.appendTo(want)
		waiters[i] = &waiter{ch: make(chan result, 1)}
		if err := c.enqueue(cmd, waiters[i]); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	for i, w := range waiters {
		if res := <-w.ch; res.err != nil || res.rep.text() != "+OK" {
			t.Fatalf("command %d: %+v %v", i, res.rep, res.err)
		}
	}
	if got := <-serverDone; !bytes.Equal(got, want) {
		t.Fatalf("server read\n%q\nwant\n%q", got, want)
	}
	writes := rec.recorded()
	if len(writes) > 2 {
		t.Errorf("%d commands queued behind a blocked write took %d writes, want at most 2", n, len(writes))
	}
	if all := bytes.Join(writes, nil); !bytes.Equal(all, want) {
		t.Fatalf("written bytes differ from the commands in queue order")
	}
}

// Many callers at once: every write carries whole commands, each caller's
// commands reach the server in its own order and byte-exact, and every
// caller gets its own reply.
func TestConnCoalescedWritesUnderConcurrency(t *testing.T) {
	const callers, each = 64, 40
	srv, cli := net.Pipe()
	rec := &recordingConn{Conn: cli}
	var gotMu sync.Mutex
	got := map[string][]byte{} // id -> bytes as the server read them
	order := map[int]int{}     // caller -> next command index expected
	bad := make(chan string, 1)
	report := func(s string) {
		select {
		case bad <- s:
		default:
		}
	}
	go func() {
		defer srv.Close()
		srv.Write([]byte("Content-Type: auth/request\n\n"))
		br := bufio.NewReader(srv)
		for {
			cmd, err := readCommand(br)
			if err != nil {
				return
			}
			id := commandID(cmd)
			g, i, ok := parseTestID(id)
			if !ok {
				report("unparsable command " + strconv.Quote(string(cmd)))
				return
			}
			gotMu.Lock()
			if order[g] != i {
				report("caller " + strconv.Itoa(g) + ": command " + strconv.Itoa(i) + " arrived when " + strconv.Itoa(order[g]) + " was due")
			}
			order[g] = i + 1
			got[id] = bytes.Clone(cmd)
			gotMu.Unlock()
			if _, err := srv.Write([]byte("Content-Type: api/response\nContent-Length: " + strconv.Itoa(len(id)) + "\n\n" + id)); err != nil {
				return
			}
		}
	}()
	c := engineOn(t, rec, connConfig{})
	var wg sync.WaitGroup
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				cmd := testCommand(g, i)
				id := "g" + strconv.Itoa(g) + "-" + strconv.Itoa(i)
				rep, err := c.roundTrip(context.Background(), cmd)
				if err != nil || rep.body != id {
					t.Errorf("%s: got %+v %v", id, rep, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case s := <-bad:
		t.Fatal(s)
	default:
	}
	gotMu.Lock()
	defer gotMu.Unlock()
	for g := range callers {
		for i := range each {
			id := "g" + strconv.Itoa(g) + "-" + strconv.Itoa(i)
			if want := testCommand(g, i).appendTo(nil); !bytes.Equal(got[id], want) {
				t.Fatalf("%s: server read %q, want %q", id, got[id], want)
			}
		}
	}
	total := 0
	for _, w := range rec.recorded() {
		total += len(splitWholeCommands(t, w))
	}
	if total != callers*each {
		t.Fatalf("writes carried %d commands, want %d", total, callers*each)
	}
}

func parseTestID(id string) (g, i int, ok bool) {
	gs, is, found := strings.Cut(strings.TrimPrefix(id, "g"), "-")
	if !found {
		return 0, 0, false
	}
	g, err1 := strconv.Atoi(gs)
	i, err2 := strconv.Atoi(is)
	return g, i, err1 == nil && err2 == nil
}
