package esl

import (
	"time"

	"github.com/eslkit/esl/internal/wire"
)

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
	DefaultBufferSize = 4096            // messages buffered per subscription
	DefaultBlockLimit = 5 * time.Second // Block's wait for room for one message
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
