package fsim

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveAnswerHangup is a minimal outbound socket server: for every
// connection it sends connect, answers, hangs up and reads until the
// simulator closes the socket.
func serveAnswerHangup(ln net.Listener, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(30 * time.Second))
			br := bufio.NewReader(nc)
			nc.Write([]byte("connect\n\n" +
				"sendmsg\ncall-command: execute\nexecute-app-name: answer\n\n" +
				"sendmsg\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING\n\n"))
			for {
				if _, err := br.ReadString('\n'); err != nil {
					return
				}
			}
		}()
	}
}

// TestLoopbackBLegHangupEndsALeg: at scale, every loopback B leg that hangs
// up (from its outbound socket) must take its A leg down with it, whether
// or not the originate has parked the A leg yet, and Close must return.
func TestLoopbackBLegHangupEndsALeg(t *testing.T) {
	const calls = 300
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var srv sync.WaitGroup
	srv.Add(1)
	go serveAnswerHangup(ln, &srv)
	defer func() { ln.Close(); srv.Wait() }()

	s := New(Options{SocketAddr: ln.Addr().String(), HeartbeatInterval: -1, MaxSessions: 100000})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	destroyed := 0
	all := make(chan struct{})
	s.OnEvent(func(name string, _ []Header, _ string) {
		if name != "CHANNEL_DESTROY" {
			return
		}
		mu.Lock()
		destroyed++
		if destroyed == 2*calls {
			close(all)
		}
		mu.Unlock()
	})
	for range calls {
		s.BgAPI("originate loopback/7777/default &park")
	}
	select {
	case <-all:
	case <-time.After(20 * time.Second):
		var left []string
		for _, c := range s.liveChannels() {
			c.mu.Lock()
			left = append(left, c.name+" "+c.state.String()+"/"+c.running.String())
			c.mu.Unlock()
		}
		t.Errorf("%d channels left after every B leg hung up: %s", len(left), strings.Join(left, ", "))
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
}

// TestCloseMidOriginate closes the simulator while loopback calls are
// still being set up: Close must end every leg (including B legs whose A
// leg hung up before starting them) and return without timing out.
func TestCloseMidOriginate(t *testing.T) {
	s := New(Options{HeartbeatInterval: -1, MaxSessions: 100000})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	for range 200 {
		s.BgAPI("originate loopback/8888/default &park")
	}
	s.API("hupall")
	for range 50 {
		s.BgAPI("originate loopback/8888/default &park")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if left := s.liveChannels(); len(left) != 0 {
		t.Fatalf("%d channels left after Close, first %s", len(left), left[0].name)
	}
}

// TestCloseWithPeerThatDoesNotRead: an inbound client subscribed to every
// event that never reads must not keep Close from returning.
func TestCloseWithPeerThatDoesNotRead(t *testing.T) {
	s := New(Options{HeartbeatInterval: -1, MaxSessions: 100000})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	c := authed(t, s)
	if r := c.reply("event plain ALL"); r != "+OK event listener enabled plain" {
		t.Fatal(r)
	}
	// Far more than the socket buffers take: the connection thread ends
	// up blocked writing.
	big := strings.Repeat("x", 60000)
	for range 400 {
		s.InjectEvent("CUSTOM", "fsim::flood", nil, big)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
