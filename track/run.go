package track

import (
	"context"
	"time"

	"github.com/eslkit/esl"
)

// MessageSource is a stream of event-socket messages: events, gap markers
// and connection notices, in order. *esl.Subscription (from Client.Listen)
// is one.
type MessageSource interface {
	// Next waits for the next message; false means the stream ended (or
	// ctx did) and Run stops.
	Next(ctx context.Context) (esl.Message, bool)
}

// Run keeps the tracker current from a client's message stream until ctx
// ends or the stream does. It first loads what is up now (Sync), applies
// every event, and syncs again whenever the picture may have gone stale:
// after a Reconnected notice (events were missed while the connection was
// down) and after a gap (the subscription dropped events). Syncs run beside
// the event loop, so events keep being applied meanwhile; a failed Sync is
// logged and retried at the next trigger. While it runs, Run also calls
// Expire every expireEvery (no expiry when expireEvery <= 0).
//
// The client must be subscribed to the channel events (for example
// CHANNEL_* and CALL_UPDATE, or ALL); api may be nil to never sync.
func (t *Tracker) Run(ctx context.Context, msgs MessageSource, api APIRunner, expireEvery time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	syncDone := make(chan error, 1)
	syncing, again := false, false
	startSync := func() {
		if api == nil {
			return
		}
		if syncing {
			again = true
			return
		}
		syncing = true
		go func() { syncDone <- t.Sync(ctx, api) }()
	}
	defer func() {
		if syncing {
			<-syncDone
		}
	}()

	var tick <-chan time.Time
	if expireEvery > 0 {
		tk := time.NewTicker(expireEvery)
		defer tk.Stop()
		tick = tk.C
	}

	// Messages come from their own goroutine so that sync results and
	// expiry ticks are handled while no event arrives.
	in := make(chan esl.Message)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer close(in)
		for {
			m, ok := msgs.Next(ctx)
			if !ok {
				return
			}
			select {
			case in <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() { cancel(); <-readDone }()

	startSync()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m, ok := <-in:
			if !ok {
				return ctx.Err()
			}
			switch m.Kind {
			case esl.KindEvent:
				t.Apply(m.Event)
			case esl.KindGap:
				t.log.Debug("track: events lost, resyncing", "lost", m.Lost)
				startSync()
			case esl.KindReconnected:
				t.log.Debug("track: reconnected, resyncing")
				startSync()
			}
		case err := <-syncDone:
			syncing = false
			if err != nil && ctx.Err() == nil {
				t.log.Warn("track: sync failed", "err", err)
			}
			if again {
				again = false
				startSync()
			}
		case <-tick:
			t.Expire()
		}
	}
}
