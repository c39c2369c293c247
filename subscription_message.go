package esl

import "sync"

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

// String returns the kind's lower-case name, e.g. "event" or "gap".
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
	// Kind says which of the other fields are set.
	Kind MessageKind
	// Event is the event (KindEvent), or the linger notice's headers
	// (KindLinger).
	Event *Event
	// Log is the log line (KindLog).
	Log *LogRecord
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
	slab *rawSlab // raw's slab (nil: raw is a copy of its own)
	ev   *Event
	err  error
}

func (l *lazyEvent) get() (*Event, error) {
	l.once.Do(func() {
		l.ev, l.err = decodeEvent(l.ct, l.raw)
		l.raw = nil
		if l.slab != nil {
			// The event copied what it keeps: raw's bytes may be reused.
			l.slab.release()
			l.slab = nil
		}
	})
	return l.ev, l.err
}
