package fsim

import (
	"bufio"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawConn speaks the protocol over TCP without any client library.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, s *Sim) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, br: newBufReader(nc)}
}

func newBufReader(nc net.Conn) *bufio.Reader { return bufio.NewReader(nc) }

func (c *rawConn) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatal(err)
	}
}

// frame is a server frame: headers in order and body.
type frame struct {
	headers [][2]string
	body    string
}

func (f *frame) get(name string) string {
	for _, h := range f.headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

func (c *rawConn) read() *frame {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	f := &frame{}
	for {
		line, err := c.br.ReadString('\n')
		if err != nil {
			c.t.Fatalf("read: %v (so far %+v)", err, f)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if len(f.headers) == 0 {
				continue
			}
			break
		}
		k, v, _ := strings.Cut(line, ": ")
		f.headers = append(f.headers, [2]string{k, v})
	}
	if cl := f.get("Content-Length"); cl != "" {
		n, _ := strconv.Atoi(cl)
		b := make([]byte, n)
		if _, err := io.ReadFull(c.br, b); err != nil {
			c.t.Fatal(err)
		}
		f.body = string(b)
	}
	return f
}

// expectEOF reads until the server closes the connection.
func (c *rawConn) expectEOF() {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c.br)
	if err != nil {
		c.t.Fatalf("want EOF, got %v", err)
	}
	if len(b) != 0 {
		c.t.Fatalf("unexpected bytes before EOF: %q", b)
	}
}

func (c *rawConn) reply(cmd string) string {
	c.t.Helper()
	c.send(cmd + "\n\n")
	f := c.read()
	if f.get("Content-Type") != "command/reply" {
		c.t.Fatalf("%s: want command/reply, got %+v", cmd, f)
	}
	return f.get("Reply-Text")
}

func (c *rawConn) api(cmd string) string {
	c.t.Helper()
	c.send("api " + cmd + "\n\n")
	for {
		f := c.read()
		if f.get("Content-Type") == "api/response" {
			return f.body
		}
	}
}

func authed(t testing.TB, s *Sim) *rawConn {
	c := dialRaw(t, s)
	if f := c.read(); f.get("Content-Type") != "auth/request" {
		t.Fatalf("greeting %+v", f)
	}
	if r := c.reply("auth " + s.Password()); r != "+OK accepted" {
		t.Fatalf("auth: %q", r)
	}
	return c
}

func TestAuthAndExitBytes(t *testing.T) {
	s := Run(t)
	c := dialRaw(t, s)
	c.send("auth ClueCon\n\nexit\n\n")
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c.br)
	if err != nil {
		t.Fatal(err)
	}
	want := "Content-Type: auth/request\n\nContent-Type: command/reply\nReply-Text: +OK accepted\n\n" +
		"Content-Type: command/reply\nReply-Text: +OK bye\n\n" +
		"Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
	if string(got) != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestBadPassword(t *testing.T) {
	s := Run(t, Options{Password: "secret"})
	c := dialRaw(t, s)
	c.read()
	if r := c.reply("auth ClueCon"); r != "-ERR invalid" {
		t.Fatalf("reply %q", r)
	}
	if f := c.read(); f.get("Content-Type") != "text/disconnect-notice" || f.body != noticeGoodbye {
		t.Fatalf("notice %+v", f)
	}
	c.expectEOF()
}

func TestUnauthenticatedCommands(t *testing.T) {
	s := Run(t)
	c := dialRaw(t, s)
	c.read()
	if r := c.reply("api status"); r != "-ERR command not found" {
		t.Fatalf("reply %q", r)
	}
	if r := c.reply("auth ClueCon"); r != "+OK accepted" {
		t.Fatalf("reply %q", r)
	}
}

func TestAPIBasics(t *testing.T) {
	s := Run(t, Options{Hostname: "fs-lab"})
	c := authed(t, s)
	cases := map[string]string{
		"echo héllo wörld 你好":    "héllo wörld 你好",
		"global_getvar hostname": "fs-lab",
		"eval ${domain}":         "127.0.0.1",
		"no_such_command":        "-ERR no_such_command Command not found!\n",
		"version":                "FreeSWITCH Version 1.11.3-dev~64bit ( 64bit)\n",
		"show channels":          "\n0 total.\n",
		"originate":              originateUsage,
		"uuid_kill 00000000-0000-0000-0000-000000000000":     "-ERR No such channel!\n",
		"originate error/USER_BUSY &park":                    "-ERR USER_BUSY\n",
		"uuid_hold off 11111111-2222-3333-4444-555555555555": "-ERR Operation failed\n",
		"show channels as json":                              "{\"row_count\": 0}\n",
	}
	for cmd, want := range cases {
		if got := c.api(cmd); got != want {
			t.Errorf("api %s = %q, want %q", cmd, got, want)
		}
	}
	if got := c.api("status"); !strings.HasPrefix(got, "UP 0 years, 0 days") || !strings.HasSuffix(got, "Current Stack Size/Max 240K/8192K\n") {
		t.Errorf("status %q", got)
	}
	if got := c.api("global_setvar foo=bar"); got != "+OK" {
		t.Errorf("setvar %q", got)
	}
	if got := c.api("global_getvar foo"); got != "bar" {
		t.Errorf("getvar %q", got)
	}
	if got := s.API("echo x"); got != "x" {
		t.Errorf("in-process %q", got)
	}
}

func TestReplyTable(t *testing.T) {
	s := Run(t)
	c := authed(t, s)
	steps := []struct{ cmd, want string }{
		{"filter", "-ERR command not found"},
		{"filter Event-Name", "-ERR invalid syntax"},
		{"filter Event-Name HEARTBEAT", "+OK filter added. [Event-Name]=[HEARTBEAT]"},
		{"filter delete Event-Name HEARTBEAT", "+OK filter deleted. [Event-Name][HEARTBEAT]"},
		{"filter delete nosuch", "+OK filter deleted. [nosuch][]"},
		{"filter delete all", "+OK filter deleted. [all][]"},
		{"filter add X", "+OK filter added. [X]=[(null)]"},
		{"nixevent", "-ERR no keywords supplied"},
		{"noevents", "-ERR not listening for events"},
		{"event json", "-ERR no keywords supplied"},
		{"event nosuchformat ALL", "+OK event listener enabled json"},
		{"event plain NO_SUCH_EVENT", "-ERR no keywords supplied"},
		{"event", "-ERR no keywords supplied"},
		{"nixevent CHANNEL_CREATE", "+OK events nixed"},
		{"noevents", "+OK no longer listening for events"},
		{"myevents", "-ERR command not found"},
		{"myevents 00000000-0000-0000-0000-000000000000 plain", "-ERR invalid uuid"},
		{"divert_events on", "-ERR not controlling a session."},
		{"linger", "-ERR not controlling a session"},
		{"linger 5", "-ERR not controlling a session"},
		{"nolinger", "-ERR not controlling a session"},
		{"resume", "-ERR command not found"},
		{"getvar x", "-ERR command not found"},
		{"nolog", "-ERR not loging"},
		{"log nosuchlevel", "-ERR invalid log level"},
		{"log", "+OK log level  [7]"},
		{"log info", "+OK log level info [6]"},
		{"log 3", "+OK log level 3 [3]"},
		{"nolog", "+OK no longer logging"},
		{"sendmsg 00000000-0000-0000-0000-000000000000", "-ERR invalid session id [00000000-0000-0000-0000-000000000000]"},
		{"sendmsg", "-ERR invalid session id []"},
		{"api", "-ERR command not found"},
		{"bogus", "-ERR command not found"},
	}
	for _, st := range steps {
		if got := c.reply(st.cmd); got != st.want {
			t.Errorf("%q -> %q, want %q", st.cmd, got, st.want)
		}
	}
}

func TestBgapiAndBackgroundJob(t *testing.T) {
	s := Run(t)
	c := authed(t, s)
	if r := c.reply("event plain BACKGROUND_JOB"); r != "+OK event listener enabled plain" {
		t.Fatal(r)
	}
	c.send("bgapi version\nJob-UUID: 7f4db0f4-3b1e-4c52-9a57-0c1d2e3f4a5b\n\n")
	f := c.read()
	if f.get("Reply-Text") != "+OK Job-UUID: 7f4db0f4-3b1e-4c52-9a57-0c1d2e3f4a5b" || f.get("Job-UUID") != "7f4db0f4-3b1e-4c52-9a57-0c1d2e3f4a5b" {
		t.Fatalf("reply %+v", f)
	}
	ev := c.read()
	if ev.get("Content-Type") != "text/event-plain" {
		t.Fatalf("event frame %+v", ev)
	}
	want := "Job-UUID: 7f4db0f4-3b1e-4c52-9a57-0c1d2e3f4a5b\nJob-Command: version\nContent-Length: 45\n\nFreeSWITCH Version 1.11.3-dev~64bit ( 64bit)\n"
	if !strings.HasSuffix(ev.body, want) || !strings.HasPrefix(ev.body, "Event-Name: BACKGROUND_JOB\n") {
		t.Fatalf("body %q", ev.body)
	}
}

func TestSendeventCustom(t *testing.T) {
	s := Run(t)
	c := authed(t, s)
	c.reply("event plain CUSTOM example::test")
	c.send("sendevent CUSTOM\nEvent-Subclass: example::test\nX-Multi: ARRAY::a|:b c\nX-Text: 50% off & more: <yes>\nContent-Length: 6\n\nhello\n")
	r := c.read()
	if !strings.HasPrefix(r.get("Reply-Text"), "+OK ") {
		t.Fatalf("reply %+v", r)
	}
	uuid := strings.TrimPrefix(r.get("Reply-Text"), "+OK ")
	ev := c.read()
	wantHead := "Event-Subclass: example%3A%3Atest\nCommand: sendevent%20CUSTOM\nX-Multi: ARRAY%3A%3Aa%7C%3Ab%20c\nX-Text: 50%25%20off%20%26%20more%3A%20%3Cyes%3E\nContent-Length: 6\nEvent-UUID: " + uuid + "\nEvent-Name: CUSTOM\n"
	if !strings.HasPrefix(ev.body, wantHead) || !strings.HasSuffix(ev.body, "Event-Calling-Function: parse_command\nEvent-Calling-Line-Number: 2283\nEvent-Sequence: "+ev.bodyHeader("Event-Sequence")+"\nContent-Length: 6\n\nhello\n") {
		t.Fatalf("event %q", ev.body)
	}
	// Other subclasses are not delivered; a plain CUSTOM without subclass
	// subscription neither.
	c.send("sendevent CUSTOM\nEvent-Subclass: other::x\n\n")
	c.read()
	c.send("api echo done\n\n")
	if f := c.read(); f.get("Content-Type") != "api/response" {
		t.Fatalf("got %+v", f)
	}
}

func (f *frame) bodyHeader(name string) string {
	for _, line := range strings.Split(f.body, "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok && k == name {
			return v
		}
	}
	return ""
}

func TestFormatsJSONAndXML(t *testing.T) {
	s := Run(t)
	c := authed(t, s)
	c.reply("event json CUSTOM t::j")
	c.send("sendevent CUSTOM\nEvent-Subclass: t::j\nX-Multi: ARRAY::a|:b c\n\n")
	c.read()
	ev := c.read()
	if ev.get("Content-Type") != "text/event-json" || !strings.HasPrefix(ev.body, `{"Event-Subclass":"t::j","Command":"sendevent CUSTOM","X-Multi":["a","b c"],"Event-UUID":"`) || !strings.HasSuffix(ev.body, `"}`) {
		t.Fatalf("json %+v", ev)
	}
	c.reply("event xml CUSTOM t::x")
	c.send("sendevent CUSTOM\nEvent-Subclass: t::x\nContent-Length: 6\n\nhé<>\n")
	c.read()
	ev = c.read()
	if ev.get("Content-Type") != "text/event-xml" || !strings.HasPrefix(ev.body, "<event>\n  <headers>\n    <Event-Subclass>t%3A%3Ax</Event-Subclass>\n") ||
		!strings.HasSuffix(ev.body, "  </headers>\n  <Content-Length>6</Content-Length>\n  <body>h&#xE9;&lt;&gt;\n  </body>\n</event>\n") {
		t.Fatalf("xml %q", ev.body)
	}
}

func TestFiltersORAndNegative(t *testing.T) {
	s := Run(t)
	c := authed(t, s)
	c.reply("event plain ALL")
	c.reply("filter X-A yes")
	c.reply("filter X-B /^b.*/")
	c.reply("filter X-C -veto")
	send := func(hdrs string) { c.send("sendevent CUSTOM\n" + hdrs + "\n") }
	send("X-Tag: 1\nX-A: YES\n")            // passes (case-insensitive literal)
	send("X-Tag: 2\nX-B: bee\n")            // passes (regex)
	send("X-Tag: 3\nX-A: yes\nX-C: veto\n") // vetoed
	send("X-Tag: 4\nX-Z: none\n")           // no positive match
	send("X-Tag: 5\nX-B: Bee\n")            // regex is case-sensitive
	c.send("api echo end\n\n")
	var tags []string
	for responses := 0; responses < 2; {
		f := c.read()
		if f.get("Content-Type") == "api/response" {
			responses++
			if responses == 1 {
				// Pipelined replies come before the events queued meanwhile;
				// a second round trip collects them.
				c.send("api echo end\n\n")
			}
			continue
		}
		if f.bodyHeader("Event-Name") == "CUSTOM" {
			tags = append(tags, f.bodyHeader("X-Tag"))
		}
	}
	if strings.Join(tags, ",") != "1,2" {
		t.Fatalf("delivered %v, want 1,2", tags)
	}
}

func TestACLRudeRejection(t *testing.T) {
	s := Run(t, Options{ACL: []string{"10.0.0.0/8"}})
	c := dialRaw(t, s)
	f := c.read()
	if f.get("Content-Type") != "text/rude-rejection" || f.body != "Access Denied, go away.\n" {
		t.Fatalf("%+v", f)
	}
	if f := c.read(); f.get("Content-Type") != "text/disconnect-notice" || f.body != noticeGoodbye {
		t.Fatalf("%+v", f)
	}
	c.expectEOF()
}

func TestAuthTimeoutOnManualClock(t *testing.T) {
	clk := NewManualClock(time.Time{})
	s := Run(t, Options{Clock: clk})
	c := dialRaw(t, s)
	c.read()
	s.Advance(25 * time.Second)
	if f := c.read(); f.body != noticeGoodbye {
		t.Fatalf("%+v", f)
	}
	c.expectEOF()
}

func TestPartialCommandStallsEvents(t *testing.T) {
	s := Run(t)
	c := authed(t, s)
	c.reply("event plain CUSTOM")
	c.send("api echo x") // no terminator: a partial command
	waitPartial(t, s)
	s.InjectEvent("CUSTOM", "", nil, "")
	c.send("\n\n")
	if f := c.read(); f.get("Content-Type") != "api/response" {
		t.Fatalf("first frame after partial command: %+v", f)
	}
	if f := c.read(); f.bodyHeader("Event-Name") != "CUSTOM" {
		t.Fatalf("%+v", f)
	}
}

// waitPartial waits until the server has started reading a command.
func waitPartial(t *testing.T, s *Sim) {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, l := range *s.listeners.Load() {
			if l.partial.Load() {
				return
			}
		}
		runtime.Gosched()
	}
	t.Fatal("server never saw the partial command")
}

func TestBadContentLengthDisconnects(t *testing.T) {
	s := Run(t, Options{HeartbeatInterval: -1})
	c := authed(t, s)
	c.send("sendevent CUSTOM\nContent-Length: -5\n\n")
	if f := c.read(); f.get("Content-Type") != "text/disconnect-notice" || f.body != noticeGoodbye {
		t.Fatalf("%+v", f)
	}
	c.expectEOF()
}

func TestCommandParserQuirks(t *testing.T) {
	s := Run(t, Options{HeartbeatInterval: -1})
	c := dialRaw(t, s)
	c.read()
	// CRLF framing, leading blank lines and prefix matching ("EXITNOW").
	c.send("\r\n\r\nauth ClueCon\r\n\r\n")
	if f := c.read(); f.get("Reply-Text") != "+OK accepted" {
		t.Fatalf("%+v", f)
	}
	if r := c.reply("events plain CHANNEL_CREATE"); r != "+OK event listener enabled plain" {
		t.Fatalf("prefix match: %q", r)
	}
	if r := c.reply("EXITNOW"); r != "+OK bye" {
		t.Fatalf("%q", r)
	}
	if f := c.read(); f.body != noticeGoodbye {
		t.Fatalf("%+v", f)
	}
	c.expectEOF()
}
