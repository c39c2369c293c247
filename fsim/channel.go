package fsim

import (
	"sync"
)

// channel is one simulated call leg (a switch_core_session with its
// switch_channel): a state machine run by its own goroutine, variables in
// set order, a caller profile, and a queue of messages from sendmsg and
// the API.
type channel struct {
	sim *Sim

	mu     sync.Mutex
	id     string
	name   string
	vars   *varList
	watch  []*listener // sockets bound to this channel (outbound, myevents)
	divert map[*listener]bool
	msgs   []*message
	evq    []*event
}

// message is a queued sendmsg (switch_ivr_parse_event's input).
type message struct {
	headers []wireHeader
	body    string
	hasBody bool
	command string
}

func (m *message) header(name string) string {
	for _, h := range m.headers {
		if equalFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

func (c *channel) uuid() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.id
}

func (c *channel) setVar(name, value string) { c.vars.set(name, value) }
func (c *channel) getVar(name string) string { return c.vars.get(name) }

// attach binds a socket to the channel; the channel is not destroyed
// while one is attached (the read lock of mes.c).
func (c *channel) attach(l *listener) {
	c.mu.Lock()
	c.watch = append(c.watch, l)
	c.mu.Unlock()
}

func (c *channel) detach(l *listener) {
	c.mu.Lock()
	for i, x := range c.watch {
		if x == l {
			c.watch = append(c.watch[:i], c.watch[i+1:]...)
			break
		}
	}
	delete(c.divert, l)
	c.mu.Unlock()
}

func (c *channel) setDivert(l *listener, on bool) {
	c.mu.Lock()
	if c.divert == nil {
		c.divert = map[*listener]bool{}
	}
	if on {
		c.divert[l] = true
	} else {
		delete(c.divert, l)
	}
	c.mu.Unlock()
}

// channel returns the live channel with that UUID.
func (s *Sim) channel(uuid string) *channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.channels[uuid]
}
