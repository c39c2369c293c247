package fsim

import (
	"io"
	"strings"
	"sync"
	"sync/atomic"
)

// restState lets a test await the moment a connection has nothing more to
// say: every command it was sent is answered, its event queue is drained
// and everything is on the socket. That is a fact the connection thread
// knows, so nobody has to guess it from a quiet spell on the wire.
type restState struct {
	mu      sync.Mutex
	cond    sync.Cond
	resting bool // blocked on input with the queues drained and flushed
	ended   bool // the connection thread has returned
	handled atomic.Int64
}

// set records whether the connection thread is at rest.
func (r *restState) set(resting bool) {
	r.mu.Lock()
	r.resting = resting
	if resting {
		r.cond.Broadcast()
	}
	r.mu.Unlock()
}

// end records that the connection thread is gone (nothing more will come).
func (r *restState) end() {
	r.mu.Lock()
	r.resting, r.ended = false, true
	r.cond.Broadcast()
	r.mu.Unlock()
}

// countingWriter counts the bytes that reached the socket.
type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// awaitRest waits until the connection has executed at least n commands
// and rests with an empty event queue, or has ended. It returns the bytes
// written to the socket so far (all of them, once at rest) and whether the
// connection has ended.
func (l *listener) awaitRest(n int64) (written int64, ended bool) {
	r := &l.rest
	r.mu.Lock()
	for !r.ended && !l.quietLocked(n) {
		r.cond.Wait()
	}
	ended = r.ended
	r.mu.Unlock()
	return l.out.n.Load(), ended
}

// atRest is awaitRest without the wait.
func (l *listener) atRest(n int64) bool {
	r := &l.rest
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ended || l.quietLocked(n)
}

// quietLocked is the resting condition (rest.mu held). A killed connection
// is not at rest: it still writes its notice and ends.
func (l *listener) quietLocked(n int64) bool {
	if !l.rest.resting || l.rest.handled.Load() < n {
		return false
	}
	select {
	case <-l.killed:
		return false
	default:
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue) == 0 && len(l.logs) == 0
}

// mayBlock reports whether c can keep the connection thread waiting on
// something other than the CPU (an originate waits for the answer; a
// scripted API runs the user's code): the replies buffered for earlier
// pipelined commands go out before it runs, since the client may be
// waiting for them before it lets the blocking one finish.
func (l *listener) mayBlock(c *command) bool {
	if l.bw.Buffered() == 0 || !hasPrefixFold(c.line, "api ") {
		return false
	}
	cmd, _, _ := strings.Cut(strings.TrimSpace(c.line[4:]), " ")
	return equalFold(cmd, "originate") || l.sim.hooks.api(cmd) != nil
}
