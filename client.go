package esl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// Client is an inbound event socket connection to FreeSWITCH (port 8021).
// All methods are safe for concurrent use: commands from many goroutines
// are pipelined on the one connection and each caller gets its own reply.
//
// Events are read by Listen and Handle subscriptions; the client
// subscribes FreeSWITCH (Subscribe, Filter, …) separately, so several
// consumers can share one subscription set.
type Client struct {
	addr   string
	opt    options
	log    *slog.Logger
	hub    *hub
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu  sync.Mutex
	cur *conn // nil while disconnected
	// live mirrors cur (set under mu) so that commands find the
	// connection without taking mu.
	live    atomic.Pointer[conn]
	downErr error // why cur is nil
	closed  bool
	bgSub   bool // cur is subscribed to BACKGROUND_JOB on our behalf
	st      desiredState
	jobs    map[string]*Job
	exiting atomic.Bool

	holding atomic.Bool // a new connection is being restored
	holdMu  sync.Mutex
	held    []heldMessage
}

// Dial connects to FreeSWITCH at addr ("host:port"), authenticates, and
// returns a ready Client. Errors: ErrAuthFailed (wrong password or
// userauth credentials), ErrAccessDenied (ACL), ErrNotFreeSWITCH,
// ErrTimeout, or the dialer's error. No error mentions the password.
func Dial(ctx context.Context, addr string, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	cctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		addr:   addr,
		opt:    o,
		log:    o.logger.With("addr", addr),
		hub:    newHub(),
		ctx:    cctx,
		cancel: cancel,
		jobs:   map[string]*Job{},
	}
	cn, err := c.connect(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	c.cur = cn
	c.live.Store(cn)
	c.wg.Add(1)
	go c.supervise(cn)
	return c, nil
}

// connect dials, reads the greeting, authenticates and starts the engine.
func (c *Client) connect(ctx context.Context) (*conn, error) {
	if c.opt.dialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opt.dialTimeout)
		defer cancel()
	}
	nc, err := c.opt.dialer.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		if isTimeout(err) {
			return nil, fmt.Errorf("esl: dial %s: %w: %w", c.addr, ErrTimeout, err)
		}
		return nil, fmt.Errorf("esl: dial %s: %w", c.addr, err)
	}
	r, err := c.handshake(ctx, nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	c.log.Debug("esl: connected")
	return newConn(nc, r, connConfig{
		logger:       c.log,
		limits:       c.opt.limits,
		writeTimeout: c.opt.writeTimeout,
		idleLimit:    c.opt.idleLimit,
		idleActive:   c.heartbeatSubscribed,
		onEvent:      c.onEvent,
		onEventFrame: c.onEventFrame,
		onLog:        c.onLog,
		onLinger:     c.onLinger,
	}), nil
}

// handshake reads auth/request and authenticates, bounded by ctx.
func (c *Client) handshake(ctx context.Context, nc net.Conn) (*wire.Reader, error) {
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	fail := func(stage string, err error) error {
		if ctx.Err() != nil || isTimeout(err) {
			return fmt.Errorf("esl: %s %s: %w: %w", stage, c.addr, ErrTimeout, err)
		}
		return fmt.Errorf("esl: %s %s: %w", stage, c.addr, err)
	}
	r := wire.NewReader(nc, c.opt.limits)
	f, err := r.ReadFrame()
	if err != nil {
		if isTimeout(err) || ctx.Err() != nil {
			return nil, fail("greeting from", err)
		}
		return nil, fail("greeting from", errors.Join(ErrNotFreeSWITCH, err))
	}
	switch ct := f.ContentType(); ct {
	case wire.TypeAuthRequest:
	case wire.TypeRudeRejection:
		return nil, fail("connect to", ErrAccessDenied)
	default:
		return nil, fail("greeting from", fmt.Errorf("%w (got %q)", ErrNotFreeSWITCH, ct))
	}
	cmd := &command{line: "auth " + c.opt.password, secret: true}
	if c.opt.user != "" {
		cmd.line = "userauth " + c.opt.user + ":" + c.opt.password
	}
	if err := cmd.validate(); err != nil {
		return nil, err
	}
	if _, err := nc.Write(cmd.appendTo(nil)); err != nil {
		return nil, fail("auth to", err)
	}
	f, err = r.ReadFrame()
	if err != nil {
		return nil, fail("auth reply from", err)
	}
	if f.ContentType() != wire.TypeCommandReply {
		return nil, fail("auth reply from", fmt.Errorf("%w (got %q)", ErrNotFreeSWITCH, f.ContentType()))
	}
	if text := f.Headers.Get("Reply-Text"); len(text) < 3 || text[:3] != "+OK" {
		return nil, fmt.Errorf("esl: %s: %w: %w", c.addr, ErrAuthFailed, &CommandError{Command: cmd.name(), Reply: text})
	}
	_ = nc.SetDeadline(time.Time{})
	return r, nil
}

// supervise watches the connection: when it ends it fails the jobs, tells
// the subscribers, and reconnects if asked to.
func (c *Client) supervise(cn *conn) {
	defer c.wg.Done()
	for {
		select {
		case <-cn.done:
		case <-c.ctx.Done():
			return
		}
		cn.wg.Wait()
		err := cn.err()
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return
		}
		c.cur, c.downErr, c.bgSub = nil, err, false
		c.live.Store(nil)
		jobs := c.takeJobsLocked()
		c.mu.Unlock()
		for _, j := range jobs {
			j.finish(nil, err)
		}
		c.log.Info("esl: disconnected", "err", err)
		c.hub.publish(Message{Kind: KindDisconnected, Err: err}, nil)
		if !c.opt.reconnect || c.exiting.Load() {
			c.hub.end(err)
			return
		}
		next, rerr, ok := c.reconnect()
		if !ok {
			return
		}
		cn = next
		c.release(Message{Kind: KindReconnected, Err: rerr})
	}
}

// publish hands a message from the reader to the subscribers, or holds it
// while a new connection is being restored, so that the Reconnected
// notice comes before anything the new connection delivers.
func (c *Client) publish(cn *conn, m Message) {
	if c.holding.Load() {
		c.holdMu.Lock()
		if c.holding.Load() {
			c.held = append(c.held, heldMessage{m})
			c.holdMu.Unlock()
			return
		}
		c.holdMu.Unlock()
	}
	c.hub.publish(m, cn)
}

type heldMessage struct {
	m Message
}

// hold starts holding messages (before a new connection starts reading).
func (c *Client) hold() {
	c.holdMu.Lock()
	c.held = nil
	c.holding.Store(true)
	c.holdMu.Unlock()
}

// release publishes notice, then what was held, and stops holding. The
// held messages (the few that arrived while the state was restored) are
// buffered like notices, past a full buffer: waiting here would stall the
// reader, which is waiting for holdMu.
func (c *Client) release(notice Message) {
	c.holdMu.Lock()
	defer c.holdMu.Unlock()
	c.hub.publish(notice, nil)
	for _, h := range c.held {
		c.hub.publish(h.m, nil)
	}
	c.held = nil
	c.holding.Store(false)
}

// reconnect dials until it succeeds, the client closes, or the
// credentials are refused. It restores the desired state before the new
// connection is used.
func (c *Client) reconnect() (*conn, error, bool) {
	t := time.NewTimer(0)
	defer t.Stop()
	<-t.C
	for attempt := 0; ; attempt++ {
		t.Reset(backoff(attempt, c.opt.backoffMin, c.opt.backoffMax))
		select {
		case <-t.C:
		case <-c.ctx.Done():
			return nil, nil, false
		}
		c.hold()
		cn, err := c.connect(c.ctx)
		if err != nil {
			if errors.Is(err, ErrAuthFailed) || errors.Is(err, ErrInvalidArgument) {
				c.log.Error("esl: reconnect refused, giving up", "err", err)
				c.mu.Lock()
				c.downErr = err
				c.mu.Unlock()
				c.hub.end(err)
				return nil, nil, false
			}
			c.log.Warn("esl: reconnect failed", "attempt", attempt+1, "err", err)
			continue
		}
		c.mu.Lock()
		cmds := c.st.restoreCommands(c.opt.format)
		c.mu.Unlock()
		rctx, cancel := c.ctx, context.CancelFunc(func() {})
		if c.opt.dialTimeout > 0 {
			// A server that stops answering while the state is restored
			// is treated like one that cannot be reached.
			rctx, cancel = context.WithTimeout(c.ctx, c.opt.dialTimeout)
		}
		rerr := restore(rctx, cn, cmds)
		cancel()
		if errors.Is(rerr, context.DeadlineExceeded) && c.ctx.Err() == nil {
			c.log.Warn("esl: restoring state timed out", "attempt", attempt+1)
			cn.close()
			continue
		}
		if errors.Is(rerr, ErrDisconnected) || c.ctx.Err() != nil {
			cn.close()
			if c.ctx.Err() != nil {
				return nil, nil, false
			}
			continue
		}
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			cn.close()
			return nil, nil, false
		}
		c.cur, c.downErr = cn, nil
		c.live.Store(cn)
		c.mu.Unlock()
		c.log.Info("esl: reconnected", "attempt", attempt+1)
		if rerr != nil {
			c.log.Warn("esl: state not fully restored", "err", rerr)
		}
		return cn, rerr, true
	}
}

// heartbeatSubscribed reports whether HEARTBEAT events are asked for: the
// liveness limit only applies then (otherwise silence is normal).
func (c *Client) heartbeatSubscribed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.wants("HEARTBEAT")
}

// conn returns the live connection or why there is none.
func (c *Client) conn() (*conn, error) {
	if cn := c.live.Load(); cn != nil {
		return cn, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if c.cur == nil {
		if c.downErr != nil {
			return nil, c.downErr
		}
		return nil, &DisconnectError{Reason: ReasonEOF}
	}
	return c.cur, nil
}

// do sends cmd and waits for its reply; a refusal is a *CommandError
// returned with the reply.
func (c *Client) do(ctx context.Context, cmd *command) (*reply, *conn, error) {
	rep := new(reply)
	cn, ok, err := c.doInto(ctx, cmd, rep)
	if !ok {
		return nil, cn, err
	}
	return rep, cn, err
}

// doInto is do filling dst (API's path: no reply allocated). ok says
// whether dst holds a reply; cn is the connection used, if any.
func (c *Client) doInto(ctx context.Context, cmd *command, dst *reply) (cn *conn, ok bool, err error) {
	if cn, err = c.conn(); err != nil {
		return nil, false, err
	}
	if err := cn.roundTripInto(ctx, cmd, dst); err != nil {
		return cn, false, err
	}
	return cn, true, dst.err()
}

// Close ends the connection and every subscription (they end after
// delivering what they hold) and stops reconnecting. Pending commands and
// jobs fail with ErrDisconnected.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	cn := c.cur
	c.cur = nil
	c.live.Store(nil)
	jobs := c.takeJobsLocked()
	c.mu.Unlock()
	c.cancel()
	if cn != nil {
		cn.close()
	}
	c.wg.Wait()
	end := &DisconnectError{Reason: ReasonClosed, Err: ErrClosed}
	for _, j := range jobs {
		j.finish(nil, end)
	}
	c.hub.end(end)
	return nil
}

// Listen returns a new subscription to the client's stream of events, log
// lines and connection notices, narrowed by opts (ForEvents, ForUniqueID,
// …). It only reads what FreeSWITCH sends: use Subscribe to ask for events.
func (c *Client) Listen(opts ...SubscribeOption) *Subscription {
	return c.hub.subscribe(opts)
}

// Handle calls fn for every message matching opts, in order, on its own
// goroutine. Close the returned subscription to stop it (not from inside fn).
func (c *Client) Handle(fn func(Message), opts ...SubscribeOption) *Subscription {
	s := c.hub.subscribe(opts)
	s.run(fn)
	return s
}

// onEventFrame publishes an event undecoded when nothing on the reader
// needs its headers: no subscription filters on them, and it cannot be a
// BACKGROUND_JOB (whose name then appears in the bytes). With no
// subscription at all it is dropped undecoded.
func (c *Client) onEventFrame(cn *conn, ct string, body []byte) bool {
	if mayBeBackgroundJob(ct, body) {
		return false
	}
	lazy, any := c.hub.lazyOK()
	if !any {
		return true
	}
	if !lazy {
		return false
	}
	c.publish(cn, Message{Kind: KindEvent, lazy: cn.raw.carve(ct, body)})
	return true
}

var (
	bgJobBytes      = []byte("BACKGROUND_JOB")
	plainNamePrefix = []byte("Event-Name: ")
	jsonNamePrefix  = []byte(`{"Event-Name":"`)
)

// mayBeBackgroundJob reports whether an event frame's body may be a
// BACKGROUND_JOB (which must be decoded on the reader to complete its
// job). FreeSWITCH writes Event-Name first: when the body starts with it,
// its value alone decides (the event's name is its first Event-Name), which
// spares scanning the whole body; otherwise any mention of the name in the
// bytes counts.
func mayBeBackgroundJob(ct string, body []byte) bool {
	switch ct {
	case wire.TypeEventPlain:
		if rest, ok := bytes.CutPrefix(body, plainNamePrefix); ok {
			if end := bytes.IndexByte(rest, '\n'); end >= 0 {
				return bytes.Contains(rest[:end], bgJobBytes)
			}
		}
	case wire.TypeEventJSON:
		if rest, ok := bytes.CutPrefix(body, jsonNamePrefix); ok {
			if end := bytes.IndexByte(rest, '"'); end >= 0 {
				return bytes.Contains(rest[:end], bgJobBytes)
			}
		}
	}
	return bytes.Contains(body, bgJobBytes)
}

// onEvent runs on the reader for every event: it completes jobs, hides the
// BACKGROUND_JOB events the user did not ask for, and publishes the rest.
func (c *Client) onEvent(cn *conn, ev *Event) {
	if id, ok := ev.Lookup("Job-UUID"); ok && wire.EqualFold(ev.Get("Event-Name"), "BACKGROUND_JOB") {
		c.mu.Lock()
		j := c.jobs[id]
		delete(c.jobs, id)
		visible := c.st.wants("BACKGROUND_JOB") && (j == nil || !j.filtered || filterPass(c.st.filters, ev))
		c.mu.Unlock()
		if j != nil {
			if j.filtered {
				_ = cn.send(&command{line: "filter delete Job-UUID " + id})
			}
			j.finish(ev, nil)
		}
		if !visible {
			return
		}
	}
	c.publish(cn, Message{Kind: KindEvent, Event: ev})
}

func (c *Client) onLog(cn *conn, rec *LogRecord) {
	c.publish(cn, Message{Kind: KindLog, Log: rec})
}

func (c *Client) onLinger(cn *conn, notice *Event) {
	c.publish(cn, Message{Kind: KindLinger, Event: notice})
}
