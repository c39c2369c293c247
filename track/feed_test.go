package track

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/eslkit/esl"
)

func TestFeedNeverBlocksAndCountsDrops(t *testing.T) {
	tr := New(Options{})
	f := tr.Subscribe(4)
	defer f.Close()
	for i := range 10 {
		tr.Apply(mk("CHANNEL_CREATE", fmt.Sprint("u", i))) // nobody reads
	}
	if got := f.Dropped(); got != 6 {
		t.Fatalf("dropped %d, want 6", got)
	}
	got := drain(f)
	if len(got) != 4 || got[0].Missed != 0 {
		t.Fatalf("queued %d changes, first missed %d", len(got), got[0].Missed)
	}
	tr.Apply(mk("CHANNEL_CREATE", "next"))
	c, err := f.Next(context.Background())
	if err != nil || c.Missed != 6 || c.Channel.UniqueID != "next" || c.Kind != ChannelAdded || c.Cause != "CHANNEL_CREATE" {
		t.Fatalf("after the gap: %+v %v", c, err)
	}
}

func TestFeedCloseWakesNext(t *testing.T) {
	tr := New(Options{})
	f := tr.Subscribe(0)
	done := make(chan error)
	go func() {
		_, err := f.Next(context.Background())
		done <- err
	}()
	f.Close()
	if err := <-done; !errors.Is(err, ErrFeedClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
	if st := tr.Stats(); st.Feeds != 0 {
		t.Fatalf("%d feeds after Close", st.Feeds)
	}
	tr.Apply(mk("CHANNEL_CREATE", "a")) // no panic, nothing queued
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Next(ctx); !errors.Is(err, ErrFeedClosed) {
		t.Fatalf("Next on closed feed: %v", err)
	}
}

func TestFeedNextHonoursContext(t *testing.T) {
	tr := New(Options{})
	f := tr.Subscribe(1)
	defer f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next: %v", err)
	}
}

func TestKeptVariables(t *testing.T) {
	tr := New(Options{Variables: []string{"sip_call_id", "foo"}})
	tr.Apply(mk("CHANNEL_CREATE", "a", "variable_sip_call_id", "abc", "variable_other", "x"))
	c1 := mustChannel(t, tr, "a")
	tr.Apply(mk("CHANNEL_EXECUTE", "a", "variable_foo", "bar"))
	c2 := mustChannel(t, tr, "a")
	if len(c1.Vars) != 1 || c1.Vars["sip_call_id"] != "abc" {
		t.Fatalf("vars after create: %v", c1.Vars)
	}
	if len(c2.Vars) != 2 || c2.Vars["foo"] != "bar" || c2.Vars["sip_call_id"] != "abc" {
		t.Fatalf("vars after execute: %v", c2.Vars)
	}
	// An earlier copy did not change under its reader.
	if len(c1.Vars) != 1 {
		t.Fatal("a copy's Vars changed")
	}
}

// TestEventsCoverWhatApplyUses replays call-park-hold through a filter that
// keeps only Events(): the tracker must end up with the same histories as
// with every event.
func TestEventsCoverWhatApplyUses(t *testing.T) {
	want := map[esl.EventName]bool{}
	for _, n := range Events() {
		if !n.Known() {
			t.Fatalf("%s is not a FreeSWITCH event", n)
		}
		want[n] = true
	}
	all, some := New(Options{}), New(Options{})
	fa, fs := all.Subscribe(1<<12), some.Subscribe(1<<12)
	defer fa.Close()
	defer fs.Close()
	for _, sc := range []string{"call-park-hold", "call-plain"} {
		for _, ev := range captureEvents(t, sc) {
			all.Apply(ev)
			if want[ev.Name()] {
				some.Apply(ev)
			}
		}
	}
	a, b := drain(fa), drain(fs)
	removed := func(cs []Change) map[string]Channel {
		m := map[string]Channel{}
		for _, c := range cs {
			if c.Kind == ChannelRemoved {
				c.Channel.LastEvent, c.Channel.gen = time.Time{}, 0
				m[c.Channel.UniqueID] = c.Channel
			}
		}
		return m
	}
	ra, rb := removed(a), removed(b)
	if len(ra) != 6 || !reflect.DeepEqual(ra, rb) {
		t.Fatalf("final channels differ with Events() only:\n%v\n%v", ra, rb)
	}
}

func TestFeedAll(t *testing.T) {
	tr := New(Options{})
	f := tr.Subscribe(0)
	tr.Apply(mk("CHANNEL_CREATE", "a"))
	tr.Apply(mk("CHANNEL_DESTROY", "a"))
	f.Close() // queued changes are still delivered, then the loop ends
	var kinds []ChangeKind
	for c := range f.All(context.Background()) {
		kinds = append(kinds, c.Kind)
	}
	if len(kinds) != 2 || kinds[0] != ChannelAdded || kinds[1] != ChannelRemoved {
		t.Fatalf("%v", kinds)
	}
}
