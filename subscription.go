package esl

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"
	"time"
)

// entry is one buffered message; lostBefore counts the messages dropped
// just before it (shown to the consumer as a KindGap first).
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
