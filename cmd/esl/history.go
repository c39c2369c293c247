package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// historyPath is where shell history is kept across runs: $ESL_HISTORY,
// else $XDG_STATE_HOME/esl/history, else ~/.esl_history.
func historyPath(getenv func(string) string) string {
	if p := getenv("ESL_HISTORY"); p != "" {
		return p
	}
	if x := getenv("XDG_STATE_HOME"); x != "" {
		return filepath.Join(x, "esl", "history")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".esl_history")
	}
	return ""
}

// fileHistory is the line editor's history, loaded from a file and
// appended to it line by line, so a crash loses nothing and two shells do
// not overwrite each other.
type fileHistory struct {
	path  string
	max   int
	lines []string // oldest first
}

// openHistory loads up to max lines of history from path. A missing or
// unreadable file gives an empty history: losing history must not stop
// the shell.
func openHistory(path string, max int) *fileHistory {
	h := &fileHistory{path: path, max: max}
	if path == "" {
		return h
	}
	f, err := os.Open(path)
	if err != nil {
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			h.lines = append(h.lines, l)
		}
	}
	if len(h.lines) > max {
		h.lines = h.lines[len(h.lines)-max:]
	}
	return h
}

// Add records a line (the line editor calls it for every line entered).
// A repeat of the previous line is not recorded twice.
func (h *fileHistory) Add(line string) {
	if line = strings.TrimSpace(line); line == "" {
		return
	}
	if n := len(h.lines); n > 0 && h.lines[n-1] == line {
		return
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > h.max {
		h.lines = h.lines[1:]
	}
	if h.path == "" {
		return
	}
	// History is a convenience: failing to save it must not disturb the
	// shell, so errors are ignored.
	_ = os.MkdirAll(filepath.Dir(h.path), 0o700)
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	f.WriteString(line + "\n")
	f.Close()
}

// Len is the number of lines kept.
func (h *fileHistory) Len() int { return len(h.lines) }

// At returns the idx-th most recent line (0 is the newest).
func (h *fileHistory) At(idx int) string { return h.lines[len(h.lines)-1-idx] }
