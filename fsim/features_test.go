package fsim

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// outboundServer accepts the simulator's socket connection.
func outboundServer(t *testing.T) (net.Listener, func() *rawConn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, func() *rawConn {
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
		nc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		return &rawConn{t: t, nc: nc, br: newBufReader(nc)}
	}
}

// readUntil reads frames until one satisfies f and returns it, with every
// frame read before it.
func (c *rawConn) readUntil(f func(*frame) bool) (*frame, []*frame) {
	c.t.Helper()
	var before []*frame
	for {
		fr := c.read()
		if f(fr) {
			return fr, before
		}
		before = append(before, fr)
	}
}

func isEvent(name string) func(*frame) bool {
	return func(f *frame) bool { return f.bodyHeader("Event-Name") == name }
}

func TestOutboundAsyncFull(t *testing.T) {
	ln, accept := outboundServer(t)
	s := Run(t, Options{SocketAddr: ln.Addr().String(), HeartbeatInterval: -1})
	s.BgAPI("originate loopback/7777/default &park")
	c := accept()
	c.send("connect\n\n")
	cr := c.read()
	if cr.get("Event-Name") != "CHANNEL_DATA" || cr.get("Content-Type") != "command/reply" ||
		cr.get("Reply-Text") != "%2BOK%0A" || cr.get("Socket-Mode") != "async" || cr.get("Control") != "full" ||
		cr.headers[len(cr.headers)-1][0] != "Control" || cr.get("Channel-Channel-Name") != "loopback/7777-b" {
		t.Fatalf("connect reply %+v", cr.headers)
	}
	uuid := cr.get("Unique-ID")
	if r := c.reply("myevents"); r != "+OK Events Enabled" {
		t.Fatal(r)
	}
	if r := c.replyAmidEvents("linger"); r != "+OK will linger" {
		t.Fatal(r)
	}
	if r := c.replyAmidEvents("sendmsg\ncall-command: execute\nexecute-app-name: answer\nevent-uuid: a0a0a0a0-7777-4777-8777-00000000000a"); r != "+OK" {
		t.Fatal(r)
	}
	done, _ := c.readUntil(func(f *frame) bool {
		return f.bodyHeader("Event-Name") == "CHANNEL_EXECUTE_COMPLETE" && f.bodyHeader("Application") == "answer"
	})
	if done.bodyHeader("Application-UUID") != "a0a0a0a0-7777-4777-8777-00000000000a" || done.bodyHeader("Answer-State") != "answered" {
		t.Fatalf("%q", done.body)
	}
	if r := c.reply("getvar destination_number"); r != "7777" {
		t.Fatalf("getvar %q", r)
	}
	if r := c.reply("getvar no_such_var"); r != "-ERR command not found" {
		t.Fatalf("getvar unset %q", r)
	}
	c.send("sendmsg\ncall-command: hangup\nhangup-cause: USER_BUSY\n\n")
	c.readUntil(func(f *frame) bool { return f.get("Reply-Text") == "+OK" })
	notice, before := c.readUntil(func(f *frame) bool { return f.get("Content-Type") == "text/disconnect-notice" })
	if notice.get("Content-Disposition") != "linger" || notice.get("Linger-Time") != "-1" || notice.get("Controlled-Session-UUID") != uuid {
		t.Fatalf("linger notice %+v", notice.headers)
	}
	if len(before) == 0 || before[len(before)-1].bodyHeader("Event-Name") != "CHANNEL_HANGUP" || before[len(before)-1].bodyHeader("Hangup-Cause") != "USER_BUSY" {
		t.Fatalf("frames before the linger notice: %d", len(before))
	}
	c.readUntil(isEvent("CHANNEL_HANGUP_COMPLETE"))
	c.send("exit\n\n")
	c.readUntil(func(f *frame) bool { return f.get("Reply-Text") == "+OK bye" })
	final := c.read()
	if final.get("Content-Disposition") != "disconnect" || final.body != noticeGoodbye || final.get("Controlled-Session-UUID") != uuid {
		t.Fatalf("final notice %+v", final)
	}
	c.expectEOF()
}

func TestOutboundWithoutFullIsGated(t *testing.T) {
	ln, accept := outboundServer(t)
	dp := NewDialplan()
	dp.Add("default", "6000", Action{"socket", "example.invalid:1 async"})
	s := Run(t, Options{SocketAddr: ln.Addr().String(), Dialplan: dp, HeartbeatInterval: -1})
	s.BgAPI("originate loopback/6000/default &park")
	c := accept()
	// The first command's reply is dropped unless it is connect.
	c.send("myevents\n\nconnect\n\n")
	if cr := c.read(); cr.get("Event-Name") != "CHANNEL_DATA" || cr.get("Control") != "single-channel" {
		t.Fatalf("want the connect reply first, got %+v", cr.headers)
	}
	skipEvents := func(cmd string) string {
		c.send(cmd + "\n\n")
		f, _ := c.readUntil(func(f *frame) bool { return f.get("Content-Type") == "command/reply" })
		return f.get("Reply-Text")
	}
	for _, cmd := range []string{"api status", "linger", "event plain ALL", "nolinger", "log 7", "bgapi status", "sendevent CUSTOM"} {
		if r := skipEvents(cmd); r != "-ERR command not found" {
			t.Errorf("%s without full: %q", cmd, r)
		}
	}
	if r := skipEvents("myevents"); r != "-ERR aready enabled." {
		t.Errorf("second myevents: %q", r)
	}
	if r := skipEvents("filter Unique-ID x"); r != "+OK filter added. [Unique-ID]=[x]" {
		t.Errorf("filter: %q", r)
	}
}

func TestOutboundStaticRepliesWhenDone(t *testing.T) {
	ln, accept := outboundServer(t)
	dp := NewDialplan()
	dp.Add("default", "6001", Action{"answer", ""}, Action{"socket", "127.0.0.1:8084 full"})
	clk := NewManualClock(time.Time{})
	s := Run(t, Options{SocketAddr: ln.Addr().String(), Dialplan: dp, Clock: clk, HeartbeatInterval: -1})
	rec := record(s)
	s.BgAPI("originate loopback/6001/default &park")
	c := accept()
	c.send("connect\n\n")
	if cr := c.read(); cr.get("Socket-Mode") != "static" {
		t.Fatalf("%+v", cr.headers)
	}
	c.reply("myevents")
	c.send("sendmsg\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: silence_stream://1000\n\n")
	rec.waitFor(t, "playback start", func(e recEvent) bool { return e.name == "PLAYBACK_START" })
	s.Advance(time.Second)
	// The reply comes when the playback is done, before its events.
	if f := c.read(); f.get("Reply-Text") != "+OK" {
		t.Fatalf("first frame after the playback: %+v", f)
	}
	if f := c.read(); f.bodyHeader("Event-Name") != "CHANNEL_EXECUTE" {
		t.Fatalf("then: %q", f.body)
	}
}

func TestMyeventsLingerHoldsDestroy(t *testing.T) {
	clk := NewManualClock(time.Time{})
	s := Run(t, Options{Clock: clk, HeartbeatInterval: -1})
	rec := record(s)
	out := s.API("originate loopback/8888/default &park")
	uuid := strings.TrimSpace(strings.TrimPrefix(out, "+OK "))
	s.Settle() // the A leg is parked
	c := authed(t, s)
	if r := c.reply("myevents " + uuid); r != "+OK Events Enabled" {
		t.Fatal(r)
	}
	if r := c.reply("linger 5"); r != "+OK will linger 5 seconds" {
		t.Fatal(r)
	}
	if got := s.API("uuid_kill " + uuid); got != "+OK\n" {
		t.Fatal(got)
	}
	hup := c.read()
	if hup.bodyHeader("Event-Name") != "CHANNEL_HANGUP" || hup.bodyHeader("Unique-ID") != uuid {
		t.Fatalf("%q", hup.body)
	}
	n := c.read()
	if n.get("Content-Disposition") != "linger" || n.get("Linger-Time") != "5" || n.get("Channel-Name") != "loopback/8888-a" {
		t.Fatalf("%+v", n.headers)
	}
	c.readUntil(isEvent("CHANNEL_HANGUP_COMPLETE"))
	s.Settle()
	for _, e := range rec.snapshot() {
		if e.name == "CHANNEL_DESTROY" && e.get("Unique-ID") == uuid {
			t.Fatal("CHANNEL_DESTROY while the socket holds the session")
		}
	}
	s.Advance(6 * time.Second)
	if f := c.read(); f.get("Content-Disposition") != "disconnect" || f.body != noticeGoodbye {
		t.Fatalf("%+v", f)
	}
	c.expectEOF()
	rec.waitFor(t, "A destroyed after the socket closed", func(e recEvent) bool {
		return e.name == "CHANNEL_DESTROY" && e.get("Unique-ID") == uuid
	})
}

func TestPlayAndGetDigitsFromSendDTMF(t *testing.T) {
	dp := NewDialplan()
	dp.Add("default", "3000", Action{"answer", ""},
		Action{"play_and_get_digits", "1 4 1 5000 # silence_stream://1000 silence_stream://250 digits"},
		Action{"hangup", ""})
	clk := NewManualClock(time.Time{})
	s := Run(t, Options{Clock: clk, Dialplan: dp, HeartbeatInterval: -1})
	rec := record(s)
	out := s.API("originate loopback/3000/default &park")
	a := strings.TrimSpace(strings.TrimPrefix(out, "+OK "))
	// Digits sent to the A leg come out of the B leg, where the app runs.
	if got := s.API("uuid_send_dtmf " + a + " 12#"); got != "+OK "+a+" sent DTMF 12#.\n" {
		t.Fatal(got)
	}
	e := rec.waitFor(t, "play_and_get_digits done", func(e recEvent) bool {
		return e.name == "CHANNEL_EXECUTE_COMPLETE" && e.get("Application") == "play_and_get_digits"
	})
	if e.get("variable_digits") != "12" || e.get("variable_read_result") != "success" {
		t.Fatalf("digits %q result %q", e.get("variable_digits"), e.get("variable_read_result"))
	}
	var dtmf []string
	for _, x := range rec.snapshot() {
		if x.name == "DTMF" {
			dtmf = append(dtmf, x.get("Channel-Name")+"="+x.get("DTMF-Digit"))
		}
	}
	if strings.Join(dtmf, ",") != "loopback/3000-b=1,loopback/3000-b=2,loopback/3000-b=#" {
		t.Fatalf("DTMF events %v", dtmf)
	}
}

func TestSlowConsumerIsKilled(t *testing.T) {
	s := Run(t, Options{QueueLimit: 10, HeartbeatInterval: -1})
	c := authed(t, s)
	c.reply("event plain CUSTOM")
	s.Stall(time.Hour)
	for i := 0; i < 10+501; i++ {
		s.InjectEvent("CUSTOM", "", nil, "")
	}
	f := c.read()
	if f.get("Content-Type") != "text/disconnect-notice" || f.body != noticeLost {
		t.Fatalf("%+v", f)
	}
	c.expectEOF()
}

func TestHeartbeatOnSchedule(t *testing.T) {
	clk := NewManualClock(time.Time{})
	s := Run(t, Options{Clock: clk})
	c := authed(t, s)
	c.reply("event plain HEARTBEAT RE_SCHEDULE")
	s.Advance(20 * time.Second)
	hb := c.read()
	rs := c.read()
	if hb.bodyHeader("Event-Name") != "HEARTBEAT" || hb.bodyHeader("Event-Info") != "System%20Ready" ||
		!strings.HasPrefix(hb.bodyHeader("Up-Time"), "0%20years,%200%20days,%200%20hours,%200%20minutes,%2020%20seconds") {
		t.Fatalf("%q", hb.body)
	}
	if rs.bodyHeader("Event-Name") != "RE_SCHEDULE" || rs.bodyHeader("Task-Desc") != "heartbeat" {
		t.Fatalf("%q", rs.body)
	}
}

func TestBridgeExtension(t *testing.T) {
	clk := NewManualClock(time.Time{})
	s := Run(t, Options{Clock: clk, HeartbeatInterval: -1})
	rec := record(s)
	if out := s.API("originate loopback/5555/default &park"); !strings.HasPrefix(out, "+OK ") {
		t.Fatal(out)
	}
	s.Settle()
	if rows := s.API("show calls count"); rows != "\n3 total.\n" {
		t.Errorf("show calls count during the bridge: %q", rows)
	}
	s.Advance(3 * time.Second)
	for _, n := range []string{"loopback/5555-a", "loopback/5555-b", "loopback/9999-a", "loopback/9999-b"} {
		rec.waitFor(t, n+" destroyed", destroyed(n))
	}
	br := rec.waitFor(t, "bridge", func(e recEvent) bool { return e.name == "CHANNEL_BRIDGE" })
	if br.get("Channel-Name") != "loopback/5555-b" || br.get("Other-Type") != "originatee" || br.get("Other-Leg-Channel-Name") != "loopback/9999-a" {
		t.Fatalf("bridge event %v", br.h)
	}
	if got := s.API("show channels"); got != "\n0 total.\n" {
		t.Fatal(got)
	}
}

func TestUUIDBridgeHoldTransfer(t *testing.T) {
	clk := NewManualClock(time.Time{})
	s := Run(t, Options{Clock: clk, HeartbeatInterval: -1})
	rec := record(s)
	a := strings.TrimSpace(strings.TrimPrefix(s.API("originate loopback/8888/default &park"), "+OK "))
	b := strings.TrimSpace(strings.TrimPrefix(s.API("originate loopback/8888/default &park"), "+OK "))
	if got := s.API("uuid_exists " + a); got != "true" {
		t.Fatal(got)
	}
	if got := s.API("uuid_hold toggle " + a); got != "+OK Success\n" {
		t.Fatal(got)
	}
	if got := s.API("uuid_hold toggle " + a); got != "+OK Success\n" {
		t.Fatal(got)
	}
	rec.waitFor(t, "unhold", func(e recEvent) bool { return e.name == "CHANNEL_UNHOLD" && e.get("Unique-ID") == a })
	if got := s.API("uuid_setvar " + a + " foo bar baz"); got != "+OK\n" {
		t.Fatal(got)
	}
	if got := s.API("uuid_getvar " + a + " foo"); got != "bar baz" {
		t.Fatal(got)
	}
	if got := s.API("uuid_getvar " + a + " nothing"); got != "_undef_" {
		t.Fatal(got)
	}
	if got := s.API("uuid_bridge " + a + " " + b); got != "+OK\n" {
		t.Fatal(got)
	}
	rec.waitFor(t, "bridge", func(e recEvent) bool {
		return e.name == "CHANNEL_BRIDGE" && e.get("Bridge-A-Unique-ID") == a && e.get("Bridge-B-Unique-ID") == b
	})
	if got := s.API("uuid_kill " + a + " USER_BUSY"); got != "+OK\n" {
		t.Fatal(got)
	}
	rec.waitFor(t, "unbridge", func(e recEvent) bool { return e.name == "CHANNEL_UNBRIDGE" && e.get("Unique-ID") == a })
	hc := rec.waitFor(t, "b hung up", func(e recEvent) bool { return e.name == "CHANNEL_HANGUP_COMPLETE" && e.get("Unique-ID") == b })
	if hc.get("Hangup-Cause") != "USER_BUSY" {
		t.Fatalf("b cause %q", hc.get("Hangup-Cause"))
	}
	// Transfer a fresh call to 9999: it plays the tone and hangs up.
	c := strings.TrimSpace(strings.TrimPrefix(s.API("originate loopback/8888/default &park"), "+OK "))
	if got := s.API("uuid_transfer " + c + " 9999 XML default"); got != "+OK\n" {
		t.Fatal(got)
	}
	rec.waitFor(t, "playback on the transferred leg", func(e recEvent) bool {
		return e.name == "PLAYBACK_START" && e.get("Unique-ID") == c
	})
	s.Advance(3 * time.Second)
	rec.waitFor(t, "transferred leg destroyed", func(e recEvent) bool { return e.name == "CHANNEL_DESTROY" && e.get("Unique-ID") == c })
	s.hangupAll("NORMAL_CLEARING")
}

func TestParseDialplan(t *testing.T) {
	dp, err := ParseDialplan(strings.NewReader("# demo\ncontext public\nextension ^1\\d{3}$\n  answer\n  playback tone_stream://%(100,0,440);loops=2\nextension 42\n\tpark\n"))
	if err != nil {
		t.Fatal(err)
	}
	acts, ok := dp.Lookup("public", "1234")
	if !ok || len(acts) != 2 || acts[1] != (Action{"playback", "tone_stream://%(100,0,440);loops=2"}) {
		t.Fatalf("%v %v", acts, ok)
	}
	if _, ok := dp.Lookup("public", "42"); !ok {
		t.Fatal("42 missing")
	}
	if _, ok := dp.Lookup("default", "1234"); ok {
		t.Fatal("wrong context matched")
	}
	for _, bad := range []string{"  answer\n", "extension\n", "foo bar\n", "extension ^(\n  answer\n"} {
		_, err := ParseDialplan(strings.NewReader(bad))
		var se *DialplanSyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if d := toneDuration("%(1000,0,440);loops=3"); d != 3*time.Second {
		t.Errorf("tone %v", d)
	}
	if d := toneDuration("%(400,200,440,480)"); d != 600*time.Millisecond {
		t.Errorf("tone %v", d)
	}
}

func TestNoRouteAndErrorEndpoint(t *testing.T) {
	s := Run(t, Options{HeartbeatInterval: -1})
	if got := s.API("originate loopback/nosuch/default &park"); got != "-ERR NO_ROUTE_DESTINATION\n" {
		t.Fatalf("%q", got)
	}
	if got := s.API("originate error/NORMAL_TEMPORARY_FAILURE &park"); got != "-ERR NORMAL_TEMPORARY_FAILURE\n" {
		t.Fatalf("%q", got)
	}
	if got := s.API("originate sofia/x/y &park"); got != "-ERR CHAN_NOT_IMPLEMENTED\n" {
		t.Fatalf("%q", got)
	}
}

func TestHandleAPIAndFaults(t *testing.T) {
	s := Run(t, Options{HeartbeatInterval: -1})
	s.HandleAPI("status", func(args string) string { return "scripted " + args + "\n" })
	c := authed(t, s)
	if got := c.api("status x"); got != "scripted x\n" {
		t.Fatal(got)
	}
	s.HandleAPI("status", nil)
	if got := c.api("status"); !strings.HasPrefix(got, "UP ") {
		t.Fatal(got)
	}
	s.InjectFault(FaultDrop)
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.br.ReadByte(); err == nil {
		t.Fatal("connection still open after FaultDrop")
	}
}

func TestLogDataFrames(t *testing.T) {
	dp := NewDialplan()
	dp.Add("default", "1", Action{"ring_ready", ""}, Action{"answer", ""}, Action{"hangup", ""})
	s := Run(t, Options{Dialplan: dp, HeartbeatInterval: -1})
	rec := record(s)
	c := authed(t, s)
	if r := c.reply("log notice"); r != "+OK log level notice [5]" {
		t.Fatal(r)
	}
	c.send("api originate loopback/1/default &park\n\n")
	f, _ := c.readUntil(func(f *frame) bool {
		return f.get("Content-Type") == "log/data" && strings.Contains(f.body, "has been answered")
	})
	names := headerNames2(f)
	if names != "Content-Type,Content-Length,Log-Level,Text-Channel,Log-File,Log-Func,Log-Line,User-Data" ||
		f.get("Log-Level") != "5" || !strings.Contains(f.body, "[NOTICE] switch_channel.c:3820 Channel [loopback/1-") {
		t.Fatalf("%s %+v", names, f)
	}
	c.send("nolog\n\n")
	if r, _ := c.readUntil(func(f *frame) bool { return f.get("Content-Type") == "command/reply" }); r.get("Reply-Text") != "+OK no longer logging" {
		t.Fatalf("nolog %+v", r)
	}
	rec.waitFor(t, "progress", func(e recEvent) bool { return e.name == "CHANNEL_PROGRESS" && e.get("Channel-Name") == "loopback/1-b" })
}

func headerNames2(f *frame) string {
	var n []string
	for _, h := range f.headers {
		n = append(n, h[0])
	}
	return strings.Join(n, ",")
}

func TestDivertEventsTakesDTMFAndSendevent(t *testing.T) {
	clk := NewManualClock(time.Time{})
	s := Run(t, Options{Clock: clk, HeartbeatInterval: -1})
	a := strings.TrimSpace(strings.TrimPrefix(s.API("originate loopback/8888/default &park"), "+OK "))
	s.Settle()
	// The B leg (where digits sent to A come out).
	var b string
	for _, ch := range s.liveChannels() {
		if ch.name == "loopback/8888-b" {
			b = ch.uuid()
		}
	}
	other := authed(t, s)
	other.reply("event plain DTMF CUSTOM")
	c := authed(t, s)
	if r := c.reply("myevents " + b); r != "+OK Events Enabled" {
		t.Fatal(r)
	}
	if r := c.reply("divert_events on"); r != "+OK events diverted" {
		t.Fatal(r)
	}
	s.API("uuid_send_dtmf " + a + " 5")
	if f, _ := c.readUntil(isEvent("DTMF")); f.bodyHeader("DTMF-Digit") != "5" {
		t.Fatalf("%q", f.body)
	}
	c.send("sendevent CUSTOM\nUnique-ID: " + b + "\nX-Private: yes\n\n")
	if f, _ := c.readUntil(func(f *frame) bool { return f.bodyHeader("X-Private") == "yes" }); f.bodyHeader("Event-Name") != "CUSTOM" {
		t.Fatalf("%q", f.body)
	}
	// The other socket got neither: both stayed in the session.
	other.send("api echo sync\n\n")
	if f, before := other.readUntil(func(f *frame) bool { return f.get("Content-Type") == "api/response" }); len(before) != 0 || f.body != "sync" {
		t.Fatalf("undiverted socket saw %d frames", len(before))
	}
	s.API("hupall")
}
