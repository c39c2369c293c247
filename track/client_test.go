package track

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eslkit/esl"
)

// replayServer is a minimal FreeSWITCH for one test: each connection gets
// auth, replies to commands, and once a client has synced ("show calls as
// json" answered) the events of one part of a capture. The first
// connection is cut after its part, like a crash.
type replayServer struct {
	t     *testing.T
	ln    net.Listener
	parts [][]*esl.Event // events to stream per connection
	rows  []string       // "show channels as json" answer per connection
	// hold, when set, holds back the events of every connection after
	// the first until it is closed, so a test can see a resync land
	// before the events that follow it.
	hold  chan struct{}
	stop  chan struct{} // closed by close: a held session gives up
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func (s *replayServer) serve() {
	defer s.wg.Done()
	for n := 0; ; n++ {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, nc)
		s.mu.Unlock()
		s.wg.Add(1)
		go s.session(nc, n)
	}
}

func (s *replayServer) session(nc net.Conn, n int) {
	defer s.wg.Done()
	defer nc.Close()
	var wmu sync.Mutex
	write := func(b []byte) {
		wmu.Lock()
		defer wmu.Unlock()
		_, _ = nc.Write(b)
	}
	reply := func(text string) { write([]byte("Content-Type: command/reply\nReply-Text: " + text + "\n\n")) }
	api := func(body string) {
		write(fmt.Appendf(nil, "Content-Type: api/response\nContent-Length: %d\n\n%s", len(body), body))
	}
	write([]byte("Content-Type: auth/request\n\n"))
	r := bufio.NewReader(nc)
	for {
		var lines []string
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			l = strings.TrimRight(l, "\r\n")
			if l == "" {
				break
			}
			lines = append(lines, l)
		}
		if len(lines) == 0 {
			continue
		}
		switch cmd := lines[0]; {
		case strings.HasPrefix(cmd, "auth "):
			reply("+OK accepted")
		case cmd == "api show channels as json":
			rows := `{"row_count": 0}` + "\n"
			if n < len(s.rows) && s.rows[n] != "" {
				rows = s.rows[n]
			}
			api(rows)
		case cmd == "api show calls as json":
			api(`{"row_count": 0}` + "\n")
			if n >= len(s.parts) {
				continue
			}
			if n > 0 && s.hold != nil {
				select {
				case <-s.hold:
				case <-s.stop:
					return
				}
			}
			for _, ev := range s.parts[n] {
				body := ev.AppendPlain(nil)
				write(append(fmt.Appendf(nil, "Content-Length: %d\nContent-Type: text/event-plain\n\n", len(body)), body...))
			}
			if n == 0 {
				return // the crash
			}
		case strings.HasPrefix(cmd, "api "):
			api("-ERR no such command\n")
		case strings.HasPrefix(cmd, "event "):
			reply("+OK event listener enabled plain")
		default:
			reply("+OK")
		}
	}
}

func (s *replayServer) close() {
	close(s.stop)
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// TestRunWithClientAcrossReconnect feeds a tracker from a real esl.Client.
// The connection drops two fifths of the way through the load capture and
// the events until three quarters are lost; on Reconnected the tracker resyncs from
// "show channels as json" (what was up at that point) and the rest of the
// capture takes it to empty.
func TestRunWithClientAcrossReconnect(t *testing.T) {
	evs := captureEvents(t, "load")
	cut, resume := len(evs)*2/5, len(evs)*3/4 // channels are born and die in the gap

	// What FreeSWITCH knew, from the capture alone.
	type info struct{ name, state, callstate, dir string }
	alive := func(upTo int) map[string]info {
		m := map[string]info{}
		for _, ev := range evs[:upTo] {
			u := ev.UniqueID()
			if u == "" || ev.Get("Channel-State") == "" {
				continue
			}
			switch ev.Get("Event-Name") {
			case "CHANNEL_DESTROY":
				m[u] = info{state: "gone"}
				continue
			}
			i, seen := m[u]
			if i.state == "gone" {
				continue
			}
			if !seen || ev.Get("Event-Name") == "CHANNEL_STATE" {
				i.state = ev.Get("Channel-State")
			}
			i.name, i.callstate, i.dir = ev.Get("Channel-Name"), ev.Get("Channel-Call-State"), ev.Get("Call-Direction")
			m[u] = i
		}
		for u, i := range m {
			if i.state == "gone" {
				delete(m, u)
			}
		}
		return m
	}
	before, after := alive(cut), alive(resume)
	var rows []map[string]string
	for u, i := range after {
		rows = append(rows, map[string]string{"uuid": u, "name": i.name, "state": i.state, "callstate": i.callstate, "direction": i.dir})
	}
	doc, _ := json.Marshal(map[string]any{"row_count": len(rows), "rows": rows})
	wantRemoved, wantAdded := map[string]bool{}, map[string]bool{}
	for u := range before {
		if _, ok := after[u]; !ok {
			wantRemoved[u] = true // destroyed while we were away
		}
	}
	for u := range after {
		if _, ok := before[u]; !ok {
			wantAdded[u] = true // born while we were away
		}
	}
	if len(wantRemoved) == 0 || len(wantAdded) == 0 {
		t.Fatalf("cut/resume too close: %d removed %d added", len(wantRemoved), len(wantAdded))
	}

	marker := []*esl.Event{mk("CHANNEL_CREATE", "end-marker"), mk("CHANNEL_DESTROY", "end-marker")}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &replayServer{t: t, ln: ln, parts: [][]*esl.Event{evs[:cut], append(evs[resume:len(evs):len(evs)], marker...)}, rows: []string{"", string(doc) + "\n"},
		hold: make(chan struct{}), stop: make(chan struct{})}
	srv.wg.Add(1)
	go srv.serve()
	defer srv.close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := esl.Dial(ctx, ln.Addr().String(), esl.WithPassword("ClueCon"), esl.WithReconnect(time.Millisecond, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub := c.Listen(esl.WithBuffer(1 << 14))
	defer sub.Close()
	if err := c.Subscribe(ctx, Events()...); err != nil {
		t.Fatal(err)
	}

	tr := New(Options{SyncGrace: -1})
	feed := tr.Subscribe(1 << 16)
	defer feed.Close()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- tr.Run(runCtx, sub, c, 0) }()

	// The server holds the events after the reconnect until the resync
	// has landed: Sync runs beside the event loop, and events that beat
	// it would (rightly) win over its older answer, leaving nothing for
	// this test to check. Sync emits its changes and counts itself under
	// one lock, so once the feed shows all of them, Stats counts it.
	gotRemoved, gotAdded := map[string]bool{}, map[string]bool{}
	resynced := func() bool { return len(gotRemoved) == len(wantRemoved) && len(gotAdded) == len(wantAdded) }
	released := false
	for {
		ch, err := feed.Next(ctx)
		if err != nil {
			t.Fatalf("feed: %v (released %v, resync removed %d of %d, added %d of %d, tracker %+v)",
				err, released, len(gotRemoved), len(wantRemoved), len(gotAdded), len(wantAdded), tr.Stats())
		}
		if ch.Missed > 0 {
			t.Fatalf("feed missed %d", ch.Missed)
		}
		if ch.Cause == CauseSync && ch.Kind == ChannelRemoved {
			if !wantRemoved[ch.Channel.UniqueID] || released {
				t.Fatalf("sync removed %s (released %v)", ch.Channel.UniqueID, released)
			}
			gotRemoved[ch.Channel.UniqueID] = true
		}
		if ch.Cause == CauseSync && ch.Kind == ChannelAdded {
			if !wantAdded[ch.Channel.UniqueID] || released {
				t.Fatalf("sync added %s (released %v)", ch.Channel.UniqueID, released)
			}
			gotAdded[ch.Channel.UniqueID] = true
		}
		if !released && resynced() {
			if st := tr.Stats(); st.Syncs != 2 {
				t.Fatalf("resync seen but syncs %d, want 2 (start, reconnect)", st.Syncs)
			}
			released = true
			close(srv.hold)
		}
		if ch.Kind == ChannelRemoved && ch.Channel.UniqueID == "end-marker" {
			break
		}
	}
	stop()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run = %v", err)
	}
	if fmt.Sprint(gotRemoved) != fmt.Sprint(wantRemoved) || fmt.Sprint(gotAdded) != fmt.Sprint(wantAdded) {
		t.Fatalf("resync removed %d (want %d), added %d (want %d)", len(gotRemoved), len(wantRemoved), len(gotAdded), len(wantAdded))
	}
	if n, m := tr.Len(); n != 0 || m != 0 {
		t.Fatalf("%d channels %d calls at the end of the capture", n, m)
	}
	if st := tr.Stats(); st.Syncs != 2 {
		t.Fatalf("syncs %d, want 2 (start, reconnect)", st.Syncs)
	}
}
