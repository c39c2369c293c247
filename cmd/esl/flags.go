package main

import (
	"errors"
	"flag"
	"fmt"
)

// newFlagSet makes a subcommand's flag set the way every subcommand wants
// it: errors and help on stderr, and a help text of usage (the synopsis and
// any prose) followed by the flags.
func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.Stderr, usage+"\n\nflags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with parseArgs. When ok is false the subcommand
// is over and exits with code: 0 after -h (the help is printed), 2 after a
// bad flag (the flag package has said what was wrong).
func parseFlags(fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, 0, false
	}
	if err != nil {
		return nil, 2, false
	}
	return pos, 0, true
}
