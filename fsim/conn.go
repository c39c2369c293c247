package fsim

import (
	"bufio"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// listener is one event-socket connection, inbound or outbound: mes.c's
// listener struct. Its run goroutine is FreeSWITCH's connection thread: it
// executes commands one after another, writes their replies, and drains the
// event and log queues only while no command is pending.
type listener struct {
	sim      *Sim
	nc       net.Conn
	bw       *bufio.Writer
	out      countingWriter // under bw: counts what reached the socket
	outbound bool
	rest     restState

	cmds    chan *command
	partial atomic.Bool // a command is partly received: events stall
	wake    chan struct{}
	done    chan struct{} // closed when run returns
	killMu  sync.Once
	killed  chan struct{}
	killMsg atomic.Pointer[string]
	// killDrain makes a kill send the queued events before its notice
	// (fsctl shutdown: the events fired before it, such as the API event
	// of the shutdown command itself, reach the client first).
	killDrain atomic.Bool
	// killWritten is closed once a notice written from outside the
	// connection thread (lost events) is out; the thread waits for it
	// before closing the socket.
	killWritten atomic.Pointer[chan struct{}]

	// Guarded by mu: what the dispatcher reads.
	mu         sync.Mutex
	types      [numEvents]bool
	subclasses map[string]bool
	eventsOn   bool
	filters    []filter
	myevents   bool
	myUUID     string
	queue      []*event
	spare      []*event     // the drained queue's array, reused (run goroutine only)
	iov        [][]byte     // writeFrames' vector, reused (run goroutine only)
	writevs    atomic.Int64 // writeFrames' chunks written, for tests
	lost       int
	logOn      bool
	logLevel   int
	logs       []*logLine
	lostLogs   int
	format     int

	// Owned by the run goroutine.
	allowed      permissions
	authed       bool
	session      *channel
	async, full  bool
	linger       bool
	lingerSecs   int
	lingering    bool
	lingerTimer  Timer
	lingerDone   chan struct{}
	firstCmd     bool
	sessionEnded bool
	stall        time.Duration
	firstC       chan struct{}
	faults       chan func()
	firstTimer   Timer
}

// command is one parsed client command (§1.3).
type command struct {
	line    string // the first line, without CR/LF
	raw     string // the whole header block (FreeSWITCH's "Command")
	headers []wireHeader
	body    string
	hasBody bool
	fatal   bool // bad Content-Length: disconnect
}

func (c *command) header(name string) string {
	for _, h := range c.headers {
		if equalFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

func (s *Sim) newListener(nc net.Conn, session *channel) *listener {
	l := &listener{
		sim:        s,
		nc:         nc,
		cmds:       make(chan *command, 64),
		wake:       make(chan struct{}, 1),
		done:       make(chan struct{}),
		killed:     make(chan struct{}),
		subclasses: map[string]bool{},
		session:    session,
		outbound:   session != nil,
		lingerDone: make(chan struct{}, 1),
		allowed:    fullPermissions,
		faults:     make(chan func(), 4),
	}
	l.out.w = nc
	l.bw = bufio.NewWriterSize(&l.out, 64<<10)
	l.rest.cond.L = &l.rest.mu
	if f := s.onConn; f != nil {
		f(l)
	}
	s.trackConn(l)
	return l
}

// signal wakes the run goroutine without blocking.
func (l *listener) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// killAfterQueue is kill for a shutdown: what is already queued goes out
// before the notice.
func (l *listener) killAfterQueue(msg string) {
	l.killDrain.Store(true)
	l.kill(msg)
}

// kill ends the connection from outside the run goroutine, sending msg as
// the final disconnect notice (if the socket still takes it).
func (l *listener) kill(msg string) {
	l.killMu.Do(func() {
		l.killMsg.Store(&msg)
		close(l.killed)
	})
}

// serveInbound runs an accepted inbound connection.
func (l *listener) serveInbound() {
	defer l.nc.Close()
	peer := l.nc.RemoteAddr().String()
	if !l.sim.allowed(l.nc.RemoteAddr()) {
		l.sim.log.Info("fsim: connection refused by the ACL", "peer", peer)
		l.bw.WriteString("Content-Type: text/rude-rejection\nContent-Length: 24\n\n" + rudeRejection)
		l.writeNotice(noticeGoodbye)
		l.bw.Flush()
		return
	}
	l.sim.log.Debug("fsim: connection", "peer", peer)
	defer l.sim.log.Debug("fsim: connection closed", "peer", peer)
	l.armFirst()
	l.sim.addListener(l)
	defer l.sim.removeListener(l)
	l.bw.WriteString(frameAuthRequest)
	if l.bw.Flush() != nil {
		l.firstTimer.Stop()
		return
	}
	l.run()
}

// armFirst starts the 25 s wait for the first command, inbound and
// outbound alike (before the greeting, so a test that has read the greeting
// knows the timer runs).
func (l *listener) armFirst() {
	ch := make(chan struct{})
	l.firstC = ch
	l.firstTimer = l.sim.clock.AfterFunc(25*time.Second, func() { close(ch) })
}

// run is the connection thread.
func (l *listener) run() {
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		l.readLoop()
	}()
	defer func() {
		l.rest.end()
		close(l.done)
		l.nc.Close()
		<-readerDone
		if l.lingerTimer != nil {
			l.lingerTimer.Stop()
		}
		if l.session != nil {
			l.session.detach(l)
		}
	}()
	first, firstTimer := l.firstC, l.firstTimer
	defer firstTimer.Stop()
	gotFirst := false
	for {
		select {
		case <-l.killed:
			l.killedExit()
			return
		default:
		}
		if len(l.cmds) == 0 && !l.partial.Load() {
			if !l.drain() {
				return
			}
		}
		if l.checkSession() {
			l.finish(noticeGoodbye)
			return
		}
		if len(l.cmds) == 0 {
			// Replies to pipelined commands that are already here wait in
			// the buffer and go out together after the last of them.
			if l.bw.Flush() != nil {
				return
			}
			l.rest.set(true)
		}
		var firstC <-chan struct{}
		if !gotFirst {
			firstC = first
		}
		select {
		case c, ok := <-l.cmds:
			l.rest.set(false)
			if !ok {
				// Peer closed or read error: FreeSWITCH still tries its notice.
				l.finish(noticeGoodbye)
				return
			}
			if !gotFirst {
				gotFirst = true
				firstTimer.Stop()
			}
			if c.fatal {
				l.finish(noticeGoodbye)
				return
			}
			if l.mayBlock(c) && l.bw.Flush() != nil {
				return
			}
			quit := l.handle(c)
			l.rest.handled.Add(1)
			if l.stall > 0 {
				d := l.stall
				l.stall = 0
				l.bw.Flush()
				l.sleep(d)
			}
			if quit {
				l.finish(noticeGoodbye)
				return
			}
		case <-l.wake:
			l.rest.set(false)
		case f := <-l.faults:
			l.rest.set(false)
			f()
			if l.stall > 0 {
				d := l.stall
				l.stall = 0
				l.bw.Flush()
				l.sleep(d)
			}
		case <-l.lingerDone:
			l.finish(noticeGoodbye)
			return
		case <-firstC:
			l.finish(noticeGoodbye)
			return
		case <-l.killed:
			l.killedExit()
			return
		}
	}
}

// killedExit ends the connection thread after kill or killLost.
func (l *listener) killedExit() {
	if msg := *l.killMsg.Load(); msg != "" {
		if l.killDrain.Load() && !l.drain() {
			return
		}
		l.finish(msg)
		return
	}
	if w := l.killWritten.Load(); w != nil {
		<-*w
	}
}

// sleep blocks the connection thread for d on the simulator's clock (a
// stall fault), unless the connection is killed meanwhile.
func (l *listener) sleep(d time.Duration) {
	ch := make(chan struct{})
	t := l.sim.clock.AfterFunc(d, func() { close(ch) })
	defer t.Stop()
	select {
	case <-ch:
	case <-l.killed:
	}
}

// finish writes the final disconnect notice.
func (l *listener) finish(msg string) {
	l.writeNotice(msg)
	l.bw.Flush()
}

// writeNotice writes a text/disconnect-notice frame (§6.3).
func (l *listener) writeNotice(msg string) {
	b := l.bw
	b.WriteString("Content-Type: text/disconnect-notice\n")
	if l.session != nil {
		b.WriteString("Controlled-Session-UUID: " + l.session.uuid() + "\nContent-Disposition: disconnect\n")
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(msg)) + "\n\n" + msg)
}

// writeReply writes a command/reply frame; texts starting with "~" are raw
// header text, as in listener_run.
func (l *listener) writeReply(text string) {
	if len(text) > 511 {
		text = text[:511]
	}
	// Piece by piece into the buffer: no string built per reply.
	b := l.bw
	if len(text) > 0 && text[0] == '~' {
		b.WriteString("Content-Type: command/reply\n")
		b.WriteString(text[1:])
		return
	}
	b.WriteString("Content-Type: command/reply\nReply-Text: ")
	b.WriteString(text)
	b.WriteString("\n\n")
}

func (l *listener) writeAPI(body string) {
	b := l.bw
	var n [20]byte
	b.WriteString("Content-Type: api/response\nContent-Length: ")
	b.Write(strconv.AppendInt(n[:0], int64(len(body)), 10))
	b.WriteString("\n\n")
	b.WriteString(body)
}

// drain writes queued log lines and events. It reports false if the socket
// failed.
func (l *listener) drain() bool {
	for {
		l.mu.Lock()
		logs, evs := l.logs, l.queue
		l.logs, l.queue = nil, l.spare[:0]
		l.spare = nil
		format := l.format
		l.mu.Unlock()
		if len(logs) == 0 && len(evs) == 0 {
			// Flush only once the queue is empty, so a burst of events
			// goes out in few writes.
			return l.bw.Flush() == nil
		}
		for _, ln := range logs {
			ln.write(l.bw)
		}
		if l.session == nil && len(evs) >= writevBatch {
			if !l.writeFrames(evs, format) {
				return false
			}
			clear(evs)
			l.spare = evs
			continue
		}
		for _, e := range evs {
			if _, err := l.bw.Write(e.frame(format)); err != nil {
				return false
			}
			hangup := e.id == evChannelHangup && l.session != nil && !l.sessionEnded && e.get("Unique-ID") == l.session.uuid()
			e.release()
			if hangup {
				// The connection thread notices the hangup right after
				// writing it: with linger the notice precedes the rest;
				// without, the rest is dropped and the connection ends.
				if l.sessionDown(true) {
					l.finish(noticeGoodbye)
					return false
				}
			}
		}
		clear(evs)
		l.spare = evs
	}
}

// writevBatch is the batch of events from which writeFrames is used;
// writevChunk bounds what one writev carries, so that only a few frame
// buffers are out of the pool at a time (a long queue would otherwise
// encode all of it before writing any).
const (
	writevBatch = 8
	writevChunk = 64 << 10
)

// writeFrames writes a batch of events straight from their shared
// serialisations with writev, after whatever the buffer holds, instead of
// copying every frame into the buffer first (with ten subscribers those
// copies were a seventh of the CPU). Outbound connections keep the
// per-event path: they must notice their session's hangup after each
// event.
func (l *listener) writeFrames(evs []*event, format int) bool {
	if l.bw.Flush() != nil {
		return false
	}
	for len(evs) > 0 {
		v, size, k := l.iov[:0], 0, 0
		for k < len(evs) && size < writevChunk {
			f := evs[k].frame(format)
			v = append(v, f)
			size += len(f)
			k++
		}
		l.iov = v
		bufs := net.Buffers(v)
		n, err := bufs.WriteTo(l.nc)
		l.out.n.Add(n)
		l.writevs.Add(1)
		clear(l.iov)
		for _, e := range evs[:k] {
			e.release()
		}
		if err != nil {
			return false
		}
		evs = evs[k:]
	}
	return true
}
