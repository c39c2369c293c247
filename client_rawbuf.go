package esl

import (
	"bytes"
	"sync"
	"sync/atomic"
)

// The reader copies each event frame it publishes undecoded (lazyEvent) out
// of its read buffer. One allocation per event made that copy the reader's
// largest cost after framing (a 2 KB event fills a quarter of a span, so
// the allocator kept fetching and zeroing spans), so frames are carved
// from 64 KB slabs instead, and a slab is reused once every event carved
// from it was decoded. Decoding copies what it keeps (ParseEvent: the
// event shares no memory with the body), so a decoded event never points
// into a slab. An event that is never decoded (dropped by an overflow
// policy, or left in a closed subscription) keeps its slab from reuse; the
// garbage collector frees that slab as usual.

const (
	slabSize = 64 << 10
	// Frames larger than this get a copy of their own: a slab holds at
	// least eight of the largest frames it takes.
	slabMaxFrame = slabSize / 8
	// lazyEvents are allocated this many at a time.
	lazyBatch = 64
)

// rawSlab is one block of carved frames.
type rawSlab struct {
	buf []byte
	// refs is how many carved events are not yet decoded, once the reader
	// retired the slab. While it carves, the reader counts its events on
	// its own (rawCarver.n) and decodes take 1 each, so refs runs below
	// zero and cannot reach it; retiring adds the count, and whoever then
	// brings refs to zero returns the slab for reuse. (A per-event
	// increment by the reader made the counter's cache line bounce
	// between the reader's and the consumer's cores.)
	refs atomic.Int32
}

var slabPool = sync.Pool{New: func() any { return &rawSlab{buf: make([]byte, slabSize)} }}

// release drops one event's reference; the last one returns the slab for
// reuse.
func (s *rawSlab) release() {
	if s.refs.Add(-1) == 0 {
		slabPool.Put(s)
	}
}

// rawCarver hands out lazyEvents holding a copy of a frame body. It is
// used by the reader goroutine only.
type rawCarver struct {
	cur   *rawSlab
	off   int
	n     int32       // events carved from cur
	spare []lazyEvent // not yet handed out
}

// carve returns a lazyEvent for body, copied out of the reader's buffer.
func (a *rawCarver) carve(ct string, body []byte) *lazyEvent {
	if len(a.spare) == 0 {
		a.spare = make([]lazyEvent, lazyBatch)
	}
	l := &a.spare[0]
	a.spare = a.spare[1:]
	l.ct = ct
	if len(body) > slabMaxFrame {
		l.raw = bytes.Clone(body)
		return l
	}
	if a.cur == nil || len(a.cur.buf)-a.off < len(body) {
		a.retire()
		a.cur = slabPool.Get().(*rawSlab)
		a.off, a.n = 0, 0
	}
	end := a.off + copy(a.cur.buf[a.off:], body)
	l.raw = a.cur.buf[a.off:end:end]
	a.off = end
	a.n++
	l.slab = a.cur
	return l
}

// retire stops carving from the current slab.
func (a *rawCarver) retire() {
	if a.cur != nil {
		if a.cur.refs.Add(a.n) == 0 {
			slabPool.Put(a.cur) // every event carved from it was decoded
		}
		a.cur, a.n = nil, 0
	}
}
