package bench

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
)

// FakeFS is a small local stand-in for FreeSWITCH's event socket, enough for
// the network workloads: auth, event subscriptions, api (echo and status),
// bgapi with its BACKGROUND_JOB, exit, and, for ingest, a replay of a
// capture's event frames right after the first subscription. Its replies
// are FreeSWITCH's (see the captures). It never closes a connection first:
// it answers exit with a disconnect notice and waits for the client to
// close, because eslgo v1.5.0 can panic (send on closed channel) when the
// server's EOF races its own Close.
type FakeFS struct {
	Password string
	// Replay, when set, is written once after the first "event" reply,
	// followed by Sentinel.
	Replay []byte
	ln     net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// sentinelEvent follows a replay: a HEARTBEAT (the load capture has none),
// so that the receiving side knows the sender is done.
var sentinelEvent = plainEventFrame([][2]string{{"Event-Name", "HEARTBEAT"}, {"Event-Info", "bench replay done"}}, "")

// StartFakeFS listens on 127.0.0.1 and serves until Close.
func StartFakeFS(password string, replay []byte) (*FakeFS, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &FakeFS{Password: password, Replay: replay, ln: ln, conns: map[net.Conn]struct{}{}}
	f.wg.Add(1)
	go f.accept()
	return f, nil
}

// Addr is the listening address.
func (f *FakeFS) Addr() string { return f.ln.Addr().String() }

// Close stops listening, closes every connection and waits for them.
func (f *FakeFS) Close() error {
	f.mu.Lock()
	f.closed = true
	for c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	err := f.ln.Close()
	f.wg.Wait()
	return err
}

func (f *FakeFS) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			c.Close()
			return
		}
		f.conns[c] = struct{}{}
		f.mu.Unlock()
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			s := newFakeSession(c, f.Replay, 64<<10)
			s.write([]byte("Content-Type: auth/request\n\n"))
			s.serve(f.Password)
			f.mu.Lock()
			delete(f.conns, c)
			f.mu.Unlock()
			c.Close()
		}()
	}
}

// fakeSession is one connection of FakeFS (inbound) or of the outbound
// driver (where the fake plays FreeSWITCH dialing the library).
type fakeSession struct {
	c      net.Conn
	br     *bufio.Reader
	wmu    sync.Mutex
	bw     *bufio.Writer
	replay []byte
	jobs   bool   // subscribed to BACKGROUND_JOB (or ALL)
	uuid   string // the channel of an outbound session
	onExec func(appUUID string)
	// connectReply answers "connect" (outbound sessions only).
	connectReply []byte
	replied      bool // the first event subscription was answered
}

// newFakeSession buffers size bytes each way: large for the inbound
// sessions that take pipelined commands, small for the many short outbound
// calls (whose setup cost would otherwise be the fake's buffers).
func newFakeSession(c net.Conn, replay []byte, size int) *fakeSession {
	return &fakeSession{c: c, br: bufio.NewReaderSize(c, size), bw: bufio.NewWriterSize(c, size), replay: replay}
}

// queue buffers a reply; serve flushes once it has answered every command
// already received, so pipelined commands get their replies in one write
// (a server as fast as the clients can drive it).
func (s *fakeSession) queue(b ...[]byte) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for _, p := range b {
		s.bw.Write(p)
	}
}

// write sends at once (events, and everything before serve runs).
func (s *fakeSession) write(b ...[]byte) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for _, p := range b {
		s.bw.Write(p)
	}
	s.bw.Flush()
}

func (s *fakeSession) flush() {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.bw.Flush()
}

func (s *fakeSession) reply(text string, extra ...string) {
	var b strings.Builder
	b.WriteString("Content-Type: command/reply\nReply-Text: ")
	b.WriteString(text)
	b.WriteByte('\n')
	for _, e := range extra {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	s.queue([]byte(b.String()))
}

func apiResponse(body string) []byte {
	return []byte("Content-Type: api/response\nContent-Length: " + strconv.Itoa(len(body)) + "\n\n" + body)
}

// serve answers commands until the client closes. password "" skips auth.
func (s *fakeSession) serve(password string) {
	for {
		if s.br.Buffered() == 0 {
			s.flush()
		}
		line, hdr, body, err := readCommand(s.br)
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToLower(verb) {
		case "auth":
			if password != "" && arg != password {
				s.reply("-ERR invalid")
				continue
			}
			s.reply("+OK accepted")
		case "event":
			format, names, _ := strings.Cut(arg, " ")
			up := strings.ToUpper(names)
			if strings.Contains(up, "ALL") || strings.Contains(up, "BACKGROUND_JOB") {
				s.jobs = true
			}
			if format != "json" && format != "xml" {
				format = "plain"
			}
			s.reply("+OK event listener enabled " + format)
			if !s.replied && s.replay != nil {
				s.write(s.replay, sentinelEvent)
			}
			s.replied = true
		case "connect":
			if s.connectReply == nil {
				s.reply("-ERR command not found")
				continue
			}
			s.queue(s.connectReply)
		case "myevents":
			s.reply("+OK Events Enabled")
		case "linger":
			s.reply("+OK will linger")
		case "filter", "nixevent", "noevents", "nolinger", "resume", "divert_events":
			s.reply("+OK")
		case "api":
			s.queue(apiResponse(runAPI(arg)))
		case "bgapi":
			job := hdr["Job-UUID"]
			if job == "" {
				job = newUUID()
			}
			s.reply("+OK Job-UUID: "+job, "Job-UUID: "+job)
			if s.jobs {
				cmd, cmdArg, _ := strings.Cut(arg, " ")
				s.queue(plainEventFrame([][2]string{
					{"Event-Name", "BACKGROUND_JOB"},
					{"Core-UUID", "a6b3bb65-7cc2-4e74-a2b9-2a643dc4e2ab"},
					{"Event-Calling-File", "mod_event_socket.c"},
					{"Event-Calling-Function", "api_exec"},
					{"Job-UUID", job},
					{"Job-Command", cmd},
					{"Job-Command-Arg", cmdArg},
				}, runAPI(arg)))
			}
		case "sendmsg":
			s.reply("+OK")
			if s.onExec != nil && strings.EqualFold(hdr["call-command"], "execute") {
				s.onExec(hdr["Event-UUID"])
			}
		case "exit":
			s.reply("+OK bye")
			s.queue([]byte("Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"))
		default:
			s.reply("-ERR command not found")
		}
		_ = body
	}
}

// statusBody is FreeSWITCH's real `api status` output (api capture).
const statusBody = "UP 0 years, 0 days, 0 hours, 0 minutes, 1 second, 596 milliseconds, 434 microseconds\n" +
	"FreeSWITCH (Version 1.11.3-dev  64bit) is ready\n0 session(s) since startup\n" +
	"0 session(s) - peak 0, last 5min 0 \n0 session(s) per Sec out of max 100, peak 0, last 5min 0 \n" +
	"1000 session(s) max\nmin idle cpu 0.00/99.60\nCurrent Stack Size/Max 240K/8192K\n"

func runAPI(arg string) string {
	cmd, rest, _ := strings.Cut(arg, " ")
	switch cmd {
	case "echo":
		return rest
	case "status":
		return statusBody
	}
	return "-ERR " + cmd + " Command not found!\n"
}

// readCommand reads one client command: its first line, its other header
// lines (values as sent) and its body (after a Content-Length header).
// Lines may end in CRLF (eslgo) or LF.
func readCommand(br *bufio.Reader) (line string, hdr map[string]string, body []byte, err error) {
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return "", nil, nil, err
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			if line == "" {
				continue // blank lines between commands
			}
			break
		}
		if line == "" {
			line = l
			continue
		}
		if hdr == nil {
			hdr = map[string]string{}
		}
		if k, v, ok := strings.Cut(l, ":"); ok {
			hdr[k] = strings.TrimLeft(v, " \t")
		}
	}
	// Header names arrive in any case (eslgo canonicalises them).
	for k, v := range hdr {
		if strings.EqualFold(k, "content-length") {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return "", nil, nil, errors.New("bad Content-Length")
			}
			body = make([]byte, n)
			if _, err := io.ReadFull(br, body); err != nil {
				return "", nil, nil, err
			}
		}
		if strings.EqualFold(k, "event-uuid") {
			hdr["Event-UUID"] = v
		}
		if strings.EqualFold(k, "job-uuid") {
			hdr["Job-UUID"] = v
		}
		if strings.EqualFold(k, "call-command") {
			hdr["call-command"] = v
		}
	}
	return line, hdr, body, nil
}

// plainEventFrame serialises an event as FreeSWITCH does in
// text/event-plain: percent-encoded values, an inner Content-Length and
// body when there is one, wrapped in a frame.
func plainEventFrame(headers [][2]string, body string) []byte {
	var ev bytes.Buffer
	for _, h := range headers {
		ev.WriteString(h[0])
		ev.WriteString(": ")
		ev.WriteString(percentEncode(h[1]))
		ev.WriteByte('\n')
	}
	if body != "" {
		fmt.Fprintf(&ev, "Content-Length: %d\n\n%s", len(body), body)
	} else {
		ev.WriteByte('\n')
	}
	return append([]byte(fmt.Sprintf("Content-Length: %d\nContent-Type: text/event-plain\n\n", ev.Len())), ev.Bytes()...)
}

func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
