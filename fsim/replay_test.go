package fsim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// The capture-replay test: every capture's client.bin is replayed against
// the simulator, and what comes back is compared frame by frame with
// server.bin, ignoring what naturally differs (UUIDs, times, sequence
// numbers, the core UUID). Replies and notices must match in order;
// events are compared per channel (events of different channels
// interleave differently on every real run too), by name, state details and
// header names; header values are compared where they are deterministic.
//
// knownDiffs lists the differences that remain, each with its reason. A
// difference not listed fails the test, and so does a listed one that no
// longer occurs (so the list stays honest).

type knownDiff struct {
	capture, pattern, why string
}

var knownDiffs = []knownDiff{
	{"*", "variable_", "channel variables: the simulator sets the ones clients use (uuid, direction, current_application*, endpoint_disposition, playback_*, hangup and CDR times); FreeSWITCH sets many more"},
	{"outbound-7777", "events of loopback/7777-b: [CHANNEL_PARK", "racy in FreeSWITCH: the async socket parks when its thread notices connect; the capture client's myevents won that race, the simulator parks at connect (before myevents), so CHANNEL_PARK is not delivered"},
	{"outbound-7778", "events of loopback/7778-b: [CHANNEL_PARK", "racy, as in outbound-7777"},
	{"outbound-7777", "frame order", "the linger notice races CHANNEL_HANGUP_COMPLETE in FreeSWITCH (the capture has it after); the simulator sends it as soon as the hangup is seen"},
	{"outbound-7778", "frame order", "racy, as in outbound-7777"},
	{"call-park-hold", "events of loopback/8888-b:", "racy in FreeSWITCH: a loopback leg killed by its partner fires HANGUP before or after leaving park (call-plain shows the other order); the simulator always fires HANGUP first"},
	{"call-plain", "events of loopback/5555-a:", "racy in FreeSWITCH: originate succeeds on early media (originate_early_media=true on loopback) and the A leg's answer races its park; call-json and call-xml have the other order"},
	{"call-json", "events of loopback/5555-a:", "racy in FreeSWITCH, as in call-plain"},
	{"call-xml", "events of loopback/5555-a:", "racy in FreeSWITCH, as in call-plain"},
	{"call-plain", "loopback/5555-a CALL_UPDATE", "racy in FreeSWITCH, as above (Answer-State early or answered)"},
	{"call-json", "loopback/5555-a CALL_UPDATE", "racy in FreeSWITCH, as above"},
	{"call-xml", "loopback/5555-a CALL_UPDATE", "racy in FreeSWITCH, as above"},
	{"call-plain", "loopback/5555-a CHANNEL_ANSWER", "racy in FreeSWITCH, as above: when the early-media originate flips the caller ID before the A leg's answer, its ANSWER/CALLSTATE carry the flipped profile"},
	{"call-plain", "loopback/5555-a CHANNEL_CALLSTATE", "racy in FreeSWITCH, as above: when the early-media originate flips the caller ID before the A leg's answer, its ANSWER/CALLSTATE carry the flipped profile"},
	{"call-json", "loopback/5555-a CHANNEL_ANSWER", "racy in FreeSWITCH, as above: when the early-media originate flips the caller ID before the A leg's answer, its ANSWER/CALLSTATE carry the flipped profile"},
	{"call-json", "loopback/5555-a CHANNEL_CALLSTATE", "racy in FreeSWITCH, as above: when the early-media originate flips the caller ID before the A leg's answer, its ANSWER/CALLSTATE carry the flipped profile"},
	{"call-xml", "loopback/5555-a CHANNEL_ANSWER", "racy in FreeSWITCH, as above: when the early-media originate flips the caller ID before the A leg's answer, its ANSWER/CALLSTATE carry the flipped profile"},
	{"call-xml", "loopback/5555-a CHANNEL_CALLSTATE", "racy in FreeSWITCH, as above: when the early-media originate flips the caller ID before the A leg's answer, its ANSWER/CALLSTATE carry the flipped profile"},
	{"call-xml", "(HEARTBEAT)", "timing: a HEARTBEAT happened to fall inside this capture; the replay runs without heartbeats"},
	{"call-xml", "(RE_SCHEDULE)", "timing: follows the HEARTBEAT"},
	{"pipelined-api", "frame order", "racy in FreeSWITCH: where a BACKGROUND_JOB lands among pipelined replies depends on how long the job ran"},
	{"system-events", "(HEARTBEAT)", "timing: the capture listened 23 s; the replay's clock runs as long as it waits"},
	{"system-events", "(RE_SCHEDULE)", "timing: follows the HEARTBEAT"},
	{"system-events", "(MODULE_LOAD)", "module load is not simulated per interface (FreeSWITCH fires one MODULE_LOAD per interface of mod_hash)"},
	{"system-events", "(SHUTDOWN)", "racy in FreeSWITCH (see the captures' README)"},
	{"log", "log/data", "log lines: the simulator logs the core's main steps, not every line FreeSWITCH's debug level prints"},
	{"system-events", "MODULE_UNLOAD", "module unload/load is not simulated (unload mod_hash, load mod_hash answer differently)"},
	{"system-events", "TRAP", "the capture host's network-outage TRAP is an artefact of its namespace"},
	{"system-events", "ADD_SCHEDULE", "scheduler tasks for module reloads are not simulated"},
	{"system-events", "DEL_SCHEDULE", "scheduler tasks for module reloads are not simulated"},
}

type capFrame struct {
	ctype   string
	headers [][2]string
	body    []byte
	ev      *capEvent
	end     int64 // live frames: the stream offset just after the frame
}

func (f *capFrame) get(n string) string {
	for _, h := range f.headers {
		if strings.EqualFold(h[0], n) {
			return h[1]
		}
	}
	return ""
}

type capEvent struct {
	headers [][2]string
	body    string
}

func (e *capEvent) get(n string) string {
	for _, h := range e.headers {
		if strings.EqualFold(h[0], n) {
			return h[1]
		}
	}
	return ""
}

// readFrames parses a server byte stream (the capture or the live socket).
func readFrame(br *bufio.Reader) (*capFrame, error) {
	f := &capFrame{}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			if err == io.EOF && len(f.headers) == 0 && line == "" {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("frame: %w", err)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if len(f.headers) == 0 {
				continue
			}
			break
		}
		k, v, _ := strings.Cut(line, ": ")
		f.headers = append(f.headers, [2]string{k, string(wire.PercentDecode(nil, []byte(v)))})
	}
	f.ctype = f.get("Content-Type")
	if cl := f.get("Content-Length"); cl != "" {
		n, _ := strconv.Atoi(cl)
		f.body = make([]byte, n)
		if _, err := io.ReadFull(br, f.body); err != nil {
			return nil, err
		}
	}
	var err error
	switch f.ctype {
	case "text/event-plain":
		f.ev, err = parsePlainEvent(f.body)
	case "text/event-json":
		f.ev, err = parseJSONEvent(f.body)
	case "text/event-xml":
		f.ev, err = parseXMLEvent(f.body)
	}
	return f, err
}

func parsePlainEvent(b []byte) (*capEvent, error) {
	e, err := wire.DecodePlain(b)
	if err != nil {
		return nil, err
	}
	ce := &capEvent{body: e.Body}
	for _, h := range e.Headers {
		v := h.Value
		if len(h.Array) > 1 {
			v = "ARRAY::" + strings.Join(h.Array, "|:")
		}
		ce.headers = append(ce.headers, [2]string{h.Name, v})
	}
	return ce, nil
}

func parseJSONEvent(b []byte) (*capEvent, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	if _, err := d.Token(); err != nil {
		return nil, err
	}
	ce := &capEvent{}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return nil, err
		}
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		key := k.(string)
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []any:
			parts := make([]string, len(x))
			for i := range x {
				parts[i], _ = x[i].(string)
			}
			s = "ARRAY::" + strings.Join(parts, "|:")
		}
		if key == "_body" {
			ce.body = s
			continue
		}
		ce.headers = append(ce.headers, [2]string{key, s})
	}
	// The trailing Content-Length key belongs to the body.
	if n := len(ce.headers); n > 0 && ce.headers[n-1][0] == "Content-Length" && strings.HasSuffix(strings.TrimSpace(string(b)), "}") && bytes.Contains(b, []byte(`"_body":`)) {
		ce.headers = ce.headers[:n-1]
	}
	return ce, nil
}

var xmlHeader = regexp.MustCompile(`^    <([^>]+)>(.*)</([^>]+)>$`)

func parseXMLEvent(b []byte) (*capEvent, error) {
	ce := &capEvent{}
	s := string(b)
	hdrEnd := strings.Index(s, "  </headers>\n")
	if hdrEnd < 0 {
		return nil, fmt.Errorf("xml: no headers")
	}
	for _, line := range strings.Split(s[:hdrEnd], "\n") {
		m := xmlHeader.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v := string(wire.PercentDecode(nil, []byte(m[2])))
		if n := len(ce.headers); n > 0 && ce.headers[n-1][0] == m[1] {
			// Repeated element: an array header.
			prev := ce.headers[n-1][1]
			if !strings.HasPrefix(prev, "ARRAY::") {
				prev = "ARRAY::" + prev
			}
			ce.headers[n-1][1] = prev + "|:" + v
			continue
		}
		ce.headers = append(ce.headers, [2]string{m[1], v})
	}
	if i := strings.Index(s, "<body>"); i >= 0 {
		j := strings.LastIndex(s, "</body>")
		ce.body = strings.TrimSuffix(s[i+6:j], "  ")
	}
	return ce, nil
}

func readAllFrames(t *testing.T, path string) []*capFrame {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(bytes.NewReader(b))
	var out []*capFrame
	for {
		f, err := readFrame(br)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, f)
	}
}

// clientCommands splits client.bin into the raw bytes of each command.
func clientCommands(t *testing.T, path string) [][]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	off := 0
	// Commands end at "\n\n" plus a body of Content-Length bytes.
	for off < len(b) {
		end := bytes.Index(b[off:], []byte("\n\n"))
		if end < 0 {
			out = append(out, b[off:])
			break
		}
		blk := b[off : off+end+2]
		n := off + end + 2
		if m := regexp.MustCompile(`(?im)^content-length: *(\d+)$`).FindSubmatch(blk); m != nil {
			cl, _ := strconv.Atoi(string(m[1]))
			n += cl
		}
		out = append(out, b[off:n])
		off = n
	}
	// The replay counts commands to know when the simulator has answered
	// them all: every piece must be exactly one command to the simulator.
	for i, cmd := range out {
		br := bufio.NewReader(bytes.NewReader(cmd))
		var flag atomic.Bool
		var scratch []byte
		if c, err := readCommand(br, &flag, &scratch); c == nil || err != nil {
			t.Fatalf("%s: command %d %q does not parse: %v", path, i, cmd, err)
		}
		if c, err := readCommand(br, &flag, &scratch); c != nil || err != io.EOF {
			t.Fatalf("%s: command %d %q is more than one command", path, i, cmd)
		}
	}
	return out
}

func isReply(f *capFrame) bool {
	return f.ctype == "command/reply" || f.ctype == "api/response" || f.get("Reply-Text") != "" && f.ctype == ""
}

var (
	uuidRE  = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	digitRE = regexp.MustCompile(`[0-9]+`)
)

var pluralRE = regexp.MustCompile(`N (year|day|hour|minute|second|millisecond|microsecond)s\b`)

func maskText(s string) string {
	s = uuidRE.ReplaceAllString(s, "<uuid>")
	s = digitRE.ReplaceAllString(s, "N")
	return pluralRE.ReplaceAllString(s, "N $1")
}

// volatile headers differ naturally between runs.
func volatile(name string) bool {
	switch name {
	case "Core-UUID", "Event-Date-Local", "Event-Date-GMT", "Event-Date-Timestamp", "Event-Sequence",
		"Unique-ID", "Channel-Call-UUID", "Old-Unique-ID", "Bridge-A-Unique-ID", "Bridge-B-Unique-ID",
		"Job-UUID", "Event-UUID", "Application-UUID", "Up-Time", "Uptime-msec", "Idle-CPU",
		"Session-Count", "Session-Per-Sec", "Session-Per-Sec-Last", "Session-Per-Sec-Max",
		"Session-Per-Sec-FiveMin", "Session-Since-Startup", "Session-Peak-Max", "Session-Peak-FiveMin",
		"Task-Runtime", "Event-Calling-Line-Number", "Controlled-Session-UUID":
		return true
	}
	return strings.HasSuffix(name, "-Time") || strings.HasSuffix(name, "-Unique-ID") || strings.HasPrefix(name, "variable_")
}

type replay struct {
	t      *testing.T
	name   string
	sim    *Sim
	clk    *ManualClock
	conns  chan *listener // from Sim.onConn
	l      *listener      // the simulator's side of the connection
	sent   int64          // commands written
	frames chan *capFrame
	end    int64 // stream offset after the last frame in got
	got    []*capFrame
	uuids  map[string]string // capture uuid -> live uuid
}

// collect reads live frames into r.got until n frames arrived or the
// simulation has nothing more to say within the time budget: whenever the
// simulator is quiet (see quiet) and frames are still missing, the manual
// clock jumps to the next timer due.
func (r *replay) collect(n int, budget time.Duration) {
	start := r.clk.Now()
	for len(r.got) < n {
		if !r.quiet() || len(r.got) >= n {
			return
		}
		now := r.clk.Now()
		next, ok := r.clk.nextDue()
		if !ok || next.Sub(start) > budget {
			return
		}
		r.sim.Advance(max(next.Sub(now), time.Millisecond))
	}
}

// quiet waits until nothing more can come without simulated time passing
// (every command sent is answered, every simulated activity is blocked on
// the clock, the connection's queue is drained) and every byte the
// simulator wrote is in r.got. It reports false once the connection has
// ended and all its frames are in. Nothing here guesses from a quiet
// spell: both sides count.
func (r *replay) quiet() bool {
	l := r.conn()
	for {
		if _, ended := l.awaitRest(r.sent); ended {
			r.readToEnd()
			return false
		}
		r.sim.Settle()
		if l.atRest(r.sent) {
			break
		}
	}
	written := l.out.n.Load()
	if l.isDone() {
		r.readToEnd()
		return false
	}
	guard := time.NewTimer(time.Minute)
	defer guard.Stop()
	for r.end < written {
		select {
		case f, ok := <-r.frames:
			if !ok {
				return false
			}
			r.got = append(r.got, f)
			r.end = f.end
		case <-guard.C:
			r.t.Fatalf("the simulator wrote %d bytes, %d arrived", written, r.end)
		}
	}
	return true
}

// readToEnd takes the frames of a connection that has ended, until EOF.
func (r *replay) readToEnd() {
	guard := time.NewTimer(time.Minute)
	defer guard.Stop()
	for {
		select {
		case f, ok := <-r.frames:
			if !ok {
				return
			}
			r.got = append(r.got, f)
			r.end = f.end
		case <-guard.C:
			r.t.Fatal("the connection ended but the socket did not close")
		}
	}
}

// conn is the simulator's side of the replayed connection.
func (r *replay) conn() *listener {
	if r.l == nil {
		select {
		case r.l = <-r.conns:
		case <-time.After(time.Minute):
			r.t.Fatal("the simulator made no connection")
		}
	}
	return r.l
}

func (r *replay) substitute(cmd []byte) []byte {
	return uuidRE.ReplaceAllFunc(cmd, func(u []byte) []byte {
		if live, ok := r.uuids[string(u)]; ok {
			return []byte(live)
		}
		return u
	})
}

// learn maps capture UUIDs to live ones from two frames known to match.
func (r *replay) learn(want, got *capFrame) {
	w, g := uuidRE.FindAllString(string(want.body)+want.get("Reply-Text")+want.get("Unique-ID"), -1),
		uuidRE.FindAllString(string(got.body)+got.get("Reply-Text")+got.get("Unique-ID"), -1)
	if len(w) == len(g) {
		for i := range w {
			r.uuids[w[i]] = g[i]
		}
	}
	if want.ev != nil && got.ev != nil {
		for _, h := range []string{"Unique-ID", "Job-UUID"} {
			if a, b := want.ev.get(h), got.ev.get(h); a != "" && b != "" {
				r.uuids[a] = b
			}
		}
	}
}

func TestCaptureReplay(t *testing.T) {
	dirs, _ := filepath.Glob("../testdata/freeswitch/*/client.bin")
	if len(dirs) == 0 {
		t.Fatal("no captures")
	}
	used := map[int]bool{}
	for _, p := range dirs {
		dir := filepath.Dir(p)
		name := filepath.Base(dir)
		switch name {
		case "load", "load-json":
			continue // covered by the benchmarks; 100 concurrent calls interleave freely
		}
		t.Run(name, func(t *testing.T) {
			diffs := dedupe(replayCapture(t, dir, name))
			for _, d := range diffs {
				ok := false
				for i, k := range knownDiffs {
					if (k.capture == "*" || k.capture == name) && strings.Contains(d, k.pattern) {
						ok, used[i] = true, true
						break
					}
				}
				if !ok {
					t.Errorf("%s", d)
				}
			}
		})
	}
	if !t.Failed() {
		for i, k := range knownDiffs {
			if !used[i] && !strings.Contains(k.why, "racy") {
				t.Errorf("known difference no longer seen (remove it): %s %q", k.capture, k.pattern)
			}
		}
	}
}

func replayCapture(t *testing.T, dir, name string) []string {
	want := readAllFrames(t, filepath.Join(dir, "server.bin"))
	cmds := clientCommands(t, filepath.Join(dir, "client.bin"))
	clk := NewManualClock(time.Time{})
	opts := Options{Clock: clk, Hostname: "fs-lab", HeartbeatInterval: -1}
	outbound := strings.HasPrefix(name, "outbound-")
	var ln net.Listener
	if outbound {
		var err error
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		opts.SocketAddr = ln.Addr().String()
	}
	if name == "system-events" {
		opts.HeartbeatInterval = 20 * time.Second
	}
	s := New(opts)
	r := &replay{t: t, name: name, sim: s, clk: clk, conns: make(chan *listener, 4), frames: make(chan *capFrame, 1024), uuids: map[string]string{}}
	s.onConn = func(l *listener) {
		select {
		case r.conns <- l:
		default:
			t.Error("more than one connection")
		}
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	var nc net.Conn
	if outbound {
		// The trigger: originate the call whose socket app dials us.
		out := s.BgAPI("originate loopback/" + strings.TrimPrefix(name, "outbound-") + "/default &park")
		_ = out
		var err error
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
		nc, err = ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
	} else {
		var err error
		nc, err = net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
	}
	defer nc.Close()
	go func() {
		cr := &countingReader{r: nc}
		br := bufio.NewReader(cr)
		for {
			f, err := readFrame(br)
			if err != nil {
				close(r.frames)
				return
			}
			f.end = cr.n - int64(br.Buffered())
			r.frames <- f
		}
	}()

	// Index of the reply frame for each command.
	replyIdx := []int{}
	for i, f := range want {
		if isReply(f) || (outbound && len(replyIdx) == 0 && f.get("Event-Name") == "CHANNEL_DATA") {
			replyIdx = append(replyIdx, i)
		}
	}
	for i, cmd := range cmds {
		if i > 0 && i-1 < len(replyIdx) {
			// Wait for what the capture client had seen before sending.
			r.collect(replyIdx[i-1]+1+eventsBefore(want, replyIdx, i), 30*time.Second)
		} else if i == 0 && !outbound {
			r.collect(1, time.Second)
		}
		// The capture client took its time between commands: let the
		// simulator settle as FreeSWITCH had.
		s.Settle()
		r.alignUUIDs(want)
		nc.Write(r.substitute(cmd))
		r.sent++
	}
	r.collect(len(want)+1, 30*time.Second)
	r.alignUUIDs(want)
	return compareStreams(name, want, r.got)
}

// countingReader counts the bytes read from the socket.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// eventsBefore counts the frames between reply i-1 and reply i that the
// capture client had received before sending command i (it drained the
// connection first), approximated by every frame before reply i.
func eventsBefore(want []*capFrame, replyIdx []int, i int) int {
	if i < len(replyIdx) {
		return replyIdx[i] - replyIdx[i-1] - 1
	}
	return len(want) - replyIdx[i-1] - 1
}

// alignUUIDs learns capture->live UUIDs by matching replies in order and
// channel events by channel name.
func (r *replay) alignUUIDs(want []*capFrame) {
	var wr, gr []*capFrame
	for _, f := range want {
		if f.ev == nil {
			wr = append(wr, f)
		}
	}
	for _, f := range r.got {
		if f.ev == nil {
			gr = append(gr, f)
		}
	}
	for i := 0; i < len(wr) && i < len(gr); i++ {
		r.learn(wr[i], gr[i])
	}
	names := map[string]string{}
	for _, f := range r.got {
		if f.ev != nil && f.ev.get("Channel-Name") != "" {
			names[f.ev.get("Channel-Name")] = f.ev.get("Unique-ID")
		}
	}
	for _, f := range want {
		if f.ev != nil && f.ev.get("Channel-Name") != "" {
			if live, ok := names[f.ev.get("Channel-Name")]; ok {
				r.uuids[f.ev.get("Unique-ID")] = live
			}
		}
	}
	if len(want) > 0 && len(r.got) > 0 && want[0].get("Event-Name") == "CHANNEL_DATA" {
		r.uuids[want[0].get("Unique-ID")] = r.got[0].get("Unique-ID")
	}
}

func frameKind(f *capFrame) string {
	if f.ev != nil {
		return "event"
	}
	if f.ctype == "" && f.get("Event-Name") == "CHANNEL_DATA" {
		return "connect-reply"
	}
	return f.ctype
}

// compareStreams returns the differences between the captured and the
// live stream.
func compareStreams(name string, want, got []*capFrame) []string {
	var diffs []string
	// 1. Non-event frames, in order.
	var wr, gr []*capFrame
	for _, f := range want {
		if f.ev == nil && f.ctype != "log/data" {
			wr = append(wr, f)
		}
	}
	for _, f := range got {
		if f.ev == nil && f.ctype != "log/data" {
			gr = append(gr, f)
		}
	}
	for i := 0; i < len(wr) || i < len(gr); i++ {
		if i >= len(wr) {
			diffs = append(diffs, fmt.Sprintf("extra frame %d: %s %q", i, frameKind(gr[i]), gr[i].get("Reply-Text")+string(gr[i].body)))
			continue
		}
		if i >= len(gr) {
			diffs = append(diffs, fmt.Sprintf("missing frame %d: %s %q", i, frameKind(wr[i]), wr[i].get("Reply-Text")+string(wr[i].body)))
			continue
		}
		diffs = append(diffs, compareFrame(i, wr[i], gr[i])...)
	}
	// Log lines: count only.
	wl, gl := countType(want, "log/data"), countType(got, "log/data")
	if wl != gl {
		diffs = append(diffs, fmt.Sprintf("log/data frames: capture %d, simulator %d", wl, gl))
	}
	// 2. Where events sit relative to replies (frame order).
	if a, b := shape(want), shape(got); a != b {
		diffs = append(diffs, fmt.Sprintf("frame order differs:\n capture   %s\n simulator %s", a, b))
	}
	// 3. Events per channel (or per event name for channel-less events).
	we, ge := groupEvents(want), groupEvents(got)
	keys := map[string]bool{}
	for k := range we {
		keys[k] = true
	}
	for k := range ge {
		keys[k] = true
	}
	for k := range keys {
		ws, gs := we[k], ge[k]
		if a, b := seqNames(ws), seqNames(gs); a != b {
			diffs = append(diffs, fmt.Sprintf("events of %s: %s\n    simulator: %s", k, a, b))
			continue
		}
		for i := range ws {
			diffs = append(diffs, compareEvent(k, i, ws[i], gs[i])...)
		}
	}
	return diffs
}

func countType(fs []*capFrame, ct string) int {
	n := 0
	for _, f := range fs {
		if f.ctype == ct {
			n++
		}
	}
	return n
}

// shape is the stream as R (reply), E (events in a row), N (notice).
func shape(fs []*capFrame) string {
	var b strings.Builder
	last := byte(0)
	for _, f := range fs {
		var c byte
		switch {
		case f.ev != nil:
			c = 'E'
		case f.ctype == "text/disconnect-notice":
			c = 'N'
		case f.ctype == "log/data":
			continue
		default:
			c = 'R'
		}
		if c == 'E' && last == 'E' {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	return b.String()
}

func compareFrame(i int, w, g *capFrame) []string {
	var diffs []string
	wk, gk := frameKind(w), frameKind(g)
	if wk != gk {
		return []string{fmt.Sprintf("frame %d: capture %s %q, simulator %s %q", i, wk, w.get("Reply-Text")+string(w.body), gk, g.get("Reply-Text")+string(g.body))}
	}
	if wk == "connect-reply" {
		return compareEvent("connect", 0, &capEvent{headers: w.headers}, &capEvent{headers: g.headers})
	}
	if a, b := headerNames(w.headers), headerNames(g.headers); a != b {
		diffs = append(diffs, fmt.Sprintf("frame %d (%s): headers %s, simulator %s", i, wk, a, b))
	}
	for _, h := range []string{"Reply-Text", "Content-Disposition", "Linger-Time", "Channel-Name", "Allowed-Events"} {
		if a, b := maskText(w.get(h)), maskText(g.get(h)); a != b {
			diffs = append(diffs, fmt.Sprintf("frame %d (%s): %s %q, simulator %q", i, wk, h, w.get(h), g.get(h)))
		}
	}
	wb, gb := string(w.body), string(g.body)
	if strings.HasPrefix(wb, "Event-Name: CHANNEL_DATA") {
		// uuid_dump: compare the header names of the dump.
		we, _ := parsePlainEvent(w.body)
		ge, _ := parsePlainEvent(g.body)
		if we != nil && ge != nil {
			return append(diffs, compareEvent("uuid_dump", 0, we, ge)...)
		}
	}
	if maskText(wb) != maskText(gb) {
		diffs = append(diffs, fmt.Sprintf("frame %d (%s): body %q, simulator %q", i, wk, wb, gb))
	}
	return diffs
}

func headerNames(hs [][2]string) string {
	var n []string
	for _, h := range hs {
		n = append(n, h[0])
	}
	return strings.Join(n, ",")
}

func groupEvents(fs []*capFrame) map[string][]*capEvent {
	m := map[string][]*capEvent{}
	for _, f := range fs {
		if f.ev == nil {
			continue
		}
		name := f.ev.get("Channel-Name")
		if name == "" {
			name = "(" + f.ev.get("Event-Name") + ")"
		}
		if strings.HasPrefix(name, "loopback/") && strings.Count(name, "/") > 1 {
			// CODEC events carry the provisional name (loopback/9999/default-a).
			parts := strings.Split(name, "/")
			name = parts[0] + "/" + parts[1] + name[strings.LastIndexByte(name, '-'):]
		}
		m[name] = append(m[name], f.ev)
	}
	return m
}

func seqNames(evs []*capEvent) string {
	var out []string
	for _, e := range evs {
		d := e.get("Event-Name")
		switch d {
		case "CHANNEL_STATE":
			d += "/" + e.get("Channel-State")
		case "CHANNEL_CALLSTATE":
			d += "/" + e.get("Channel-Call-State")
		case "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE":
			d += "/" + e.get("Application")
		case "CUSTOM":
			d += "/" + e.get("Event-Subclass")
		}
		out = append(out, d)
	}
	return "[" + strings.Join(out, " ") + "]"
}

// compareEvent compares header names (variables apart) and deterministic
// values of two events known to be the same event.
func compareEvent(key string, i int, w, g *capEvent) []string {
	var diffs []string
	strip := func(hs [][2]string) (names []string, vars []string) {
		for _, h := range hs {
			if strings.HasPrefix(h[0], "variable_") {
				vars = append(vars, h[0])
				continue
			}
			names = append(names, h[0])
		}
		return
	}
	wn, wv := strip(w.headers)
	gn, gv := strip(g.headers)
	ev := w.get("Event-Name")
	if strings.Join(wn, ",") != strings.Join(gn, ",") {
		diffs = append(diffs, fmt.Sprintf("%s %s #%d header names:\n    capture   %s\n    simulator %s", key, ev, i, strings.Join(wn, ","), strings.Join(gn, ",")))
	}
	if len(wv) > 0 || len(gv) > 0 {
		if strings.Join(wv, ",") != strings.Join(gv, ",") {
			diffs = append(diffs, fmt.Sprintf("%s %s #%d variable_ headers differ (%d vs %d)", key, ev, i, len(wv), len(gv)))
			if os.Getenv("FSIM_REPLAY_VARS") != "" {
				fmt.Printf("%s %s #%d\n  capture   %s\n  simulator %s\n", key, ev, i, strings.Join(wv, " "), strings.Join(gv, " "))
			}
		}
	}
	gm := map[string]string{}
	for _, h := range g.headers {
		if _, ok := gm[h[0]]; !ok {
			gm[h[0]] = h[1]
		}
	}
	seen := map[string]bool{}
	for _, h := range w.headers {
		if volatile(h[0]) || seen[h[0]] {
			continue
		}
		seen[h[0]] = true
		gvv, ok := gm[h[0]]
		if ok && maskText(gvv) != maskText(h[1]) {
			diffs = append(diffs, fmt.Sprintf("%s %s #%d %s: capture %q, simulator %q", key, ev, i, h[0], h[1], gvv))
		}
	}
	if maskText(w.body) != maskText(g.body) {
		diffs = append(diffs, fmt.Sprintf("%s %s #%d body: capture %q, simulator %q", key, ev, i, w.body, g.body))
	}
	return diffs
}

// legEventRE drops the event name and index: one difference per leg and
// header is enough.
var legEventRE = regexp.MustCompile(`^(loopback/[0-9]+-[ab]) [A-Z_]+ #[0-9]+ `)

// dedupe keeps the first of differences that differ only in the event
// index (the same header differs in every event of a channel).
func dedupe(diffs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range diffs {
		k := legEventRE.ReplaceAllString(d, "$1 ")
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}
