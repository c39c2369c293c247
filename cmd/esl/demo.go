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

// callKind is one kind of call the demo places.
type callKind string

const (
	kindAnswered callKind = "answered" // loopback 9999: answer, 3 s tone, hang up
	kindBridged  callKind = "bridged"  // loopback 5555: bridge to 9999 (four legs)
	kindBusy     callKind = "busy"     // loopback 6666: refused with USER_BUSY before answer
	kindHeld     callKind = "held"     // parked call put on hold, then taken off
	kindParked   callKind = "parked"   // loopback 8888: answer and park
	kindIVR      callKind = "ivr"      // loopback 7777: socket to the in-process IVR
)

var demoKinds = []callKind{kindAnswered, kindBridged, kindBusy, kindHeld, kindParked, kindIVR}

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
	line := fmt.Sprintf("events/s %6.0f  events %d  calls %d (%s)  ivr sessions %d  failed %d",
		rate, s.eventsTotal.Load(), s.placed.Load(), strings.Join(parts, ", "), s.ivr.Load(), s.failed.Load())
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

// generator places the mix of calls, one every tick, in a fixed rotation
// so every kind is represented early.
type generator struct {
	ctx   context.Context
	api   func(ctx context.Context, cmd string) (string, error)
	stats *demoStats
	wg    sync.WaitGroup
}

func (g *generator) run(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		k := demoKinds[i%len(demoKinds)]
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			g.place(k)
		}()
		select {
		case <-g.ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (g *generator) wait() { g.wg.Wait() }

// place runs one call of kind k to its end (or until the demo stops).
func (g *generator) place(k callKind) {
	g.stats.placed.Add(1)
	// Commands use their own short deadline so that stopping the demo
	// does not count as a failure of calls in flight.
	api := func(cmd string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return g.api(ctx, cmd)
	}
	originate := func(dest string) (string, bool) {
		body, err := api("originate " + dest + " &park()")
		if err != nil {
			if k == kindBusy && strings.Contains(err.Error(), "USER_BUSY") {
				return "", true
			}
			g.stats.fail("%s: originate %s: %v", k, dest, err)
			return "", false
		}
		uuid, ok := strings.CutPrefix(strings.TrimSpace(body), "+OK ")
		if !ok {
			if k == kindBusy && strings.Contains(body, "USER_BUSY") {
				return "", true
			}
			g.stats.fail("%s: originate %s: %s", k, dest, strings.TrimSpace(body))
			return "", false
		}
		return uuid, true
	}
	// pause waits d unless the demo stops first.
	pause := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-g.ctx.Done():
			return false
		}
	}
	run := func(cmd string) {
		if body, err := api(cmd); err != nil {
			// A call that ended meanwhile is no failure of the demo.
			if !strings.Contains(fmt.Sprint(err), "No such channel") {
				g.stats.fail("%s: %s: %v", k, cmd, err)
			}
		} else if strings.HasPrefix(body, "-ERR") && !strings.Contains(body, "No such channel") {
			g.stats.fail("%s: %s: %s", k, cmd, strings.TrimSpace(body))
		}
	}
	switch k {
	case kindBusy:
		if uuid, ok := originate("loopback/" + demoBusy + "/default"); ok {
			if uuid != "" {
				g.stats.fail("busy: originate loopback/%s answered", demoBusy)
				return
			}
			g.stats.done(k)
		}
	case kindAnswered:
		if _, ok := originate("loopback/9999/default"); ok {
			g.stats.done(k)
		}
	case kindBridged:
		if _, ok := originate("loopback/5555/default"); ok {
			g.stats.done(k)
		}
	case kindParked:
		uuid, ok := originate("loopback/8888/default")
		if !ok {
			return
		}
		g.stats.done(k)
		pause(3 * time.Second)
		run("uuid_kill " + uuid)
	case kindHeld:
		uuid, ok := originate("loopback/8888/default")
		if !ok {
			return
		}
		run("uuid_hold " + uuid)
		g.stats.done(k)
		if pause(1500 * time.Millisecond) {
			// "uuid_hold off" fails on loopback legs (their call state
			// never becomes HELD); toggle takes them off hold.
			run("uuid_hold toggle " + uuid)
			pause(time.Second)
		}
		run("uuid_kill " + uuid)
	case kindIVR:
		uuid, ok := originate("loopback/7777/default")
		if !ok {
			return
		}
		g.stats.done(k)
		pause(6 * time.Second)
		run("uuid_kill " + uuid)
	}
}
