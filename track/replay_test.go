package track

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/eslkit/esl"
)

// history is what the capture itself says about one channel, computed
// straight from the events without the tracker's logic.
type history struct {
	states   []string // Channel-State of its CHANNEL_STATE events, in arrival order
	cause    string   // Hangup-Cause of CHANNEL_HANGUP_COMPLETE
	billsec  string   // variable_billsec of CHANNEL_HANGUP_COMPLETE
	name     string   // Channel-Name of CHANNEL_CREATE
	answered string   // Caller-Channel-Answered-Time of CHANNEL_HANGUP_COMPLETE
	dest     string   // Caller-Destination-Number of CHANNEL_CREATE
	destroy  int      // index of CHANNEL_DESTROY
}

func TestReplayCaptures(t *testing.T) {
	for _, sc := range []struct {
		name     string
		channels int
		bridges  int
		renames  int
	}{
		{"call-plain", 4, 1, 0},
		{"call-json", 4, 1, 0},
		{"call-xml", 4, 1, 0},
		{"call-park-hold", 2, 0, 1},
		{"load", 200, 0, 0},
		{"load-json", 200, 0, 0},
	} {
		t.Run(sc.name, func(t *testing.T) {
			evs := captureEvents(t, sc.name)

			// Expected, from the capture alone.
			want := map[string]*history{}
			get := func(u string) *history {
				if want[u] == nil {
					want[u] = &history{destroy: -1}
				}
				return want[u]
			}
			var bridges [][2]string
			lateDestroyStates, renames := 0, 0
			seen := map[string]bool{}
			for i, ev := range evs {
				u := ev.UniqueID()
				if ev.Get("Event-Name") == "CHANNEL_UUID" && seen[ev.Get("Old-Unique-ID")] {
					renames++ // a rename of a channel already seen (by its CODEC events)
				}
				seen[u] = true
				switch ev.Get("Event-Name") {
				case "CHANNEL_STATE":
					h := get(u)
					h.states = append(h.states, ev.Get("Channel-State"))
					if h.destroy >= 0 {
						lateDestroyStates++
					}
				case "CHANNEL_CREATE":
					get(u).name = ev.Get("Channel-Name")
				case "CHANNEL_HANGUP_COMPLETE":
					h := get(u)
					h.cause = ev.Get("Hangup-Cause")
					h.billsec = ev.Get("variable_billsec")
					h.answered = ev.Get("Caller-Channel-Answered-Time")
					h.dest = ev.Get("Caller-Destination-Number") // after any transfer
				case "CHANNEL_DESTROY":
					get(u).destroy = i
				case "CHANNEL_BRIDGE":
					bridges = append(bridges, [2]string{ev.Get("Bridge-A-Unique-ID"), ev.Get("Bridge-B-Unique-ID")})
				}
			}
			if len(want) != sc.channels || len(bridges) != sc.bridges || renames != sc.renames {
				t.Fatalf("capture has %d channels, %d bridges, %d renames; want %d, %d, %d", len(want), len(bridges), renames, sc.channels, sc.bridges, sc.renames)
			}

			// Replay, recording the tracker's view through its feed.
			tr := New(Options{})
			feed := tr.Subscribe(1 << 16)
			defer feed.Close()
			got := map[string][]esl.ChannelState{}
			removed := map[string]Channel{}
			var added, callsAdded, callsRemoved []Call
			record := func() {
				for {
					ctx, cancel := context.WithTimeout(context.Background(), 0)
					ch, err := feed.Next(ctx)
					cancel()
					if err != nil {
						return
					}
					if ch.Missed != 0 {
						t.Fatalf("feed missed %d changes", ch.Missed)
					}
					switch ch.Kind {
					case ChannelAdded, ChannelChanged, ChannelRemoved:
						u := ch.Channel.UniqueID
						if ch.OldUniqueID != "" {
							got[u] = append(got[u], got[ch.OldUniqueID]...)
							delete(got, ch.OldUniqueID)
						}
						if s := got[u]; len(s) == 0 || s[len(s)-1] != ch.Channel.State {
							got[u] = append(got[u], ch.Channel.State)
						}
						if ch.Kind == ChannelRemoved {
							removed[u] = ch.Channel
						}
					case CallAdded:
						added = append(added, ch.Call)
						callsAdded = append(callsAdded, ch.Call)
					case CallRemoved:
						callsRemoved = append(callsRemoved, ch.Call)
						// A call ends with its last leg: both are gone now.
						for _, leg := range []string{ch.Call.A, ch.Call.B} {
							if _, ok := tr.Channel(leg); ok {
								t.Errorf("call %s removed while leg %s is tracked", ch.Call.ID, leg)
							}
						}
					}
				}
			}
			for _, ev := range evs {
				tr.Apply(ev)
				record()
				// What each event says must show at once.
				c, ok := tr.Channel(ev.UniqueID())
				switch name := ev.Get("Event-Name"); name {
				case "CHANNEL_PARK", "CHANNEL_UNPARK":
					if !ok || c.Parked != (name == "CHANNEL_PARK") {
						t.Errorf("after %s: tracked %v parked %v", name, ok, c.Parked)
					}
				case "CHANNEL_HOLD", "CHANNEL_UNHOLD":
					if !ok || c.Held != (name == "CHANNEL_HOLD") {
						t.Errorf("after %s: tracked %v held %v", name, ok, c.Held)
					}
				case "CHANNEL_EXECUTE":
					if !ok || c.Application != ev.Get("Application") || c.ApplicationData != ev.Get("Application-Data") {
						t.Errorf("after CHANNEL_EXECUTE %s: tracked %v app %q %q", ev.Get("Application"), ok, c.Application, c.ApplicationData)
					}
				case "CHANNEL_UUID":
					if _, old := tr.Channel(ev.Get("Old-Unique-ID")); old || !ok {
						t.Errorf("after CHANNEL_UUID: old tracked %v, new tracked %v", old, ok)
					}
				case "CHANNEL_BRIDGE":
					if p, _ := tr.Channel(ev.Get("Bridge-B-Unique-ID")); c.Peer != p.UniqueID || p.Peer != c.UniqueID {
						t.Errorf("after CHANNEL_BRIDGE: peers %q %q", c.Peer, p.Peer)
					}
				}
			}

			for u, h := range want {
				states := got[u]
				// Before its first CHANNEL_STATE a channel shows what its
				// events carry (CS_NONE on CODEC, CS_NEW on CHANNEL_UUID).
				for len(states) > 0 && (states[0] == esl.CSNone || states[0] == esl.CSNew) && h.states[0] != states[0].String() {
					states = states[1:]
				}
				var names []string
				for _, s := range states {
					names = append(names, s.String())
				}
				if !slices.Equal(names, h.states) {
					t.Errorf("%s states\n got  %v\n want %v", u, names, h.states)
				}
				c, ok := removed[u]
				if !ok {
					t.Errorf("%s never removed", u)
					continue
				}
				if c.HangupCause.String() != h.cause {
					t.Errorf("%s cause %q, want %q", u, c.HangupCause, h.cause)
				}
				if strconv.Itoa(c.Billsec) != h.billsec {
					t.Errorf("%s billsec %d, want %s", u, c.Billsec, h.billsec)
				}
				if c.Name != h.name || c.Destination != h.dest {
					t.Errorf("%s name %q dest %q, want %q %q", u, c.Name, c.Destination, h.name, h.dest)
				}
				if us, _ := strconv.ParseInt(h.answered, 10, 64); !c.Answered.Equal(time.UnixMicro(us)) && us != 0 {
					t.Errorf("%s answered %v, want %v", u, c.Answered, time.UnixMicro(us))
				}
			}
			if len(callsAdded) != len(bridges) || len(callsRemoved) != len(bridges) {
				t.Errorf("calls added %d removed %d, want %d each", len(callsAdded), len(callsRemoved), len(bridges))
			}
			for i, b := range bridges {
				if i < len(added) && (added[i].A != b[0] || added[i].B != b[1] || !added[i].Bridged) {
					t.Errorf("call %d = %+v, want A %s B %s", i, added[i], b[0], b[1])
				}
			}
			if n, m := tr.Len(); n != 0 || m != 0 {
				t.Errorf("after the capture: %d channels, %d calls; want none", n, m)
			}
			tr.mu.RLock()
			legs := len(tr.legCall)
			tr.mu.RUnlock()
			if legs != 0 {
				t.Errorf("after the capture: %d call legs still indexed", legs)
			}
			if st := tr.Stats(); st.Late != uint64(lateDestroyStates) || st.Renamed != uint64(renames) {
				t.Errorf("late events %d, want %d (CHANNEL_STATE after CHANNEL_DESTROY); renamed %d, want %d", st.Late, lateDestroyStates, st.Renamed, renames)
			}
		})
	}
}
