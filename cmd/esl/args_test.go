package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestParseArgsInterleaved(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "", "")
	var filters filterFlag
	fs.Var(&filters, "filter", "")
	pos, err := parseArgs(fs, []string{"CHANNEL_CREATE", "--format", "json", "CHANNEL_ANSWER", "--filter", "Unique-ID=abc", "--", "--odd"})
	if err != nil {
		t.Fatal(err)
	}
	if *format != "json" || strings.Join(pos, " ") != "CHANNEL_CREATE CHANNEL_ANSWER --odd" {
		t.Fatalf("format %q pos %q", *format, pos)
	}
	if len(filters) != 1 || filters[0] != (filterSpec{"Unique-ID", "abc"}) {
		t.Fatalf("filters %v", filters)
	}
	if err := filters.Set("novalue"); err == nil {
		t.Fatal("filter without = accepted")
	}
}
