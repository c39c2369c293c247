package esl

import (
	"sync"
	"sync/atomic"
)

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
