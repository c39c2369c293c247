package main

import (
	"strings"
	"testing"
)

func TestApplyConsoleComplete(t *testing.T) {
	// FreeSWITCH's answer to "console_complete sh" (switch_console.c):
	// the matches as "[%20s]\t", then the common prefix to write.
	body := "\n\n[                show]\t[            shutdown]\t\n\nwrite=2:sh"
	head, list, ok := applyConsoleComplete("sh", body)
	if !ok || head != "sh" || strings.Join(list, ",") != "show,shutdown" {
		t.Fatalf("got %q %q %v", head, list, ok)
	}
	// One match: the word is replaced and a space follows.
	head, list, ok = applyConsoleComplete("show chan", "\n\n[            channels]\t\n\nwrite=4:channels ")
	if !ok || head != "show channels " || len(list) != 1 {
		t.Fatalf("got %q %q %v", head, list, ok)
	}
	// Nothing matched: no change, fall back.
	if _, _, ok := applyConsoleComplete("zzz", "\n\n\n\n"); ok {
		t.Fatal("empty answer accepted")
	}
	// A write longer than the line is refused, not a panic.
	if _, _, ok := applyConsoleComplete("a", "\n\nwrite=9:abc"); ok {
		t.Fatal("bad write accepted")
	}
}

func TestCompleteLocal(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/ev", "/event "},
		{"/no", "/no"}, // /noevents, /nolog: listed
		{"/event channel_ans", "/event CHANNEL_ANSWER "},
		{"/event CHANNEL_HANGUP_C", "/event CHANNEL_HANGUP_COMPLETE "},
		{"/log wa", "/log WARNING "},
		{"/uuid abc", "/uuid abc"},
	}
	for _, c := range cases {
		got, _ := completeLocal(c.in)
		if got != c.want {
			t.Errorf("completeLocal(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	_, list := completeLocal("/no")
	if strings.Join(list, " ") != "/noevents /nolog" {
		t.Errorf("listing %q", list)
	}
	got, list := completeWord("uuid_h", commonAPICommands)
	if got != "uuid_hold " || list != nil {
		t.Errorf("completeWord = %q %q", got, list)
	}
	got, _ = completeWord("uuid_", commonAPICommands)
	if got != "uuid_" {
		t.Errorf("ambiguous prefix changed to %q", got)
	}
}
