package track

import (
	"context"
	"errors"
	"iter"
	"sync"
)

// ChangeKind says what happened in a Change.
type ChangeKind uint8

// The kinds of change.
const (
	ChannelAdded   ChangeKind = iota + 1 // a channel appeared
	ChannelChanged                       // a channel's fields changed (or it was renamed)
	ChannelRemoved                       // a channel was destroyed, expired or found gone by Sync
	CallAdded                            // a bridge formed a call
	CallChanged                          // a call was unbridged, re-bridged or a leg renamed
	CallRemoved                          // a call's last leg was destroyed
)

// Change causes that are not events, so feed readers can tell a channel
// that ended from one the tracker stopped believing in.
const (
	CauseSync   = "sync"   // Sync found FreeSWITCH's tables different
	CauseExpire = "expire" // Expire removed a channel whose events stopped
)

var kindNames = [...]string{"", "ChannelAdded", "ChannelChanged", "ChannelRemoved", "CallAdded", "CallChanged", "CallRemoved"}

// String returns the kind's name ("ChannelAdded").
func (k ChangeKind) String() string {
	if int(k) < len(kindNames) && k > 0 {
		return kindNames[k]
	}
	return "ChangeKind(?)"
}

// Change is one entry of the change feed.
type Change struct {
	// Kind says what happened and so which of the fields below are set.
	Kind ChangeKind

	// Channel is the channel after the change (for ChannelRemoved, as it
	// was last seen). Set for the Channel kinds.
	Channel Channel
	// OldUniqueID is the channel's previous uuid when a CHANNEL_UUID event
	// renamed it.
	OldUniqueID string

	// Call is the call after the change. Set for the Call kinds.
	Call Call

	// Cause is the Event-Name of the event that caused the change, or
	// CauseSync / CauseExpire.
	Cause string

	// Missed is how many changes this feed dropped, because its buffer was
	// full, just before this one. After a gap, take a Snapshot.
	Missed uint64
}

// ErrFeedClosed is returned by Feed.Next after Close.
var ErrFeedClosed = errors.New("track: feed closed")

// Feed is a bounded queue of changes for one reader. The tracker never
// waits for a reader: when the buffer is full, new changes are dropped and
// counted, and the next change delivered says how many were missed.
type Feed struct {
	t      *Tracker
	mu     sync.Mutex
	buf    []Change
	head   int
	n      int
	missed uint64
	lost   uint64
	closed bool
	notify chan struct{}
}

// Subscribe returns a feed of future changes holding up to size of them
// (size < 1 means 1024). Close it when done.
func (t *Tracker) Subscribe(size int) *Feed {
	if size < 1 {
		size = 1024
	}
	f := &Feed{t: t, buf: make([]Change, size), notify: make(chan struct{}, 1)}
	t.mu.Lock()
	t.feeds = append(t.feeds, f)
	t.mu.Unlock()
	return f
}

// Next returns the next change, waiting until there is one, ctx ends or the
// feed is closed. Changes still queued at Close are delivered first.
func (f *Feed) Next(ctx context.Context) (Change, error) {
	for {
		f.mu.Lock()
		if f.n > 0 {
			c := f.buf[f.head]
			f.buf[f.head] = Change{}
			f.head = (f.head + 1) % len(f.buf)
			f.n--
			f.mu.Unlock()
			return c, nil
		}
		closed := f.closed
		f.mu.Unlock()
		if closed {
			return Change{}, ErrFeedClosed
		}
		select {
		case <-ctx.Done():
			return Change{}, ctx.Err()
		case <-f.notify:
		}
	}
}

// All iterates over the changes until ctx ends or the feed is closed.
func (f *Feed) All(ctx context.Context) iter.Seq[Change] {
	return func(yield func(Change) bool) {
		for {
			c, err := f.Next(ctx)
			if err != nil || !yield(c) {
				return
			}
		}
	}
}

// Dropped returns how many changes this feed has dropped in total.
func (f *Feed) Dropped() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lost
}

// Close detaches the feed from the tracker and wakes a waiting Next.
func (f *Feed) Close() {
	f.t.mu.Lock()
	for i, g := range f.t.feeds {
		if g == f {
			f.t.feeds = append(f.t.feeds[:i], f.t.feeds[i+1:]...)
			break
		}
	}
	f.t.mu.Unlock()
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	select {
	case f.notify <- struct{}{}:
	default:
	}
}

// push queues c without ever blocking.
func (f *Feed) push(c Change) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	if f.n == len(f.buf) {
		f.missed++
		f.lost++
		f.mu.Unlock()
		return
	}
	c.Missed, f.missed = f.missed, 0
	f.buf[(f.head+f.n)%len(f.buf)] = c
	f.n++
	f.mu.Unlock()
	select {
	case f.notify <- struct{}{}:
	default:
	}
}

// emitChannel sends a channel change to every feed (t.mu held).
func (t *Tracker) emitChannel(k ChangeKind, c *Channel, old, cause string) {
	if len(t.feeds) == 0 {
		return
	}
	ch := Change{Kind: k, Channel: *c, OldUniqueID: old, Cause: cause}
	for _, f := range t.feeds {
		f.push(ch)
	}
}

// emitCall sends a call change to every feed (t.mu held).
func (t *Tracker) emitCall(k ChangeKind, c *Call, cause string) {
	if len(t.feeds) == 0 {
		return
	}
	ch := Change{Kind: k, Call: *c, Cause: cause}
	for _, f := range t.feeds {
		f.push(ch)
	}
}
