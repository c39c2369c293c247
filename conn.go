package esl

// conn is the connection engine under both the inbound Client and the
// outbound Session: one socket, one reader goroutine, one writer goroutine,
// and a FIFO of callers waiting for replies.
//
// Internal API (package esl only):
//
//	c := newConn(nc, r, connConfig{...})
//	    Starts the reader and writer. r may be a *wire.Reader that already
//	    read the greeting (Dial reads auth/request and authenticates before
//	    starting the engine); nil makes a new one over nc.
//
//	rep, err := c.roundTrip(ctx, &command{line: "api status"})
//	    Validates the command (CR/LF anywhere -> *ArgumentError, nothing
//	    written), queues its bytes and its waiter in one critical section
//	    (so FIFO order is wire order), and waits for the next command/reply
//	    or api/response. rep.err() turns "-ERR …" into a *CommandError. If
//	    ctx ends first the waiter is abandoned: the reader still pops it and
//	    drops its reply, so no other caller ever gets it (a reply that had
//	    already arrived when ctx ended is returned). If the connection
//	    ends, every waiter gets a *DisconnectError (errors.Is ErrDisconnected).
//
//	c.send(cmd)   queues a command whose reply is consumed and discarded;
//	              never blocks (usable from the reader's hooks).
//
//	c.enqueue(cmd, &waiter{ch: make(chan result, 1), cmd: cmd.name()})
//	              queues a validated command with a waiter of your own and
//	              returns at once; the reply (or the disconnect error)
//	              arrives on ch. For replies awaited elsewhere (outbound
//	              execute). Validate first: enqueue writes what it gets.
//
//	<-c.done, c.err()   the connection ended, and why (*DisconnectError with a
//	                    DisconnectReason: notice, EOF, read/write error, idle,
//	                    rejected, closed).
//
//	c.close()     ends the connection (reason ReasonClosed) and waits for its
//	              goroutines; must not be called from a hook.
//
// Hooks in connConfig run on the reader goroutine in wire order:
// onEventFrame (optional, sees the undecoded body and may take the event)
// then onEvent for every event, onLog for every log/data line, onLinger
// for a linger notice (informational: the connection stays up). A
// synchronous hook is where correlation belongs (Job-UUID,
// Application-UUID): it must not block. The one allowed wait is
// hub.publish(m, c), which applies the subscribers' overflow policy and,
// under Block, stops waiting as soon as a command is pending
// (c.hasPending, c.psig), so replies are never held behind a full queue.
//
// The idle check (idleLimit, gated by idleActive) ends the connection with
// ReasonIdle when no frame arrived for a whole period, unless the reader
// is waiting on a subscriber.
//
// Writes never block callers: a command's bytes are appended to a buffer
// that the writer goroutine flushes, so many concurrent callers share one
// write system call (pipelining). When callers run concurrently the writer
// yields before taking the buffer, letting the callers just handed their
// replies queue their next commands into the same write; a lone caller is
// written at once. A write error or the write timeout ends the connection.

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// connConfig configures a conn. Zero values are usable.
type connConfig struct {
	logger *slog.Logger
	limits wire.Limits
	// writeTimeout bounds one flush to the socket; 0 means no limit.
	writeTimeout time.Duration
	// idleLimit declares the connection dead when no frame at all arrives
	// for this long (use with HEARTBEAT subscribed); 0 disables it.
	idleLimit time.Duration
	// idleActive, when set, says whether the idle limit applies now.
	idleActive func() bool

	onEvent func(c *conn, ev *Event)
	// onEventFrame, when set, sees each event frame first, undecoded (body
	// valid only during the call); returning true means it took the
	// event and onEvent is not called. The Client uses it to decode on the
	// consumer's goroutine instead of the reader's.
	onEventFrame func(c *conn, contentType string, body []byte) bool
	onLog        func(c *conn, rec *LogRecord)
	onLinger     func(c *conn, notice *Event)
}

// reply is a command/reply or api/response frame, copied out of the reader.
type reply struct {
	cmd         commandName // for errors (never credentials)
	contentType string
	headers     wire.Headers
	body        string
}

// text returns the Reply-Text of a command/reply.
func (r *reply) text() string { return r.headers.Get("Reply-Text") }

// err converts a refusal into a *CommandError: "-ERR" in a command/reply's
// Reply-Text, or "-ERR"/"-USAGE" at the start of an api/response body.
func (r *reply) err() error {
	if r.contentType == wire.TypeAPIResponse {
		if hasErrPrefix(r.body) {
			return &CommandError{Command: r.cmd.String(), Reply: r.body}
		}
		return nil
	}
	if t := r.text(); len(t) >= 4 && t[:4] == "-ERR" {
		return &CommandError{Command: r.cmd.String(), Reply: t}
	}
	return nil
}

func hasErrPrefix(s string) bool {
	return len(s) >= 4 && s[:4] == "-ERR" || len(s) >= 6 && s[:6] == "-USAGE"
}

type result struct {
	rep *reply
	err error
}

// commandName is what errors may say about a command, computed only when
// an error needs it.
type commandName struct {
	name   string // already computed (outbound sets it), else from line
	line   string
	secret bool
}

func (n commandName) String() string {
	if n.name != "" {
		return n.name
	}
	return (&command{line: n.line, secret: n.secret}).name()
}

// waiter is one caller waiting for its reply. Waiters whose reply was
// received are recycled; abandoned ones are left to the collector.
type waiter struct {
	ch        chan result // 1-buffered: the reader never blocks on it
	cmd       string      // name for errors; "" means derive it from line
	line      string
	secret    bool
	onOK      func()
	abandoned atomic.Bool
	// rep is where the reader puts the reply; the result sent on ch points
	// at it, so a reply costs no allocation of its own. A recycled waiter's
	// caller copies it out first (take).
	rep reply
}

var waiterPool = sync.Pool{New: func() any { return &waiter{ch: make(chan result, 1)} }}

func newWaiter(cmd *command) *waiter {
	w := waiterPool.Get().(*waiter)
	w.cmd, w.line, w.secret, w.onOK = "", cmd.line, cmd.secret, cmd.onOK
	w.abandoned.Store(false)
	return w
}

type conn struct {
	nc  net.Conn
	r   *wire.Reader
	cfg connConfig
	log *slog.Logger

	mu      sync.Mutex
	wbuf    []byte    // queued command bytes, not yet written
	pending []*waiter // FIFO of waiters, oldest at phead
	phead   int
	closed  bool
	termErr error

	wspare []byte        // writer's spare buffer
	wsig   chan struct{} // wakes the writer
	psig   chan struct{} // a waiter was queued (wakes a blocked deliver)
	done   chan struct{}
	wg     sync.WaitGroup
	frames atomic.Uint64 // frames read, for the idle check
	// delivered counts replies handed to callers since the writer last
	// looked: more than one means concurrent callers (see writeLoop).
	delivered atomic.Int64
	queued    atomic.Int64 // commands queued so far (the writer's yield watches it grow)
	stalled   atomic.Int32 // >0 while the reader waits for a subscriber (Block)
	raw       rawCarver    // copies of event frames published undecoded (reader only)
}

// newConn starts the engine on nc. r, when not nil, must read from nc.
func newConn(nc net.Conn, r *wire.Reader, cfg connConfig) *conn {
	if cfg.logger == nil {
		cfg.logger = discardLogger
	}
	if r == nil {
		r = wire.NewReader(nc, cfg.limits)
	}
	c := &conn{
		nc:   nc,
		r:    r,
		cfg:  cfg,
		log:  cfg.logger,
		wsig: make(chan struct{}, 1),
		psig: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	c.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
	if cfg.idleLimit > 0 {
		c.wg.Add(1)
		go c.idleLoop(cfg.idleLimit)
	}
	return c
}

var discardLogger = slog.New(slog.DiscardHandler)

// roundTrip writes cmd and waits for its reply (see the file comment).
func (c *conn) roundTrip(ctx context.Context, cmd *command) (*reply, error) {
	rep := new(reply)
	if err := c.roundTripInto(ctx, cmd, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// roundTripInto is roundTrip filling the caller's reply, so that a caller
// that keeps only part of it (API keeps the body) allocates nothing for
// the rest.
func (c *conn) roundTripInto(ctx context.Context, cmd *command, dst *reply) error {
	if err := cmd.validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w := newWaiter(cmd)
	if err := c.enqueue(cmd, w); err != nil {
		waiterPool.Put(w)
		return err
	}
	done := ctx.Done()
	if done == nil {
		// A context that never ends: a plain receive is cheaper than a
		// select, and this is the path of every pipelined caller.
		return w.take(<-w.ch, dst)
	}
	select {
	case res := <-w.ch:
		return w.take(res, dst)
	case <-done:
		// A reply that already arrived wins over the ended context: select
		// picks at random when both are ready, and a caller must not be
		// told "context canceled" for a command FreeSWITCH carried out.
		// This matters most to a Session, whose context the reader cancels
		// on CHANNEL_HANGUP, which follows right after the +OK of the
		// hangup that caused it.
		select {
		case res := <-w.ch:
			return w.take(res, dst)
		default:
		}
		// From here a late reply is dropped by the reader (deliverReply).
		w.abandoned.Store(true)
		return ctx.Err()
	}
}

// take copies a received result into dst and recycles w: once its result
// was sent the reader is done with it.
func (w *waiter) take(res result, dst *reply) error {
	if res.rep != nil {
		*dst = *res.rep
	}
	w.line = ""
	w.onOK = nil
	w.rep = reply{}
	waiterPool.Put(w)
	return res.err
}

// send queues cmd and discards its reply. It never blocks.
func (c *conn) send(cmd *command) error {
	if err := cmd.validate(); err != nil {
		return err
	}
	w := &waiter{ch: make(chan result, 1)}
	w.abandoned.Store(true)
	return c.enqueue(cmd, w)
}

// enqueue appends the command's bytes and its waiter in one critical
// section, so that the FIFO order is the wire order.
func (c *conn) enqueue(cmd *command, w *waiter) error {
	c.mu.Lock()
	if c.closed {
		err := c.termErr
		c.mu.Unlock()
		return err
	}
	c.wbuf = cmd.appendTo(c.wbuf)
	c.pending = append(c.pending, w)
	c.mu.Unlock()
	c.queued.Add(1)
	if c.log.Enabled(context.Background(), slog.LevelDebug) {
		c.log.Debug("esl: send", "command", cmd.name())
	}
	select {
	case c.wsig <- struct{}{}:
	default:
	}
	select {
	case c.psig <- struct{}{}:
	default:
	}
	return nil
}

// pendingCount returns how many commands wait for their reply.
func (c *conn) pendingCount() int {
	c.mu.Lock()
	n := len(c.pending) - c.phead
	c.mu.Unlock()
	return n
}

// hasPending reports whether some caller waits for a reply.
func (c *conn) hasPending() bool { return c.pendingCount() > 0 }

func (c *conn) pop() *waiter {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phead >= len(c.pending) {
		return nil
	}
	w := c.pending[c.phead]
	c.pending[c.phead] = nil
	c.phead++
	if c.phead == len(c.pending) {
		c.pending = c.pending[:0]
		c.phead = 0
	} else if c.phead > 1024 && c.phead > len(c.pending)/2 {
		n := copy(c.pending, c.pending[c.phead:])
		clear(c.pending[n:])
		c.pending = c.pending[:n]
		c.phead = 0
	}
	return w
}

func (c *conn) writeLoop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.wsig:
		case <-c.done:
			return
		}
		if c.delivered.Swap(0) > 1 || c.pendingCount() > 1 {
			// Several callers were just handed their replies and are
			// likely about to send again: let them run first, so that
			// their commands share this write instead of costing one
			// system call each; again while that brings more (a few
			// times at most). A lone caller (one reply since the last
			// write) is written at once.
			for range 4 {
				n := c.queued.Load()
				runtime.Gosched()
				if c.queued.Load() == n {
					break
				}
			}
		}
		c.mu.Lock()
		if len(c.wbuf) == 0 {
			// Nothing queued: swapping now would leave wbuf and wspare
			// sharing one array, and the next write would send bytes a
			// caller is still appending.
			c.mu.Unlock()
			continue
		}
		buf := c.wbuf
		c.wbuf = c.wspare[:0]
		c.mu.Unlock()
		if c.cfg.writeTimeout > 0 {
			_ = c.nc.SetWriteDeadline(time.Now().Add(c.cfg.writeTimeout))
		}
		_, err := c.nc.Write(buf)
		if cap(buf) <= 1<<20 {
			c.wspare = buf[:0]
		} else {
			c.wspare = nil // do not keep one huge sendevent body forever
		}
		if err != nil {
			c.fail(&DisconnectError{Reason: ReasonWriteError, Err: err})
			return
		}
	}
}

func (c *conn) readLoop() {
	defer c.wg.Done()
	for {
		f, err := c.r.ReadFrame()
		if err != nil {
			c.fail(readError(err))
			return
		}
		c.frames.Add(1)
		switch ct := f.ContentType(); ct {
		case wire.TypeCommandReply, wire.TypeAPIResponse:
			c.deliverReply(ct, f)
		case wire.TypeEventPlain, wire.TypeEventJSON, wire.TypeEventXML:
			if c.cfg.onEventFrame != nil && c.cfg.onEventFrame(c, ct, f.Body) {
				continue
			}
			ev, err := decodeEvent(ct, f.Body)
			if err != nil {
				c.log.Warn("esl: undecodable event dropped", "content_type", ct, "err", err)
				continue
			}
			if c.cfg.onEvent != nil {
				c.cfg.onEvent(c, ev)
			}
		case wire.TypeLogData:
			if c.cfg.onLog != nil {
				c.cfg.onLog(c, parseLogRecord(f))
			}
		case wire.TypeDisconnectNotice:
			disp := f.Headers.Get("Content-Disposition")
			if disp == "linger" {
				if c.cfg.onLinger != nil {
					c.cfg.onLinger(c, NewEvent(cloneHeaders(f.Headers), ""))
				}
				continue
			}
			c.fail(&DisconnectError{Reason: ReasonNotice, Notice: string(f.Body), Disposition: disp})
			return
		case wire.TypeRudeRejection:
			c.fail(&DisconnectError{Reason: ReasonRejected, Notice: string(f.Body), Err: ErrAccessDenied})
			return
		default:
			c.log.Debug("esl: frame of unknown type ignored", "content_type", ct)
		}
	}
}

// deliverReply completes the oldest waiter. An abandoned waiter's reply is
// dropped without being copied.
func (c *conn) deliverReply(ct string, f *wire.Frame) {
	w := c.pop()
	if w == nil {
		c.log.Warn("esl: reply without a pending command dropped", "content_type", ct, "reply_text", f.Headers.Get("Reply-Text"))
		return
	}
	if w.onOK != nil && ct == wire.TypeCommandReply && strings.HasPrefix(f.Headers.Get("Reply-Text"), "+OK") {
		w.onOK()
	}
	if w.abandoned.Load() {
		return
	}
	rep := &w.rep
	*rep = reply{cmd: commandName{name: w.cmd, line: w.line, secret: w.secret}, contentType: ct}
	if ct != wire.TypeAPIResponse {
		// api/response headers are only Content-Type and Content-Length.
		rep.headers = cloneHeaders(f.Headers)
	}
	if len(f.Body) > 0 {
		rep.body = string(f.Body)
	}
	c.delivered.Add(1)
	w.ch <- result{rep: rep}
}

func cloneHeaders(h wire.Headers) wire.Headers {
	out := make(wire.Headers, len(h))
	copy(out, h)
	return out
}

// readError classifies the reader's terminal error.
func readError(err error) error {
	if errors.Is(err, io.EOF) {
		return &DisconnectError{Reason: ReasonEOF}
	}
	if errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe) {
		return &DisconnectError{Reason: ReasonClosed, Err: ErrClosed}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &DisconnectError{Reason: ReasonEOF, Err: err}
	}
	return &DisconnectError{Reason: ReasonReadError, Err: err}
}

// idleLoop ends the connection when no frame arrived during one whole
// period of limit.
func (c *conn) idleLoop(limit time.Duration) {
	defer c.wg.Done()
	t := time.NewTicker(limit)
	defer t.Stop()
	last := c.frames.Load()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			n := c.frames.Load()
			if n == last && c.stalled.Load() == 0 && (c.cfg.idleActive == nil || c.cfg.idleActive()) {
				c.fail(&DisconnectError{Reason: ReasonIdle, Err: ErrTimeout})
				return
			}
			last = n
		}
	}
}

// fail ends the connection once: every pending waiter gets err, done is
// closed, the socket is closed. Later calls are no-ops.
func (c *conn) fail(err error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.termErr = err
	pend := c.pending[c.phead:]
	c.pending, c.phead = nil, 0
	c.mu.Unlock()
	for _, w := range pend {
		w.ch <- result{err: err}
	}
	close(c.done)
	_ = c.nc.Close()
	if de, ok := err.(*DisconnectError); !ok || de.Reason != ReasonClosed {
		c.log.Debug("esl: connection ended", "err", err)
	}
}

// err returns why the connection ended, or nil while it is up.
func (c *conn) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.termErr
}

// close ends the connection with ReasonClosed and waits for the engine's
// goroutines. It must not be called from a hook.
func (c *conn) close() {
	c.fail(&DisconnectError{Reason: ReasonClosed, Err: ErrClosed})
	c.wg.Wait()
}

// isTimeout reports whether err is a deadline or timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
