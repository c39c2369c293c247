package track

// Expire removes the channels whose events stopped without a
// CHANNEL_DESTROY: a hung-up channel silent for Options.HangupTimeout, and
// any channel silent for Options.IdleTimeout when that is set. Time is the
// tracker's clock (Options.Now). It returns how many channels it removed;
// each is reported on the feed as ChannelRemoved with Cause CauseExpire.
func (t *Tracker) Expire() int {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepTombstones(now)
	var dead []*Channel
	for _, c := range t.chans {
		idle := now.Sub(c.LastEvent)
		if (t.opts.IdleTimeout > 0 && idle >= t.opts.IdleTimeout) ||
			(t.opts.HangupTimeout > 0 && !c.Up() && idle >= t.opts.HangupTimeout) {
			dead = append(dead, c)
		}
	}
	for _, c := range dead {
		t.remove(c, now, CauseExpire)
	}
	t.stats.Expired += uint64(len(dead))
	return len(dead)
}
