package track

import (
	"cmp"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/eslkit/esl"
)

// Options configure a Tracker. The zero value is usable.
type Options struct {
	// Variables names the channel variables to keep (without the
	// "variable_" prefix), e.g. "sip_call_id". Others are not stored.
	Variables []string

	// HangupTimeout is how long a channel that has hung up may go without
	// events before Expire removes it (its CHANNEL_DESTROY was lost or
	// filtered). Zero means one minute; negative disables it.
	HangupTimeout time.Duration

	// IdleTimeout is how long any channel may go without events before
	// Expire removes it. FreeSWITCH sends nothing for a quiet bridged or
	// parked call unless session heartbeats are on, so the default (zero)
	// disables it; set it above the heartbeat interval when they are.
	IdleTimeout time.Duration

	// TombstoneTTL is how long the uuid of a destroyed or renamed channel
	// is remembered so that its trailing events (CHANNEL_STATE CS_DESTROY
	// comes after CHANNEL_DESTROY) do not bring it back. Zero means one
	// minute. At most MaxTombstones are kept (zero means 65536).
	TombstoneTTL time.Duration
	// MaxTombstones bounds that memory so a flood of short calls cannot
	// grow it without limit; the oldest are forgotten first.
	MaxTombstones int

	// SyncGrace protects channels that had an event this recently when a
	// Sync starts from being removed because "show channels" does not list
	// them: FreeSWITCH writes its channel table from the same events, a
	// little later, so a brand-new channel can be missing from it. Zero
	// means two seconds; negative disables it.
	SyncGrace time.Duration

	// Now is the clock; nil means time.Now. Tests pass a manual clock.
	Now func() time.Time

	// Logger receives debug records about dropped and odd events; nil
	// means slog.Default().
	Logger *slog.Logger
}

// Stats counts what the tracker did with the events it was given.
type Stats struct {
	Events   uint64 // events passed to Apply
	Applied  uint64 // channel events that updated a channel
	Ignored  uint64 // events about no channel (API, HEARTBEAT, ...)
	Late     uint64 // events for a channel already destroyed or renamed
	Renamed  uint64 // CHANNEL_UUID renames applied
	Expired  uint64 // channels removed by Expire
	Syncs    uint64 // successful Syncs
	Feeds    int    // open change feeds
	Channels int    // channels tracked now
	Calls    int    // calls tracked now
}

// Tracker holds the live channels and calls. All methods are safe for
// concurrent use; events are meant to be applied from one goroutine while
// others read.
type Tracker struct {
	opts Options
	now  func() time.Time
	log  *slog.Logger
	keep map[string]struct{} // Options.Variables

	mu      sync.RWMutex
	chans   map[string]*Channel
	calls   map[string]*Call
	legCall map[string]string // leg uuid -> call ID
	gone    map[string]time.Time
	goneQ   []tombstone
	gen     uint64
	stats   Stats
	feeds   []*Feed
	intern  map[string]string
}

type tombstone struct {
	uuid string
	at   time.Time
}

// New returns an empty Tracker.
func New(opts Options) *Tracker {
	t := &Tracker{
		opts:    opts,
		now:     opts.Now,
		log:     opts.Logger,
		chans:   make(map[string]*Channel),
		calls:   make(map[string]*Call),
		legCall: make(map[string]string),
		gone:    make(map[string]time.Time),
		intern:  make(map[string]string),
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.Default()
	}
	if t.opts.HangupTimeout == 0 {
		t.opts.HangupTimeout = time.Minute
	}
	if t.opts.SyncGrace == 0 {
		t.opts.SyncGrace = 2 * time.Second
	}
	if t.opts.TombstoneTTL <= 0 {
		t.opts.TombstoneTTL = time.Minute
	}
	if t.opts.MaxTombstones <= 0 {
		t.opts.MaxTombstones = 1 << 16
	}
	if len(opts.Variables) > 0 {
		t.keep = make(map[string]struct{}, len(opts.Variables))
		for _, v := range opts.Variables {
			t.keep[v] = struct{}{}
		}
	}
	return t
}

// Snapshot is a consistent view of the tracker at one instant.
type Snapshot struct {
	Channels    []Channel                // sorted by Created, then UniqueID
	Calls       []Call                   // sorted by BridgedAt, then ID
	ByState     map[esl.ChannelState]int // channel count per channel state
	ByCallState map[esl.CallState]int    // channel count per call state
	Answered    int                      // channels that were answered and are not hung up
	Taken       time.Time                // the tracker clock's time
}

// Snapshot copies every channel and call under one lock, so the result is a
// state the tracker really was in.
func (t *Tracker) Snapshot() Snapshot {
	t.mu.RLock()
	s := Snapshot{
		Channels:    make([]Channel, 0, len(t.chans)),
		Calls:       make([]Call, 0, len(t.calls)),
		ByState:     make(map[esl.ChannelState]int),
		ByCallState: make(map[esl.CallState]int),
		Taken:       t.now(),
	}
	for _, c := range t.chans {
		s.Channels = append(s.Channels, *c)
		s.ByState[c.State]++
		s.ByCallState[c.CallState]++
		if c.AnswerState == esl.AnswerAnswered {
			s.Answered++
		}
	}
	for _, c := range t.calls {
		s.Calls = append(s.Calls, *c)
	}
	t.mu.RUnlock()
	slices.SortFunc(s.Channels, func(a, b Channel) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.UniqueID, b.UniqueID))
	})
	slices.SortFunc(s.Calls, func(a, b Call) int {
		return cmp.Or(a.BridgedAt.Compare(b.BridgedAt), cmp.Compare(a.ID, b.ID))
	})
	return s
}

// Channel returns the channel with the given Unique-ID.
func (t *Tracker) Channel(uuid string) (Channel, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	c, ok := t.chans[uuid]
	if !ok {
		return Channel{}, false
	}
	return *c, true
}

// Call returns the call with the given ID.
func (t *Tracker) Call(id string) (Call, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	c, ok := t.calls[id]
	if !ok {
		return Call{}, false
	}
	return *c, true
}

// CallOf returns the call that the channel uuid is a leg of.
func (t *Tracker) CallOf(uuid string) (Call, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	c, ok := t.calls[t.legCall[uuid]]
	if !ok {
		return Call{}, false
	}
	return *c, true
}

// Len returns the number of channels and calls tracked, without copying.
func (t *Tracker) Len() (channels, calls int) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.chans), len(t.calls)
}

// Stats returns the tracker's counters.
func (t *Tracker) Stats() Stats {
	t.mu.RLock()
	defer t.mu.RUnlock()
	s := t.stats
	s.Feeds = len(t.feeds)
	s.Channels = len(t.chans)
	s.Calls = len(t.calls)
	return s
}

// Counts is a summary of the tracker for metrics, without the channels.
type Counts struct {
	Channels    int                      // channels tracked
	Calls       int                      // calls tracked (bridged or ending)
	Bridged     int                      // calls bridged now
	Answered    int                      // channels answered and not hung up
	ByState     map[esl.ChannelState]int // channels per channel state
	ByCallState map[esl.CallState]int    // channels per call state
}

// Counts summarises the tracker under one lock without copying channels,
// for metrics scraped often from a large tracker.
func (t *Tracker) Counts() Counts {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := Counts{
		Channels:    len(t.chans),
		Calls:       len(t.calls),
		ByState:     make(map[esl.ChannelState]int),
		ByCallState: make(map[esl.CallState]int),
	}
	for _, c := range t.chans {
		n.ByState[c.State]++
		n.ByCallState[c.CallState]++
		if c.AnswerState == esl.AnswerAnswered {
			n.Answered++
		}
	}
	for _, c := range t.calls {
		if c.Bridged {
			n.Bridged++
		}
	}
	return n
}
