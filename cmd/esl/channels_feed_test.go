package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/track"
)

// itemsLink is a link whose items the test sends and whose "show channels"
// / "show calls" answers it scripts. Only API and Items are used by
// feedTracker; the embedded nil link makes anything else fail loudly.
type itemsLink struct {
	link
	items    chan item
	channels atomic.Value // the "show channels as json" answer
}

func (f *itemsLink) API(_ context.Context, cmd string) (string, error) {
	if cmd == "show channels as json" {
		return f.channels.Load().(string), nil
	}
	return `{"row_count":0}`, nil
}

func (f *itemsLink) Items() <-chan item { return f.items }

func channelEvent(name, uuid, state string) *esl.Event {
	return esl.NewEvent([]esl.Header{{Name: "Event-Name", Value: name}, {Name: "Unique-ID", Value: uuid},
		{Name: "Channel-State", Value: state}, {Name: "Hangup-Cause", Value: "NORMAL_CLEARING"}}, "")
}

// TestFeedTrackerResyncsAndExpires: the channel view reloads the table
// after lost events, and drops channels whose CHANNEL_DESTROY never came.
func TestFeedTrackerResyncsAndExpires(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	tr := track.New(track.Options{Now: func() time.Time { return time.Unix(0, now.Load()) }})
	feed := tr.Subscribe(64)
	defer feed.Close()
	l := &itemsLink{items: make(chan item)}
	l.channels.Store(`{"row_count":1,"rows":[{"uuid":"b","name":"loopback/8888-a","state":"CS_EXECUTE","callstate":"ACTIVE","application":"park"}]}`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- feedTracker(ctx, tr, l, func() {}, 10*time.Millisecond) }()

	next := func(what string) track.Change {
		t.Helper()
		c, err := feed.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		return c
	}

	// Events lost: the table is reloaded, bringing in channel b.
	l.items <- item{Notice: "3 events lost here", Lost: 3}
	if c := next("the resync"); c.Kind != track.ChannelAdded || c.Channel.UniqueID != "b" || c.Cause != track.CauseSync {
		t.Fatalf("after a gap: %+v", c)
	}

	// Channel a hangs up, and its CHANNEL_DESTROY is lost: once it has
	// been silent past the tracker's hangup timeout, it expires.
	l.channels.Store(`{"row_count":0}`)
	l.items <- item{Event: channelEvent("CHANNEL_CREATE", "a", "CS_INIT")}
	l.items <- item{Event: channelEvent("CHANNEL_HANGUP", "a", "CS_HANGUP")}
	if c := next("a's creation"); c.Kind != track.ChannelAdded || c.Channel.UniqueID != "a" {
		t.Fatalf("%+v", c)
	}
	if c := next("a's hangup"); c.Kind != track.ChannelChanged || c.Channel.UniqueID != "a" {
		t.Fatalf("%+v", c)
	}
	now.Add(int64(2 * time.Minute))
	if c := next("the expiry"); c.Kind != track.ChannelRemoved || c.Channel.UniqueID != "a" || c.Cause != track.CauseExpire {
		t.Fatalf("after the timeout: %+v", c)
	}

	close(l.items)
	if err := <-done; err != nil {
		t.Fatalf("feedTracker: %v", err)
	}
}
