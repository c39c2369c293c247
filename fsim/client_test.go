package fsim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/fsim"
)

// The simulator through the project's own client, in all three formats:
// a 3 s call on a manual clock, its events decoded by the client.
func TestThroughTheClient(t *testing.T) {
	for _, format := range []esl.EventFormat{esl.FormatPlain, esl.FormatJSON, esl.FormatXML} {
		t.Run(string(format), func(t *testing.T) {
			clk := fsim.NewManualClock(time.Time{})
			sim := fsim.Run(t, fsim.Options{Clock: clk, HeartbeatInterval: -1})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			c, err := esl.Dial(ctx, sim.Addr(), esl.WithPassword(sim.Password()), esl.WithEventFormat(format))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			sub := c.Listen(esl.ForEvents(esl.EventChannelHangupComplete, esl.EventPlaybackStop))
			defer sub.Close()
			if err := c.Subscribe(ctx, esl.EventChannelHangupComplete, esl.EventPlaybackStop); err != nil {
				t.Fatal(err)
			}
			out, err := c.API(ctx, "originate loopback/9999/default &park")
			if err != nil || !strings.HasPrefix(out, "+OK ") {
				t.Fatalf("%q %v", out, err)
			}
			sim.Advance(3 * time.Second)
			var got []string
			for len(got) < 3 {
				m, ok := sub.Next(ctx)
				if !ok {
					t.Fatalf("subscription ended after %v: %v", got, sub.Err())
				}
				if m.Kind != esl.KindEvent {
					continue
				}
				ev := m.Event
				switch ev.Get("Event-Name") {
				case "PLAYBACK_STOP":
					got = append(got, "stop "+ev.Get("Playback-File-Path")+" "+ev.Var("playback_ms"))
				case "CHANNEL_HANGUP_COMPLETE":
					if vs := ev.Values("Hangup-Cause"); len(vs) != 2 || vs[0] != "NORMAL_CLEARING" {
						t.Errorf("Hangup-Cause values %v", vs)
					}
					got = append(got, "complete "+ev.Get("Channel-Name"))
				}
			}
			want := "stop tone_stream://%(1000,0,440);loops=3 3000"
			if got[0] != want {
				t.Errorf("got %v, want %q first", got, want)
			}
		})
	}
}
