package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

func init() {
	register(&command{Name: "events", Summary: "stream events: JSON lines for jq, readable text on a terminal", Run: runEvents})
}

func runEvents(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "esl events", "usage: esl events [flags] [NAME...]   (NAME: ALL (default), CHANNEL_ANSWER, CUSTOM sofia::register, …)")
	var o connOpts
	o.register(fs)
	format := fs.String("format", "", "json (one FreeSWITCH JSON event per line; default when not a terminal), text (default on a terminal) or plain")
	var filters filterFlag
	fs.Var(&filters, "filter", "FreeSWITCH event filter HEADER=VALUE (repeatable; several are OR-ed as FreeSWITCH does, '-' before the value excludes, /regex/ matches)")
	uuid := fs.String("uuid", "", "only events of this call (Unique-ID or Other-Leg-Unique-ID)")
	vars := fs.Bool("vars", false, "text format: include channel variables")
	names, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	switch *format {
	case "":
		*format = "json"
		if isTerminal(e.Stdout) {
			*format = "text"
		}
	case "json", "text", "plain":
	default:
		fmt.Fprintf(e.Stderr, "esl events: unknown format %q (json, text or plain)\n", *format)
		return 2
	}
	if len(names) == 0 {
		names = []string{"ALL"}
	}
	names = upperNames(names)
	if err := checkEventNames(names); err != nil {
		fmt.Fprintln(e.Stderr, "esl events:", err)
		return 2
	}
	if err := o.resolve(fs, e.Getenv); err != nil {
		fmt.Fprintln(e.Stderr, "esl:", err)
		return 2
	}
	l, err := o.dial(ctx, e, true)
	if err != nil {
		fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
		return 1
	}
	defer l.Close()
	actx, cancel := o.apiCtx(ctx)
	defer cancel()
	for _, f := range filters {
		if err := l.Filter(actx, f.Header, f.Value); err != nil {
			fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
			return 1
		}
	}
	if err := l.Event(actx, names); err != nil {
		fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
		return 1
	}
	// Say on stderr that the stream is live, as tcpdump does: scripts can
	// wait for it, and stdout stays pure data.
	fmt.Fprintf(e.Stderr, "esl: listening for %s on %s\n", strings.Join(names, " "), o.addr())
	w := &errWriter{w: e.Stdout}
	colour := *format == "text" && !o.NoColor && isTerminal(e.Stdout)
	var buf []byte
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	for it := range l.Items() {
		switch {
		case it.Event != nil:
			ev := it.Event
			if *uuid != "" && ev.UniqueID() != *uuid && ev.Get("Other-Leg-Unique-ID") != *uuid {
				continue
			}
			switch *format {
			case "json":
				buf = ev.AppendJSON(buf[:0])
				buf = append(buf, '\n')
				w.Write(buf)
			case "plain":
				buf = ev.AppendPlain(buf[:0])
				buf = append(buf, '\n')
				w.Write(buf)
			default:
				writeEventText(w, ev, colour, *vars)
			}
			if w.err != nil {
				// stdout closed (e.g. "| head"): stop quietly.
				return 0
			}
		case it.Notice != "":
			fmt.Fprintln(e.Stderr, "esl:", o.describe(errors.New(it.Notice)))
			if it.Down {
				if ctx.Err() != nil {
					return 0
				}
				return 1
			}
		}
	}
	return 0
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (w *errWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(p)
	w.err = err
	return n, err
}
