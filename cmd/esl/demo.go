package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eslkit/esl/track"
)

func init() {
	register(&command{Name: "demo", Summary: "simulated FreeSWITCH with a steady mix of calls and the live channel view (no FreeSWITCH needed)", Run: runDemo})
}

// demoSummary is what `esl demo` prints without a terminal.
type demoSummary struct {
	DurationSec  float64            `json:"duration_sec"`
	CallsPlaced  int64              `json:"calls_placed"`
	Calls        map[callKind]int64 `json:"calls"`
	IVRSessions  int64              `json:"ivr_sessions"`
	Failed       int64              `json:"failed"`
	Errors       []string           `json:"errors"`
	Hangups      map[string]int64   `json:"hangups_by_cause"`
	Events       map[string]int64   `json:"events"`
	EventsTotal  int64              `json:"events_total"`
	PeakChannels int                `json:"peak_channels"`
	EndChannels  int                `json:"channels_at_end"`
}

// demoStats is shared by the generator, the event counter and the view.
type demoStats struct {
	mu          sync.Mutex
	calls       map[callKind]int64
	events      map[string]int64
	hangups     map[string]int64
	errors      []string
	placed      atomic.Int64
	failed      atomic.Int64
	ivr         atomic.Int64
	eventsTotal atomic.Int64
	peak        int
}

func (s *demoStats) fail(format string, args ...any) {
	s.failed.Add(1)
	s.mu.Lock()
	if len(s.errors) < 20 {
		s.errors = append(s.errors, fmt.Sprintf(format, args...))
	}
	s.mu.Unlock()
}

func (s *demoStats) done(k callKind) {
	s.mu.Lock()
	s.calls[k]++
	s.mu.Unlock()
}

func runDemo(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "esl demo", "usage: esl demo [--duration D] [--every D]\n\nStarts a simulated FreeSWITCH (fsim) in this process, an outbound IVR server\nfor its socket calls, and places a steady mix of calls, showing the live\nchannel view. Without a terminal it prints a JSON summary at the end.")
	duration := fs.Duration("duration", 0, "stop after this long (default: until interrupted)")
	every := fs.Duration("every", 400*time.Millisecond, "start a call this often")
	noColour := fs.Bool("no-color", false, "no colours")
	asJSON := fs.Bool("json", false, "print the JSON summary even on a terminal")
	if _, code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *every <= 0 {
		fmt.Fprintln(e.Stderr, "esl demo: --every must be positive")
		return 2
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	live := isTerminal(e.Stdout) && !*asJSON
	sum, err := runDemoWith(ctx, e, *every, live, !*noColour)
	if err != nil {
		fmt.Fprintln(e.Stderr, "esl demo:", err)
		return 1
	}
	if !live {
		b, _ := json.MarshalIndent(sum, "", "  ")
		fmt.Fprintln(e.Stdout, string(b))
	} else {
		fmt.Fprintf(e.Stdout, "demo: %d calls placed, %d events, %d failed\n", sum.CallsPlaced, sum.EventsTotal, sum.Failed)
	}
	if sum.Failed > 0 {
		return 1
	}
	return 0
}

// runDemoWith runs the simulator, the IVR, the generator and the view
// until ctx ends, then stops everything and sums up.
func runDemoWith(ctx context.Context, e *env, every time.Duration, live, colour bool) (*demoSummary, error) {
	started := time.Now()
	stats := &demoStats{calls: map[callKind]int64{}, events: map[string]int64{}, hangups: map[string]int64{}}
	env, err := startDemoEnv(stats)
	if err != nil {
		return nil, err
	}
	defer env.close()

	tr := track.New(track.Options{})
	if err := env.link.Event(context.Background(), []string{"ALL"}); err != nil {
		return nil, fmt.Errorf("subscribing: %w", err)
	}
	dirty, mark := notify()
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		for it := range env.link.Items() {
			if it.Event == nil {
				continue
			}
			stats.eventsTotal.Add(1)
			name := it.Event.Get("Event-Name")
			stats.mu.Lock()
			stats.events[name]++
			if name == "CHANNEL_HANGUP_COMPLETE" {
				stats.hangups[it.Event.Get("Hangup-Cause")]++
			}
			stats.mu.Unlock()
			tr.Apply(it.Event)
			if n, _ := tr.Len(); n > stats.peakLoad() {
				stats.setPeak(n)
			}
			mark()
		}
	}()

	// The run ends with ctx, or when the user leaves the live view.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	gen := &generator{ctx: ctx, api: env.api, stats: stats}
	genDone := make(chan struct{})
	go func() {
		defer close(genDone)
		gen.run(every)
	}()

	if live {
		in, _ := e.Stdin.(*os.File)
		rate := newRateMeter(&stats.eventsTotal)
		(&liveScreen{out: e.Stdout, in: in, dirty: dirty, draw: func(w, h int) []string {
			title := fmt.Sprintf("esl demo — fsim at %s, IVR at %s   (q to quit)", env.simAddr, env.ivrAddr)
			lines := []string{title, clip(demoRateLine(stats, rate.perSecond(), colour), w)}
			return append(lines, renderChannels(tr.Snapshot(), "", w, h-2, colour)[1:]...)
		}}).run(ctx)
		stop()
	} else {
		<-ctx.Done()
	}
	<-genDone
	gen.wait()
	// Hang up what is left so the simulator stops cleanly.
	hctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	env.api(hctx, "hupall NORMAL_CLEARING")
	cancel()
	// Let the hangups' events arrive, so the summary ends with an empty
	// table (bounded: a lost event must not hang the demo).
	settle := time.NewTimer(3 * time.Second)
	for n, _ := tr.Len(); n > 0; n, _ = tr.Len() {
		select {
		case <-dirty:
			continue
		case <-settle.C:
		}
		break
	}
	settle.Stop()
	end, _ := tr.Len()
	env.link.Close()
	<-counted

	stats.mu.Lock()
	defer stats.mu.Unlock()
	sum := &demoSummary{
		DurationSec: float64(time.Since(started).Milliseconds()) / 1000,
		CallsPlaced: stats.placed.Load(), Calls: map[callKind]int64{},
		IVRSessions: stats.ivr.Load(), Failed: stats.failed.Load(), Errors: append([]string{}, stats.errors...),
		Events: map[string]int64{}, EventsTotal: stats.eventsTotal.Load(), Hangups: map[string]int64{},
		PeakChannels: stats.peak, EndChannels: end,
	}
	for _, k := range demoKinds {
		sum.Calls[k] = stats.calls[k]
	}
	for k, v := range stats.events {
		sum.Events[k] = v
	}
	for k, v := range stats.hangups {
		sum.Hangups[k] = v
	}
	return sum, nil
}

func (s *demoStats) peakLoad() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

func (s *demoStats) setPeak(n int) {
	s.mu.Lock()
	if n > s.peak {
		s.peak = n
	}
	s.mu.Unlock()
}

// demoRateLine is the line above the channel table.
func demoRateLine(s *demoStats, rate float64, colour bool) string {
	s.mu.Lock()
	var parts []string
	for _, k := range demoKinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.calls[k]))
	}
	s.mu.Unlock()
	// The long breakdown by kind goes last: on a narrow terminal the line
	// is cut, and the failure count must stay visible.
	line := fmt.Sprintf("events/s %.0f  events %d  failed %d  ivr sessions %d  calls %d (%s)",
		rate, s.eventsTotal.Load(), s.failed.Load(), s.ivr.Load(), s.placed.Load(), strings.Join(parts, ", "))
	if colour {
		return colGreen + line + colReset
	}
	return line
}

// rateMeter turns a counter into a per-second rate over the last second
// or so, measured when asked.
type rateMeter struct {
	mu     sync.Mutex
	n      *atomic.Int64
	last   int64
	at     time.Time
	latest float64
}

func newRateMeter(n *atomic.Int64) *rateMeter { return &rateMeter{n: n, at: time.Now()} }

func (r *rateMeter) perSecond() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if d := now.Sub(r.at); d >= 900*time.Millisecond {
		v := r.n.Load()
		r.latest = float64(v-r.last) / d.Seconds()
		r.last, r.at = v, now
	}
	return r.latest
}
