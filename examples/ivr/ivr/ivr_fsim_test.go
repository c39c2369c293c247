package ivr_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eslkit/esl/examples/ivr/ivr"
	"github.com/eslkit/esl/fsim"
)

// outcomes is a slog.Handler that passes on the IVR's "call ended" lines.
type outcomes struct {
	mu    sync.Mutex
	attrs []slog.Attr
	ch    chan string
}

func (o *outcomes) Enabled(context.Context, slog.Level) bool { return true }
func (o *outcomes) WithGroup(string) slog.Handler            { return o }
func (o *outcomes) WithAttrs(as []slog.Attr) slog.Handler {
	o.mu.Lock()
	defer o.mu.Unlock()
	return &outcomes{attrs: append(append([]slog.Attr(nil), o.attrs...), as...), ch: o.ch}
}

func (o *outcomes) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range o.attrs {
		b.WriteString(" " + a.String())
	}
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	o.ch <- b.String()
	return nil
}

// TestIVRAgainstFsim runs the IVR unchanged against fsim: the default
// dialplan's 7777 calls it through the socket application; the caller
// presses 1 during the prompt (or nothing).
func TestIVRAgainstFsim(t *testing.T) {
	for _, tc := range []struct {
		name, digit, want string
	}{
		{"digit", "2", "outcome=transferred to 8888"},
		{"silence", "", "outcome=no input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &outcomes{ch: make(chan string, 16)}
			cfg := ivr.DefaultConfig()
			cfg.Timeout = 300 * time.Millisecond
			cfg.Tries = 1
			cfg.Logger = slog.New(logs)
			addr := serve(t, ivr.New(cfg))
			sim := fsim.Run(t, fsim.Options{SocketAddr: addr})
			if tc.digit != "" {
				// Press the digit on the A leg (loopback carries it to the
				// B leg the IVR drives) once the prompt runs.
				prompt := make(chan string, 1)
				sim.OnEvent(func(name string, hs []fsim.Header, body string) {
					if name != "CHANNEL_EXECUTE" || get(hs, "Application") != "play_and_get_digits" {
						return
					}
					select {
					case prompt <- get(hs, "variable_other_loopback_leg_uuid"):
					default:
					}
				})
				stop := make(chan struct{})
				pressed := make(chan struct{})
				go func() {
					defer close(pressed)
					select {
					case a := <-prompt:
						sim.API("uuid_send_dtmf " + a + " " + tc.digit)
					case <-stop:
					}
				}()
				t.Cleanup(func() { close(stop); <-pressed })
			}
			sim.BgAPI("originate loopback/7777/default &park")
			select {
			case line := <-logs.ch:
				if !strings.HasPrefix(line, "ivr: call ended") || !strings.Contains(line, tc.want) || !strings.Contains(line, "destination=7777") {
					t.Errorf("log %q, want %s", line, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the IVR did not finish the call")
			}
		})
	}
}

func get(hs []fsim.Header, name string) string {
	for _, h := range hs {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}
