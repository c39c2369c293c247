package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/eslkit/esl"
)

func TestWriteEventText(t *testing.T) {
	ev := esl.NewEvent([]esl.Header{
		{Name: "Event-Name", Value: "CHANNEL_ANSWER"},
		{Name: "Core-UUID", Value: "core"},
		{Name: "Event-Date-Timestamp", Value: "1736936430123456"},
		{Name: "Unique-ID", Value: "u-1"},
		{Name: "Caller-Caller-ID-Number", Value: "1000"},
		{Name: "Caller-Destination-Number", Value: "9999"},
		{Name: "Channel-State", Value: "CS_EXECUTE"},
		{Name: "X-Multi", Value: "a", Array: []string{"a", "b c"}},
		{Name: "variable_secret_var", Value: "v"},
	}, "line1\nline2\n")
	var b bytes.Buffer
	writeEventText(&b, ev, false, false)
	out := b.String()
	first, _, _ := strings.Cut(out, "\n")
	for _, want := range []string{"CHANNEL_ANSWER", "u-1", "1000 -> 9999", "CS_EXECUTE"} {
		if !strings.Contains(first, want) {
			t.Errorf("summary %q lacks %q", first, want)
		}
	}
	for _, want := range []string{"  Unique-ID: u-1\n", "  X-Multi: [a, b c]\n", "  ---\n  line1\n  line2\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, no := range []string{"Core-UUID", "variable_secret_var", "\x1b["} {
		if strings.Contains(out, no) {
			t.Errorf("output has %q:\n%s", no, out)
		}
	}
	b.Reset()
	writeEventText(&b, ev, true, true)
	if !strings.Contains(b.String(), "variable_secret_var") || !strings.Contains(b.String(), colCyan) {
		t.Errorf("vars/colour missing:\n%s", b.String())
	}
}

func TestWriteLogColours(t *testing.T) {
	var b bytes.Buffer
	writeLog(&b, 3, "2025-01-15 10:20:30.123456 [ERR] x.c:1 boom\n", true)
	writeLog(&b, 7, "dbg\n", true)
	writeLog(&b, 6, "info\n", false)
	want := colRed + "2025-01-15 10:20:30.123456 [ERR] x.c:1 boom" + colReset + "\n" + colYellow + "dbg" + colReset + "\ninfo\n"
	if b.String() != want {
		t.Fatalf("got %q\nwant %q", b.String(), want)
	}
	for s, n := range map[string]int{"err": 3, "DEBUG": 7, "4": 4, "warning": 4} {
		if got, ok := parseLogLevel(s); !ok || got != n {
			t.Errorf("parseLogLevel(%q) = %d %v", s, got, ok)
		}
	}
	if _, ok := parseLogLevel("ERROR"); ok {
		t.Error("ERROR accepted: FreeSWITCH says ERR")
	}
}
