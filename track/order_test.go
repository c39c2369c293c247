package track

import (
	"reflect"
	"testing"
	"time"

	"github.com/eslkit/esl"
)

func TestLateJoinFromAnyChannelEvent(t *testing.T) {
	tr := New(Options{})
	tr.Apply(mk("CHANNEL_EXECUTE", "u1", "Channel-State", "CS_EXECUTE", "Application", "park", "Channel-Name", "sofia/internal/1000@x",
		"Channel-Call-State", "ACTIVE", "Answer-State", "answered", "Call-Direction", "inbound", "Caller-Caller-ID-Number", "1000"))
	c := mustChannel(t, tr, "u1")
	if c.State != esl.CSExecute || c.CallState != esl.CallActive || c.AnswerState != esl.AnswerAnswered || c.Application != "park" || c.CallerNumber != "1000" || c.Direction != "inbound" {
		t.Fatalf("late-joined channel = %+v", c)
	}
	// Its first CHANNEL_STATE takes over from the inferred state.
	tr.Apply(mk("CHANNEL_STATE", "u1", "Channel-State", "CS_HANGUP"))
	if c := mustChannel(t, tr, "u1"); c.State != esl.CSHangup {
		t.Fatalf("state %v, want CS_HANGUP", c.State)
	}
}

func TestEventsWithoutChannelAreIgnored(t *testing.T) {
	tr := New(Options{})
	tr.Apply(mk("API", "", "API-Command", "show"))
	tr.Apply(esl.NewEvent([]esl.Header{{Name: "Event-Name", Value: "HEARTBEAT"}}, ""))
	tr.Apply(nil)
	if n, _ := tr.Len(); n != 0 {
		t.Fatalf("%d channels from non-channel events", n)
	}
	if st := tr.Stats(); st.Ignored != 2 || st.Events != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestStateOnlyFromStateEvents(t *testing.T) {
	tr := New(Options{})
	// The load capture's order: STATE CS_INIT, then ANSWER and CALLSTATE
	// ACTIVE, then CREATE still saying call state DOWN.
	tr.Apply(mk("CODEC", "a", "Channel-State", "CS_NONE", "Channel-Name", "loopback/9999/default-a", "Channel-Call-State", "DOWN"))
	if c := mustChannel(t, tr, "a"); c.State != esl.CSNone || c.Name != "loopback/9999/default-a" {
		t.Fatalf("after CODEC: %+v", c)
	}
	tr.Apply(mk("CHANNEL_STATE", "a", "Channel-State", "CS_INIT", "Channel-Call-State", "DOWN"))
	tr.Apply(mk("CHANNEL_ANSWER", "a", "Channel-State", "CS_INIT", "Answer-State", "answered", "Channel-Call-State", "DOWN"))
	tr.Apply(mk("CHANNEL_CALLSTATE", "a", "Channel-State", "CS_INIT", "Channel-Call-State", "ACTIVE"))
	tr.Apply(mk("CHANNEL_CREATE", "a", "Channel-State", "CS_INIT", "Channel-Name", "loopback/9999-a", "Channel-Call-State", "DOWN", "Answer-State", "ringing"))
	c := mustChannel(t, tr, "a")
	if c.State != esl.CSInit || c.CallState != esl.CallActive || c.AnswerState != esl.AnswerAnswered || c.Name != "loopback/9999-a" {
		t.Fatalf("after out-of-order create: %+v", c)
	}
	// CHANNEL_HANGUP carries the old running state: no change of state.
	tr.Apply(mk("CHANNEL_HANGUP", "a", "Channel-State", "CS_EXECUTE", "Hangup-Cause", "USER_BUSY", "Answer-State", "hangup"))
	c = mustChannel(t, tr, "a")
	if c.State != esl.CSInit || c.HangupCause != esl.CauseUserBusy || c.AnswerState != esl.AnswerHangup || c.Up() {
		t.Fatalf("after hangup: %+v", c)
	}
	tr.Apply(mk("CHANNEL_STATE", "a", "Channel-State", "CS_REPORTING"))
	tr.Apply(mk("CHANNEL_CALLSTATE", "a", "Channel-Call-State", "HANGUP"))
	// A duplicated, late CS_HANGUP and a stray call state do not go back.
	tr.Apply(mk("CHANNEL_STATE", "a", "Channel-State", "CS_HANGUP"))
	tr.Apply(mk("CHANNEL_CALLSTATE", "a", "Channel-Call-State", "ACTIVE"))
	tr.Apply(mk("CHANNEL_HANGUP_COMPLETE", "a", "Hangup-Cause", "NORMAL_CLEARING", "Answer-State", "answered"))
	c = mustChannel(t, tr, "a")
	if c.State != esl.CSReporting || c.CallState != esl.CallHangup || c.HangupCause != esl.CauseUserBusy || c.AnswerState != esl.AnswerHangup {
		t.Fatalf("after duplicates: %+v", c)
	}
}

func TestDuplicatesChangeNothing(t *testing.T) {
	evs := captureEvents(t, "call-plain")
	clk := newClock()
	once, twice := New(Options{Now: clk.Now}), New(Options{Now: clk.Now})
	f := twice.Subscribe(1 << 14)
	defer f.Close()
	var a, b Snapshot
	for i, ev := range evs {
		once.Apply(ev)
		twice.Apply(ev)
		before := len(drain(f))
		twice.Apply(ev) // the same event again
		if n := len(drain(f)); n != 0 {
			t.Fatalf("duplicate %s produced %d changes (first copy %d)", ev.Get("Event-Name"), n, before)
		}
		if i == len(evs)*2/3 { // bridged and partly hung up
			a, b = once.Snapshot(), twice.Snapshot()
		}
	}
	if len(a.Channels) == 0 || len(a.Calls) != 1 || len(a.Channels) != len(b.Channels) || !reflect.DeepEqual(a.Calls, b.Calls) {
		t.Fatalf("snapshots differ: %d/%d channels, %d/%d calls", len(a.Channels), len(b.Channels), len(a.Calls), len(b.Calls))
	}
	for i := range a.Channels {
		x, y := a.Channels[i], b.Channels[i]
		x.gen, y.gen = 0, 0
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("channel differs:\n%+v\n%+v", x, y)
		}
	}
}

func TestEventSequenceIsNotUsed(t *testing.T) {
	tr := New(Options{})
	tr.Apply(mk("CHANNEL_STATE", "a", "Channel-State", "CS_ROUTING", "Event-Sequence", "900"))
	tr.Apply(mk("CHANNEL_STATE", "a", "Channel-State", "CS_EXECUTE", "Event-Sequence", "10"))
	if c := mustChannel(t, tr, "a"); c.State != esl.CSExecute {
		t.Fatalf("state %v: a lower Event-Sequence was treated as old", c.State)
	}
}

func TestTrailingEventsAfterDestroy(t *testing.T) {
	clk := newClock()
	tr := New(Options{Now: clk.Now, TombstoneTTL: time.Minute})
	tr.Apply(mk("CHANNEL_CREATE", "a"))
	tr.Apply(mk("CHANNEL_DESTROY", "a", "Channel-State", "CS_REPORTING"))
	tr.Apply(mk("CHANNEL_STATE", "a", "Channel-State", "CS_DESTROY"))
	tr.Apply(mk("PLAYBACK_STOP", "a"))
	if _, ok := tr.Channel("a"); ok {
		t.Fatal("trailing events brought a destroyed channel back")
	}
	// A destroy of a channel never seen is not a channel either.
	tr.Apply(mk("CHANNEL_DESTROY", "b"))
	tr.Apply(mk("CHANNEL_STATE", "c", "Channel-State", "CS_DESTROY"))
	if n, _ := tr.Len(); n != 0 {
		t.Fatalf("%d channels", n)
	}
	if st := tr.Stats(); st.Late != 4 {
		t.Fatalf("late %d, want 4", st.Late)
	}
	// The tombstone is forgotten after its TTL.
	clk.Advance(2 * time.Minute)
	tr.Apply(mk("CHANNEL_CREATE", "a"))
	if _, ok := tr.Channel("a"); !ok {
		t.Fatal("uuid stays buried after its TTL")
	}
}

func TestTombstoneCap(t *testing.T) {
	tr := New(Options{MaxTombstones: 10})
	for i := range 100 {
		u := "u" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		tr.Apply(mk("CHANNEL_CREATE", u))
		tr.Apply(mk("CHANNEL_DESTROY", u))
	}
	tr.mu.RLock()
	n, q := len(tr.gone), len(tr.goneQ)
	tr.mu.RUnlock()
	if n > 11 || q > 11 {
		t.Fatalf("%d tombstones (%d queued), cap 10", n, q)
	}
}
