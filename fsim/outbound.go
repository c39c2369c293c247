package fsim

import (
	"net"
	"strconv"
	"strings"
	"time"
)

// appSocket is mod_event_socket's socket application: connect out to
// host[:port] (default 8084), speak first only when spoken to, and in async
// mode park the channel once "connect" arrived, running queued sendmsg
// commands until the socket closes.
func appSocket(c *channel, arg string) {
	f := tokens(arg)
	if len(f) == 0 {
		return
	}
	async, full := false, false
	for _, w := range f[1:] {
		switch strings.ToLower(w) {
		case "async":
			async = true
		case "full":
			full = true
		}
	}
	s := c.sim
	var nc net.Conn
	for _, target := range strings.Split(f[0], "|") {
		host := target
		if i := strings.IndexByte(host, '/'); i >= 0 {
			c.setVar("socket_path", host[i+1:])
			host = host[:i]
		}
		port := "8084"
		if i := strings.LastIndexByte(host, ':'); i >= 0 {
			host, port = host[:i], host[i+1:]
		}
		addr := net.JoinHostPort(strings.Trim(host, "[]"), port)
		if s.opts.SocketAddr != "" {
			addr = s.opts.SocketAddr
		}
		var err error
		nc, err = net.DialTimeout("tcp", addr, 5*time.Second)
		if err == nil {
			c.setVar("socket_host", host)
			break
		}
		s.logf(logErr, origin{"mod_event_socket.c", "socket_function", 470}, c.id, "Socket Error! %v", err)
	}
	if nc == nil {
		return
	}
	s.log.Debug("fsim: socket application connected", "addr", nc.RemoteAddr().String(), "uuid", c.uuid())
	l := s.newListener(nc, c)
	l.async, l.full, l.authed = async, full, true
	c.attach(l)
	c.mu.Lock()
	c.sock = l
	c.connectedFlag = false
	c.mu.Unlock()
	l.armFirst()
	s.addListener(l)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.forgetConn(l)
		defer s.removeListener(l)
		defer nc.Close()
		l.run()
		c.poke()
	}()
	if async {
		// The session parks only after "connect" arrived.
		c.waitFor(-1, func() bool { return c.connectedFlag || l.isDone() || c.state >= csHangup })
		if c.connectedFlag && !c.hungup() {
			c.fire(evChannelPark, origin{"switch_ivr.c", "switch_ivr_park", 1002}, nil, nil)
			for {
				c.waitFor(-1, func() bool { return len(c.msgs) > 0 || l.isDone() || c.interruptedLocked() })
				c.processMessages()
				c.mu.Lock()
				stop := c.interruptedLocked()
				c.mu.Unlock()
				if stop || l.isDone() {
					break
				}
			}
			c.fire(evChannelUnpark, origin{"switch_ivr.c", "switch_ivr_park", 1213}, nil, nil)
		}
	} else {
		// Static mode: the socket runs "inside" the application; sendmsg
		// executes here and replies when done.
		for {
			c.waitFor(-1, func() bool { return len(c.msgs) > 0 || l.isDone() || c.state >= csHangup })
			c.processMessages()
			if l.isDone() || c.hungup() {
				break
			}
		}
	}
	c.mu.Lock()
	c.sock = nil
	c.mu.Unlock()
	if switchTrue(c.getVar("socket_resume")) {
		return
	}
	if !c.hungup() && l.isDone() {
		// Without resume the dialplan continues after the socket; FreeSWITCH
		// leaves the channel where the socket left it.
		return
	}
}

func (l *listener) isDone() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// connected records that the outbound socket sent "connect".
func (c *channel) connected() {
	c.mu.Lock()
	c.connectedFlag = true
	c.mu.Unlock()
	c.poke()
}

// checkSession runs in the connection thread after the queues are drained:
// once the bound channel is down, close (no linger) or send the linger
// notice and start the linger clock. It reports whether to close now.
func (l *listener) checkSession() bool { return l.sessionDown(false) }

// sessionDown is checkSession; seen says the connection thread has just
// written the session's CHANNEL_HANGUP (so it is down whatever the flags
// say yet).
func (l *listener) sessionDown(seen bool) bool {
	if l.session == nil || l.sessionEnded || !seen && (!l.session.hangupFired() || l.hangupQueued()) {
		return false
	}
	l.sessionEnded = true
	if !l.linger {
		return true
	}
	ch := l.session
	ch.mu.Lock()
	name, id := ch.name, ch.id
	ch.mu.Unlock()
	l.bw.WriteString("Content-Type: text/disconnect-notice\nControlled-Session-UUID: " + id +
		"\nContent-Disposition: linger\nChannel-Name: " + name + "\nLinger-Time: " + strconv.Itoa(l.lingerSecs) +
		"\nContent-Length: 0\n\n")
	if l.lingerSecs >= 0 {
		// FreeSWITCH compares whole seconds: the socket closes between N and
		// N+1 s after the notice; the simulator uses N+1.
		l.lingerTimer = l.sim.clock.AfterFunc(time.Duration(l.lingerSecs+1)*time.Second, func() {
			select {
			case l.lingerDone <- struct{}{}:
			default:
			}
		})
	}
	return false
}

// hangupQueued reports whether the session's CHANNEL_HANGUP still waits in
// this connection's queue (fired after the loop last drained it): drain
// then writes it and the notice after it, the order FreeSWITCH keeps.
func (l *listener) hangupQueued() bool {
	id := l.session.uuid()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.queue {
		if e.id == evChannelHangup && e.get("Unique-ID") == id {
			return true
		}
	}
	return false
}
