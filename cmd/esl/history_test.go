package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHistoryPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "history")
	h := openHistory(path, 3)
	for _, l := range []string{"status", "status", "  ", "show channels", "version", "uptime"} {
		h.Add(l)
	}
	if h.Len() != 3 || h.At(0) != "uptime" || h.At(2) != "show channels" {
		t.Fatalf("in memory: len %d, newest %q", h.Len(), h.At(0))
	}
	// A new shell sees the last lines of the previous ones.
	h2 := openHistory(path, 3)
	if h2.Len() != 3 || h2.At(0) != "uptime" || h2.At(1) != "version" || h2.At(2) != "show channels" {
		b, _ := os.ReadFile(path)
		t.Fatalf("reloaded %d lines; file:\n%s", h2.Len(), b)
	}
	b, _ := os.ReadFile(path)
	if strings.Count(string(b), "status\n") != 1 {
		t.Fatalf("repeat recorded twice:\n%s", b)
	}
}

func TestHistoryPath(t *testing.T) {
	env := map[string]string{"HOME": "/home/op"}
	get := func(k string) string { return env[k] }
	if p := historyPath(get); p != "/home/op/.esl_history" {
		t.Fatal(p)
	}
	env["XDG_STATE_HOME"] = "/state"
	if p := historyPath(get); p != "/state/esl/history" {
		t.Fatal(p)
	}
	env["ESL_HISTORY"] = "/tmp/h"
	if p := historyPath(get); p != "/tmp/h" {
		t.Fatal(p)
	}
}
