package fsim

import (
	"strconv"
	"sync"

	"github.com/eslkit/esl/internal/wire"
)

// frameBuf holds one serialised event frame: b[off:]. The serialisation is
// appended after room left for the frame's own headers, which are then
// written in front of it, so the frame is built in one buffer without
// knowing its length first.
type frameBuf struct {
	b   []byte
	off int
}

func (f *frameBuf) bytes() []byte { return f.b[f.off:] }

// frameRoom is the room for "Content-Length: N\nContent-Type: text/event-xxxx\n\n".
const frameRoom = 64

// framePool recycles frame buffers: an event's serialisation lives only
// until the last queue holding the event has copied it into its
// connection's buffer, so at full speed the same few buffers go round
// instead of a new one per event for the collector to sweep.
var framePool = sync.Pool{New: func() any { return &frameBuf{b: make([]byte, 0, 4096)} }}

// maxPooledFrame keeps the odd huge event's buffer out of the pool.
const maxPooledFrame = 256 << 10

// frame returns the complete frame for the event in format f, encoding it
// on first use. The caller must hold a reference (see hold) until it has
// copied the bytes.
func (e *event) frame(f int) []byte {
	if p := e.enc[f].Load(); p != nil {
		return p.bytes()
	}
	fb := framePool.Get().(*frameBuf)
	fb.b = fb.b[:frameRoom]
	var ctype string
	switch f {
	case fmtJSON:
		ctype = "text/event-json"
		fb.b = appendJSONEvent(fb.b, e)
	case fmtXML:
		ctype = "text/event-xml"
		fb.b = wire.AppendXML(fb.b, &wire.Event{Headers: e.headers, Body: e.body})
	default:
		ctype = "text/event-plain"
		fb.b = wire.AppendPlain(fb.b, &wire.Event{Headers: e.headers, Body: e.body})
	}
	var pre [frameRoom]byte
	p := append(pre[:0], "Content-Length: "...)
	p = strconv.AppendInt(p, int64(len(fb.b)-frameRoom), 10)
	p = append(p, "\nContent-Type: "...)
	p = append(p, ctype...)
	p = append(p, "\n\n"...)
	fb.off = frameRoom - len(p)
	copy(fb.b[fb.off:], p)
	if !e.enc[f].CompareAndSwap(nil, fb) {
		// Another connection encoded it meanwhile: use theirs.
		putFrame(fb)
		return e.enc[f].Load().bytes()
	}
	return fb.bytes()
}

// hold takes a reference for a queue the event is put in.
func (e *event) hold() { e.refs.Add(1) }

// release drops a reference; the last one returns the serialisations to
// the pool. An event dropped from a queue without being released (a
// connection that closed with events queued) keeps its buffers, which the
// collector then takes: correct, only not recycled.
func (e *event) release() {
	if e.refs.Add(-1) != 0 {
		return
	}
	for f := range e.enc {
		if fb := e.enc[f].Swap(nil); fb != nil {
			putFrame(fb)
		}
	}
	if e.recycle && cap(e.headers) <= maxPooledHeaders {
		clear(e.headers)
		*e = event{headers: e.headers[:0]}
		eventPool.Put(e)
	}
}

// eventPool recycles the events of InjectEvent, header array included:
// once delivered, nothing refers to them (observers get copies).
var eventPool = sync.Pool{New: func() any { return new(event) }}

// maxPooledHeaders keeps the odd huge header array out of the pool.
const maxPooledHeaders = 1024

// newRecycledEvent is newEventCap for an event that the caller fires and
// then forgets, so that its memory can serve the next one. Nothing may
// keep a reference to it past fire, except a queue holding a reference.
func (s *Sim) newRecycledEvent(id int, subclass string, o origin, extra int) *event {
	e := eventPool.Get().(*event)
	e.id, e.subclass, e.recycle = id, subclass, true
	if cap(e.headers) < 14+extra {
		e.headers = make([]wire.Header, 0, 14+extra)
	}
	s.startEvent(e, o)
	return e
}

func putFrame(fb *frameBuf) {
	if cap(fb.b) <= maxPooledFrame {
		framePool.Put(fb)
	}
}
