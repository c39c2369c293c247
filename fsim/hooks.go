package fsim

import (
	"strings"
	"sync"
	"time"
)

// Header is one event header for InjectEvent and OnEvent.
type Header struct {
	Name, Value string
}

// hooks are the user's ways into the simulator: scripted API responses and
// event observers.
type hooks struct {
	mu        sync.Mutex
	apis      map[string]func(args string) string
	observers []func(*event)
}

func (h *hooks) api(name string) func(string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.apis[strings.ToLower(name)]
}

// HandleAPI scripts an API command: "api <name> <args>" (and bgapi, and
// Sim.API) answer f(args) instead of the built-in behaviour. f's output is
// sent verbatim (end it with "\n" where FreeSWITCH would). A nil f removes
// the script.
func (s *Sim) HandleAPI(name string, f func(args string) string) {
	h := &s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.apis == nil {
		h.apis = map[string]func(string) string{}
	}
	if f == nil {
		delete(h.apis, strings.ToLower(name))
		return
	}
	h.apis[strings.ToLower(name)] = f
}

// InjectEvent fires an event as if a FreeSWITCH module had: the standard
// headers (Event-Name, Core-UUID, …, Event-Sequence) followed by headers,
// and body if non-empty. name is an event name (case-insensitive; unknown
// names become CUSTOM); subclass applies to CUSTOM events. It returns the
// Event-Sequence assigned.
func (s *Sim) InjectEvent(name, subclass string, headers []Header, body string) uint64 {
	id, ok := eventID(name)
	if !ok || id == evAll {
		id = evCustom
	}
	if id != evCustom {
		subclass = ""
	}
	// The event is fired and forgotten: its memory is recycled once
	// every subscriber has it.
	e := s.newRecycledEvent(id, subclass, origin{"fsim.go", "InjectEvent", 1}, len(headers))
	for _, h := range headers {
		e.add(h.Name, h.Value)
	}
	if body != "" {
		e.setBody(body)
	}
	seq := s.seq.Load()
	s.fire(e)
	return seq
}

// OnEvent registers f to observe every fired event (before serialisation),
// in firing order, from the firing goroutine; f must not block or call back
// into the simulator.
func (s *Sim) OnEvent(f func(name string, headers []Header, body string)) {
	s.dispatchMu.Lock()
	defer s.dispatchMu.Unlock()
	s.hooks.observers = append(s.hooks.observers, func(e *event) {
		hs := make([]Header, len(e.headers))
		for i := range e.headers {
			hs[i] = Header{e.headers[i].Name, scalar(&e.headers[i])}
		}
		f(eventNames[e.id], hs, e.body)
	})
}

// Fault is something going wrong on the connections, for testing a
// client's error paths.
type Fault int

const (
	// FaultDrop closes every connection at once, without a notice.
	FaultDrop Fault = iota + 1
	// FaultMalformed writes a malformed frame (a Content-Length that is not
	// a number) to every connection.
	FaultMalformed
	// FaultTruncate writes half a frame and then closes every connection.
	FaultTruncate
)

// InjectFault applies f to every current connection (inbound and
// outbound).
func (s *Sim) InjectFault(f Fault) {
	for _, l := range *s.listeners.Load() {
		switch f {
		case FaultDrop:
			l.kill("")
			l.nc.Close()
		case FaultMalformed:
			l.inject([]byte("Content-Type: api/response\nContent-Length: x1\n\n"))
		case FaultTruncate:
			l.inject([]byte("Content-Length: 500\nContent-Type: text/event-plain\n\nEvent-Name: HEART"))
			l.kill("")
		}
	}
}

// Stall makes every current connection stop reading and writing for d of
// simulated time (the connection thread is blocked, so events queue up, as
// with a slow FreeSWITCH or a slow network). It returns once every
// connection thread has stopped.
func (s *Sim) Stall(d time.Duration) {
	for _, l := range *s.listeners.Load() {
		stalled := make(chan struct{})
		select {
		case l.faults <- func() { l.stall = d; close(stalled) }:
			select {
			case <-stalled:
			case <-l.done:
			}
		case <-l.done:
		}
	}
}

// inject writes raw bytes from the connection thread.
func (l *listener) inject(b []byte) {
	select {
	case l.faults <- func() { l.bw.Write(b); l.bw.Flush() }:
	case <-l.done:
	}
}
