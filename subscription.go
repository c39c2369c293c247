package esl

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// MessageKind says what a Message carries.
type MessageKind uint8

// The kinds of Message a Subscription delivers.
const (
	// KindEvent: Event is a FreeSWITCH event.
	KindEvent MessageKind = iota + 1
	// KindLog: Log is a log line (after the log command).
	KindLog
	// KindGap: Lost messages were dropped here by the overflow policy.
	KindGap
	// KindDisconnected: the connection ended; Err says why. With
	// reconnecting on, KindReconnected follows once the client is back.
	KindDisconnected
	// KindReconnected: a new connection is up and the subscriptions,
	// filters and log level in force before are restored. Anything that
	// happened in between was missed: resynchronise (e.g. "show channels").
	// Err reports a part of the state that could not be restored.
	KindReconnected
	// KindLinger: the controlled channel hung up and FreeSWITCH lingers;
	// Event holds the notice's headers (Controlled-Session-UUID,
	// Channel-Name, Linger-Time). The connection stays up.
	KindLinger
)

func (k MessageKind) String() string {
	switch k {
	case KindEvent:
		return "event"
	case KindLog:
		return "log"
	case KindGap:
		return "gap"
	case KindDisconnected:
		return "disconnected"
	case KindReconnected:
		return "reconnected"
	case KindLinger:
		return "linger"
	}
	return "MessageKind(?)"
}

// Message is one item of a subscription's stream: an event, a log line,
// a gap marker or a connection notice, in the order they happened.
type Message struct {
	Kind  MessageKind
	Event *Event
	Log   *LogRecord
	// Lost is the number of messages dropped just before this point
	// (KindGap).
	Lost uint64
	// Err is why the connection ended (KindDisconnected) or what could not
	// be restored (KindReconnected).
	Err error

	lazy *lazyEvent // an event still to decode (filled in by Next)
}

// lazyEvent is an event frame decoded on first use, on a consumer's
// goroutine, so that the reader only frames and copies (the costly decode
// then runs in parallel with reading). Subscribers share one decode.
type lazyEvent struct {
	once sync.Once
	ct   string
	raw  []byte
	ev   *Event
	err  error
}

func (l *lazyEvent) get() (*Event, error) {
	l.once.Do(func() {
		l.ev, l.err = decodeEvent(l.ct, l.raw)
		l.raw = nil
	})
	return l.ev, l.err
}

// Overflow is what a subscription does with a message when its buffer is
// full. Every message dropped is counted and reported by a KindGap marker
// at the place it was lost.
type Overflow int

const (
	// Block makes the reader wait for room, up to the subscription's block
	// limit, after which the message is dropped. While any command waits
	// for its reply the reader does not wait: the message is buffered
	// beyond the limit (up to 16 times the buffer size) so replies are
	// never held behind a full queue. Blocking pushes back on FreeSWITCH,
	// which queues up to 100,000 events per connection itself.
	Block Overflow = iota
	// DropOldest discards the oldest buffered message to make room.
	DropOldest
	// DropNewest discards the arriving message.
	DropNewest
)

// Defaults for subscriptions.
const (
	DefaultBufferSize = 4096
	DefaultBlockLimit = 5 * time.Second
)

// SubscribeOption configures a Subscription.
type SubscribeOption func(*subConfig)

type subConfig struct {
	size       int
	overflow   Overflow
	blockLimit time.Duration
	names      []string
	subclasses []string
	uniqueIDs  []string
	jobs       []string
	apps       []string
	logs       bool
	filtered   bool
}

// WithBuffer sets how many messages the subscription buffers (default
// DefaultBufferSize).
func WithBuffer(n int) SubscribeOption {
	return func(c *subConfig) {
		if n > 0 {
			c.size = n
		}
	}
}

// WithOverflow sets the overflow policy (default Block).
func WithOverflow(p Overflow) SubscribeOption { return func(c *subConfig) { c.overflow = p } }

// WithBlockLimit bounds how long the Block policy waits for room for one
// message before dropping it (default DefaultBlockLimit; a negative value
// waits as long as it takes).
func WithBlockLimit(d time.Duration) SubscribeOption {
	return func(c *subConfig) { c.blockLimit = d }
}

// ForEvents keeps only events with one of these Event-Names
// (case-insensitive; "CUSTOM" matches every custom event).
func ForEvents(names ...EventName) SubscribeOption {
	return func(c *subConfig) {
		for _, n := range names {
			c.names = append(c.names, string(n))
		}
		c.filtered = true
	}
}

// ForSubclasses keeps only CUSTOM events with one of these Event-Subclasses
// (exact, as FreeSWITCH compares them).
func ForSubclasses(subclasses ...string) SubscribeOption {
	return func(c *subConfig) { c.subclasses = append(c.subclasses, subclasses...); c.filtered = true }
}

// ForUniqueID keeps only events about these channels (Unique-ID header) and,
// with WithLogs, their channel log lines.
func ForUniqueID(uuids ...string) SubscribeOption {
	return func(c *subConfig) { c.uniqueIDs = append(c.uniqueIDs, uuids...); c.filtered = true }
}

// ForJobUUID keeps only events of these background jobs (Job-UUID header).
func ForJobUUID(ids ...string) SubscribeOption {
	return func(c *subConfig) { c.jobs = append(c.jobs, ids...); c.filtered = true }
}

// ForApplicationUUID keeps only events of these executed applications
// (Application-UUID, the Event-UUID given to sendmsg execute).
func ForApplicationUUID(ids ...string) SubscribeOption {
	return func(c *subConfig) { c.apps = append(c.apps, ids...); c.filtered = true }
}

// WithLogs delivers log lines too when event filters are given (without
// any For… option a subscription receives everything).
func WithLogs() SubscribeOption { return func(c *subConfig) { c.logs = true } }

// match reports whether m is for this subscription. Notices and gaps
// always are.
func (c *subConfig) match(m *Message) bool {
	switch m.Kind {
	case KindEvent:
		ev := m.Event
		if len(c.names) > 0 && !anyFold(c.names, ev.Get("Event-Name")) {
			return false
		}
		if len(c.subclasses) > 0 && !anyExact(c.subclasses, ev.Get("Event-Subclass")) {
			return false
		}
		if len(c.uniqueIDs) > 0 && !anyExact(c.uniqueIDs, ev.Get("Unique-ID")) {
			return false
		}
		if len(c.jobs) > 0 && !anyExact(c.jobs, ev.Get("Job-UUID")) {
			return false
		}
		if len(c.apps) > 0 && !anyExact(c.apps, ev.Get("Application-UUID")) {
			return false
		}
		return true
	case KindLog:
		if !c.filtered {
			return true
		}
		if !c.logs {
			return false
		}
		return len(c.uniqueIDs) == 0 || anyExact(c.uniqueIDs, m.Log.UserData)
	case KindLinger:
		return !c.filtered || len(c.uniqueIDs) == 0 || anyExact(c.uniqueIDs, m.Event.Get("Controlled-Session-UUID"))
	}
	return true
}

func anyFold(list []string, s string) bool {
	for _, v := range list {
		if wire.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func anyExact(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// hub fans messages out to subscriptions. The subscriber list is
// copy-on-write so that the reader publishes without taking a lock shared
// with subscribers.
type hub struct {
	mu   sync.Mutex // serialises changes to subs and ended
	subs atomic.Pointer[[]*Subscription]
	// needDecoded counts subscriptions whose filters read event headers:
	// events must then be decoded before publishing.
	needDecoded atomic.Int32
	ended       bool
	err         error
}

func newHub() *hub {
	h := &hub{}
	h.subs.Store(&[]*Subscription{})
	return h
}

// subscribe adds a subscription. On an ended hub it returns a subscription
// that is already at its end.
func (h *hub) subscribe(opts []SubscribeOption) *Subscription {
	cfg := subConfig{size: DefaultBufferSize, overflow: Block, blockLimit: DefaultBlockLimit}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Subscription{
		hub:    h,
		cfg:    cfg,
		buf:    make([]entry, min(cfg.size, 64)),
		notify: make(chan struct{}, 1),
		space:  make(chan struct{}, 1),
		stop:   make(chan struct{}),
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ended {
		s.ended, s.endErr = true, h.err
		return s
	}
	old := *h.subs.Load()
	next := make([]*Subscription, len(old), len(old)+1)
	copy(next, old)
	next = append(next, s)
	h.subs.Store(&next)
	if cfg.readsEvents() {
		h.needDecoded.Add(1)
	}
	return s
}

// readsEvents reports whether matching needs the event's headers.
func (c *subConfig) readsEvents() bool {
	return len(c.names)+len(c.subclasses)+len(c.uniqueIDs)+len(c.jobs)+len(c.apps) > 0
}

// lazyOK reports whether events may be published undecoded: no
// subscription filters on headers. ok is false when there is no
// subscription at all (nothing to publish).
func (h *hub) lazyOK() (lazy, any bool) {
	return h.needDecoded.Load() == 0, len(*h.subs.Load()) > 0
}

func (h *hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := *h.subs.Load()
	next := make([]*Subscription, 0, len(old))
	found := false
	for _, x := range old {
		if x != s {
			next = append(next, x)
		} else {
			found = true
		}
	}
	h.subs.Store(&next)
	if found && s.cfg.readsEvents() {
		h.needDecoded.Add(-1)
	}
}

// publish offers m to every matching subscription, in registration order.
// c is the connection whose reader publishes (nil for notices): its
// pending replies release a Block wait. Notices are never dropped.
func (h *hub) publish(m Message, c *conn) {
	for _, s := range *h.subs.Load() {
		if s.cfg.match(&m) {
			s.offer(m, c)
		}
	}
}

// end ends every subscription: each delivers what it holds, then stops.
func (h *hub) end(err error) {
	h.mu.Lock()
	h.ended, h.err = true, err
	subs := *h.subs.Load()
	h.subs.Store(&[]*Subscription{})
	h.needDecoded.Store(0)
	h.mu.Unlock()
	for _, s := range subs {
		s.end(err)
	}
}

type entry struct {
	m          Message
	lostBefore uint64
}

// Subscription is one consumer's ordered stream of events, log lines, gap
// markers and connection notices, with its own bounded buffer. Read it
// with Messages, Events or C; stop it with Close.
type Subscription struct {
	hub *hub
	cfg subConfig

	mu          sync.Mutex
	buf         []entry // ring, grows up to cfg.size (and beyond for notices)
	head, n     int
	pendingLost uint64 // dropped after the last buffered entry
	ended       bool   // no more messages will come; drain, then stop
	endErr      error
	closed      bool // the consumer stopped: discard everything
	cwait       bool // the consumer sleeps on notify
	pwait       bool // a producer sleeps on space
	lost        atomic.Uint64

	notify chan struct{} // wakes the consumer
	space  chan struct{} // wakes a producer blocked on a full buffer
	stop   chan struct{} // closed by Close

	chOnce sync.Once
	ch     chan Message
	wg     sync.WaitGroup
}

// Lost returns how many messages this subscription has dropped in all.
func (s *Subscription) Lost() uint64 { return s.lost.Load() }

// Err returns why the stream ended (nil while it runs, or after Close).
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.endErr
}

func (s *Subscription) push(m Message) {
	if s.n == len(s.buf) {
		nb := make([]entry, max(2*len(s.buf), 16))
		for i := 0; i < s.n; i++ {
			nb[i] = s.buf[(s.head+i)%len(s.buf)]
		}
		s.buf, s.head = nb, 0
	}
	s.buf[(s.head+s.n)%len(s.buf)] = entry{m: m, lostBefore: s.pendingLost}
	s.pendingLost = 0
	s.n++
}

func (s *Subscription) popLocked() entry {
	e := s.buf[s.head]
	s.buf[s.head] = entry{}
	s.head = (s.head + 1) % len(s.buf)
	s.n--
	return e
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// offer applies the overflow policy to one message.
func (s *Subscription) offer(m Message, c *conn) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		s.mu.Lock()
		if s.closed || s.ended {
			s.mu.Unlock()
			return
		}
		notice := c == nil
		if s.n < s.cfg.size || notice {
			s.push(m)
			s.wakeConsumerLocked()
			s.mu.Unlock()
			return
		}
		switch s.cfg.overflow {
		case DropNewest:
			s.pendingLost++
			s.mu.Unlock()
			s.lost.Add(1)
			return
		case DropOldest:
			old := s.popLocked()
			carry := old.lostBefore + 1
			if s.n > 0 {
				s.buf[s.head].lostBefore += carry
			} else {
				s.pendingLost += carry
			}
			s.push(m)
			s.wakeConsumerLocked()
			s.mu.Unlock()
			s.lost.Add(1)
			return
		}
		// Block: never hold a reply back; buffer beyond the size instead.
		if c.hasPending() && s.n < 16*s.cfg.size {
			s.push(m)
			s.wakeConsumerLocked()
			s.mu.Unlock()
			return
		}
		s.pwait = true
		s.mu.Unlock()
		c.stalled.Add(1)
		var expired <-chan time.Time
		if s.cfg.blockLimit >= 0 {
			if timer == nil {
				timer = time.NewTimer(s.cfg.blockLimit)
			}
			expired = timer.C
		}
		select {
		case <-s.space:
		case <-c.psig:
		case <-s.stop:
			c.stalled.Add(-1)
			return
		case <-c.done:
			c.stalled.Add(-1)
			s.drop()
			return
		case <-expired:
			c.stalled.Add(-1)
			s.drop()
			return
		}
		c.stalled.Add(-1)
	}
}

// wakeConsumerLocked wakes a sleeping consumer; a busy one finds the
// message without a channel operation.
func (s *Subscription) wakeConsumerLocked() {
	if s.cwait {
		s.cwait = false
		signal(s.notify)
	}
}

func (s *Subscription) drop() {
	s.mu.Lock()
	s.pendingLost++
	s.mu.Unlock()
	s.lost.Add(1)
}

// end marks the stream finished: the consumer drains what is buffered,
// then stops.
func (s *Subscription) end(err error) {
	s.mu.Lock()
	if !s.ended {
		s.ended, s.endErr = true, err
	}
	s.mu.Unlock()
	signal(s.notify)
}

// Close stops the subscription at once; buffered messages are discarded
// and the iterators and channel end. It waits for the delivery goroutine
// of C or Handle, so it must not be called from a Handle callback (return
// from it instead, or close from another goroutine).
func (s *Subscription) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return
	}
	s.closed = true
	s.buf, s.head, s.n = nil, 0, 0
	s.mu.Unlock()
	close(s.stop)
	s.hub.remove(s)
	signal(s.notify)
	s.wg.Wait()
}

// Next returns the next message, waiting for one until ctx ends. ok is
// false when the stream is over (closed, or ended and drained) or ctx
// ended.
func (s *Subscription) Next(ctx context.Context) (m Message, ok bool) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return Message{}, false
		}
		if s.n > 0 {
			e := &s.buf[s.head]
			if e.lostBefore > 0 {
				lost := e.lostBefore
				e.lostBefore = 0
				s.mu.Unlock()
				return Message{Kind: KindGap, Lost: lost}, true
			}
			got := s.popLocked()
			if s.pwait {
				s.pwait = false
				signal(s.space)
			}
			s.mu.Unlock()
			if got.m.lazy != nil {
				ev, err := got.m.lazy.get()
				if err != nil {
					// Counted and shown as a gap: never silent.
					s.lost.Add(1)
					return Message{Kind: KindGap, Lost: 1, Err: err}, true
				}
				got.m.Event, got.m.lazy = ev, nil
			}
			return got.m, true
		}
		if s.pendingLost > 0 {
			lost := s.pendingLost
			s.pendingLost = 0
			s.mu.Unlock()
			return Message{Kind: KindGap, Lost: lost}, true
		}
		if s.ended {
			s.mu.Unlock()
			return Message{}, false
		}
		s.cwait = true
		s.mu.Unlock()
		select {
		case <-s.notify:
		case <-s.stop:
			return Message{}, false
		case <-ctx.Done():
			return Message{}, false
		}
	}
}

// Messages iterates over the stream until it ends or the loop breaks
// (breaking does not close the subscription).
func (s *Subscription) Messages() iter.Seq[Message] {
	return func(yield func(Message) bool) {
		for {
			m, ok := s.Next(context.Background())
			if !ok || !yield(m) {
				return
			}
		}
	}
}

// Events iterates over the events of the stream only. Gaps and notices
// are skipped: use Messages to see them, or Lost to count drops.
func (s *Subscription) Events() iter.Seq[*Event] {
	return func(yield func(*Event) bool) {
		for m := range s.Messages() {
			if m.Kind == KindEvent && !yield(m.Event) {
				return
			}
		}
	}
}

// C returns a channel carrying the stream; it is closed when the stream
// ends or the subscription is closed. The first call starts a goroutine
// that Close (or the stream's end) stops.
func (s *Subscription) C() <-chan Message {
	s.chOnce.Do(func() {
		s.ch = make(chan Message)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer close(s.ch)
			for {
				m, ok := s.Next(context.Background())
				if !ok {
					return
				}
				select {
				case s.ch <- m:
				case <-s.stop:
					return
				}
			}
		}()
	})
	return s.ch
}

// run calls fn for every message on its own goroutine (Client.Handle).
func (s *Subscription) run(fn func(Message)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			m, ok := s.Next(context.Background())
			if !ok {
				return
			}
			fn(m)
		}
	}()
}
