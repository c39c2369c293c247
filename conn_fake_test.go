package esl

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// capture is one recorded FreeSWITCH conversation from testdata.
type capture struct {
	client []byte
	frames [][]byte // server frames, raw bytes
}

func loadCapture(t testing.TB, name string) *capture {
	t.Helper()
	dir := filepath.Join("testdata", "freeswitch", name)
	cb, err := os.ReadFile(filepath.Join(dir, "client.bin"))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := os.ReadFile(filepath.Join(dir, "server.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return &capture{client: cb, frames: splitFrames(t, sb)}
}

// splitFrames cuts a server byte stream into raw frames.
func splitFrames(t testing.TB, b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		end := bytes.Index(b, []byte("\n\n"))
		if end < 0 {
			t.Fatalf("unterminated frame: %q", b)
		}
		head := b[:end+2]
		n := 0
		for _, line := range bytes.Split(head, []byte("\n")) {
			if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
				n, _ = strconv.Atoi(string(v))
			}
		}
		out = append(out, b[:end+2+n])
		b = b[end+2+n:]
	}
	return out
}

func frameType(f []byte) string {
	for _, line := range bytes.Split(f, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("Content-Type: ")); ok {
			return string(v)
		}
		if len(line) == 0 {
			break
		}
	}
	return ""
}

func isReply(f []byte) bool {
	ct := frameType(f)
	return ct == "command/reply" || ct == "api/response"
}

// readCommand reads one command block (and its body) as the server does.
func readCommand(br *bufio.Reader) ([]byte, error) {
	var buf bytes.Buffer
	n := -1
	for {
		line, err := br.ReadBytes('\n')
		buf.Write(line)
		if err != nil {
			return buf.Bytes(), err
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			if buf.Len() == len(line) {
				buf.Reset() // leading blank line
				continue
			}
			break
		}
		if v, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r\n"), []byte("Content-Length: ")); ok {
			n, _ = strconv.Atoi(string(v))
		}
	}
	if n > 0 {
		body := make([]byte, n)
		if _, err := io.ReadFull(br, body); err != nil {
			return buf.Bytes(), err
		}
		buf.Write(body)
	}
	return buf.Bytes(), nil
}

// replayServer plays a capture's server side: the greeting at once, then
// for each command it reads, every frame up to and including the next
// reply; after the last reply it sends what is left and closes. It records
// what the client wrote.
type replayServer struct {
	t      testing.TB
	cap    *capture
	nc     net.Conn
	mu     sync.Mutex
	got    bytes.Buffer
	done   chan struct{}
	hold   bool // keep the connection open after the capture ends
	closeC chan struct{}
}

func newReplay(t testing.TB, c *capture) (*replayServer, net.Conn) {
	srv, cli := net.Pipe()
	r := &replayServer{t: t, cap: c, nc: srv, done: make(chan struct{}), closeC: make(chan struct{})}
	return r, cli
}

func (r *replayServer) start() {
	go r.run()
}

func (r *replayServer) run() {
	defer close(r.done)
	defer r.nc.Close()
	frames := r.cap.frames
	// Greeting: everything before the first reply is unsolicited.
	i := 0
	for i < len(frames) && !isReply(frames[i]) {
		if _, err := r.nc.Write(frames[i]); err != nil {
			return
		}
		i++
	}
	br := bufio.NewReader(r.nc)
	for i < len(frames) {
		cmd, err := readCommand(br)
		r.mu.Lock()
		r.got.Write(cmd)
		r.mu.Unlock()
		if err != nil {
			return
		}
		for i < len(frames) {
			f := frames[i]
			i++
			if _, err := r.nc.Write(f); err != nil {
				return
			}
			if isReply(f) {
				break
			}
		}
		// After the last reply, flush trailing frames (events, notice).
		rest := true
		for j := i; j < len(frames); j++ {
			if isReply(frames[j]) {
				rest = false
				break
			}
		}
		if rest {
			for ; i < len(frames); i++ {
				if _, err := r.nc.Write(frames[i]); err != nil {
					return
				}
			}
		}
	}
	if r.hold {
		<-r.closeC
	}
}

// written returns what the client wrote so far.
func (r *replayServer) written() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.got.Bytes())
}
