package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/eslkit/esl/track"
)

func init() {
	register(&command{Name: "channels", Summary: "live table of channels and calls (--once [--json] for one snapshot)", Run: runChannels})
}

// trackedEvents are the events the tracker learns from (track.Events),
// as the words FreeSWITCH's event command takes.
func trackedEvents() []string {
	var names []string
	for _, n := range track.Events() {
		names = append(names, string(n))
	}
	return names
}

func runChannels(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "esl channels", "usage: esl channels [flags] [profile]")
	var o connOpts
	o.register(fs)
	once := fs.Bool("once", false, "print one snapshot and exit")
	asJSON := fs.Bool("json", false, "with --once: print the snapshot as JSON")
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) == 1 && o.Profile == "" {
		o.Profile = pos[0]
	} else if len(pos) > 0 {
		fmt.Fprintf(e.Stderr, "esl channels: unexpected arguments %q\n", pos)
		return 2
	}
	if err := o.resolve(fs, e.Getenv); err != nil {
		fmt.Fprintln(e.Stderr, "esl:", err)
		return 2
	}
	l, err := o.dial(ctx, e, !*once)
	if err != nil {
		fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
		return 1
	}
	defer l.Close()
	tr := track.New(track.Options{})
	actx, cancel := o.apiCtx(ctx)
	defer cancel()
	if *once {
		if err := tr.Sync(actx, l); err != nil {
			fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
			return 1
		}
		return printSnapshot(e, tr.Snapshot(), *asJSON, o.NoColor)
	}
	if err := l.Event(ctx, trackedEvents()); err != nil {
		fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
		return 1
	}
	dirty, mark := notify()
	fed := make(chan error, 1)
	go func() { fed <- feedTracker(ctx, tr, l, mark, expireEvery) }()
	if err := tr.Sync(actx, l); err != nil {
		fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
		return 1
	}
	mark()
	title := "esl channels — " + o.addr() + "   (q to quit)"
	if isTerminal(e.Stdout) {
		out := e.Stdout
		in, _ := e.Stdin.(*os.File)
		vctx, vcancel := context.WithCancel(ctx)
		defer vcancel()
		go func() {
			<-fed
			vcancel()
		}()
		(&liveScreen{out: out, in: in, dirty: dirty, draw: func(w, h int) []string {
			return renderChannels(tr.Snapshot(), title, w, h, !o.NoColor)
		}}).run(vctx)
		return 0
	}
	// Not a terminal: print the table whenever it changed, at most once a
	// second, until interrupted.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	changed := true
	for {
		select {
		case <-ctx.Done():
			return 0
		case err := <-fed:
			if err != nil {
				fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
				return 1
			}
			return 0
		case <-dirty:
			changed = true
		case <-tick.C:
			if changed {
				fmt.Fprintln(e.Stdout, strings.Join(renderChannels(tr.Snapshot(), title, 0, 1<<20, false), "\n"))
				fmt.Fprintln(e.Stdout)
				changed = false
			}
		}
	}
}

// expireEvery is how often the channel view lets the tracker expire
// channels whose events stopped without a CHANNEL_DESTROY.
const expireEvery = 5 * time.Second

// feedTracker applies the link's events to the tracker, resyncs after a
// reconnect or lost events (the table would otherwise stay wrong), and
// expires channels whose events stopped every expireEvery, marking the view
// dirty on each. It returns when the link is closed, with an error when it
// went down for good.
func feedTracker(ctx context.Context, tr *track.Tracker, l link, mark func(), expireEvery time.Duration) error {
	tick := time.NewTicker(expireEvery)
	defer tick.Stop()
	items := l.Items()
	for {
		select {
		case it, ok := <-items:
			if !ok {
				return nil
			}
			switch {
			case it.Event != nil:
				tr.Apply(it.Event)
				mark()
			case it.Notice == noticeReconnected || it.Lost > 0:
				tr.Sync(ctx, l)
				mark()
			case it.Down:
				return errors.New(it.Notice)
			}
		case <-tick.C:
			if tr.Expire() > 0 {
				mark()
			}
		}
	}
}

// printSnapshot prints one snapshot for --once: JSON for programs, else
// the same table the live view draws, unclipped (a pipe has no width).
func printSnapshot(e *env, s track.Snapshot, asJSON, noColour bool) int {
	if asJSON {
		b, err := json.MarshalIndent(snapshotJSON(s), "", "  ")
		if err != nil {
			fmt.Fprintln(e.Stderr, "esl:", err)
			return 1
		}
		fmt.Fprintln(e.Stdout, string(b))
		return 0
	}
	colour := !noColour && isTerminal(e.Stdout)
	fmt.Fprintln(e.Stdout, strings.Join(renderChannels(s, "channels at "+s.Taken.Format(time.TimeOnly), 0, 1<<20, colour), "\n"))
	return 0
}
