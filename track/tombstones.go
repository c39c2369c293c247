package track

import (
	"strings"
	"time"
)

// bury remembers a dead uuid so that its trailing events are dropped.
func (t *Tracker) bury(uuid string, now time.Time) {
	if _, ok := t.gone[uuid]; ok {
		return
	}
	uuid = strings.Clone(uuid)
	t.goneQ = append(t.goneQ, tombstone{uuid, now})
	t.gone[uuid] = now
}

// sweepTombstones forgets dead uuids older than the TTL, and the oldest
// ones beyond the cap.
func (t *Tracker) sweepTombstones(now time.Time) {
	n := 0
	for n < len(t.goneQ) {
		ts := t.goneQ[n]
		if len(t.goneQ)-n <= t.opts.MaxTombstones && now.Sub(ts.at) < t.opts.TombstoneTTL {
			break
		}
		delete(t.gone, ts.uuid)
		n++
	}
	if n > 0 {
		t.goneQ = t.goneQ[n:]
		if cap(t.goneQ) > 1024 && len(t.goneQ) < cap(t.goneQ)/4 {
			t.goneQ = append([]tombstone(nil), t.goneQ...)
		}
	}
}
