package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/eslkit/esl"
	"golang.org/x/term"
)

// parseArgs parses flags wherever they appear among the arguments (Go's
// flag package stops at the first non-flag), so "esl events CHANNEL_ANSWER
// --format json" works as operators expect. "--" ends the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// termSize returns w's size, or 80x24 when it is not a terminal.
func termSize(w io.Writer) (cols, rows int) {
	if f, ok := w.(*os.File); ok {
		if c, r, err := term.GetSize(int(f.Fd())); err == nil && c > 0 && r > 0 {
			return c, r
		}
	}
	return 80, 24
}

// filterFlag collects repeated --filter HEADER=VALUE.
type filterFlag []filterSpec

type filterSpec struct{ Header, Value string }

func (f *filterFlag) String() string { return fmt.Sprint(*f) }

func (f *filterFlag) Set(s string) error {
	h, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(h) == "" {
		return errors.New("want HEADER=VALUE")
	}
	*f = append(*f, filterSpec{strings.TrimSpace(h), v})
	return nil
}

// checkEventNames refuses event names FreeSWITCH does not define (it
// would silently ignore them, and the operator would wait for nothing).
// Words after CUSTOM are subclasses and are not checked.
func checkEventNames(names []string) error {
	for _, n := range names {
		if strings.EqualFold(n, "CUSTOM") {
			return nil
		}
		if _, ok := esl.ParseEventName(n); !ok {
			return fmt.Errorf("unknown event name %q (see: esl explain --list events)", n)
		}
	}
	return nil
}
