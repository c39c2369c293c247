package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// built is the esl binary the terminal tests run, built once per test
// process; TestMain removes its directory.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// buildESL builds the esl binary (once) into a temporary directory, for
// tests that run it the way an operator does (in a terminal).
func buildESL(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "esltest"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "esl")
		cmd := exec.Command("go", "build", "-o", built.bin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// removeBuilt removes the binary buildESL made, if any.
func removeBuilt() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// eslInTmux runs the esl binary with args in a new tmux session, with env
// added to its environment. It skips the test in -short mode (it builds
// the binary) and where tmux is missing.
func eslInTmux(t *testing.T, env []string, args ...string) *tmuxSession {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and drives tmux")
	}
	needTmux(t)
	return startTmux(t, env, append([]string{buildESL(t)}, args...)...)
}

// needTmux skips the test when tmux is not installed.
func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (scripts/test.sh installs it)")
	}
}

// tmuxSession is one detached tmux session running a command in a real
// terminal of a fixed size.
type tmuxSession struct {
	t      *testing.T
	socket string
	name   string
}

// startTmux runs argv in a new detached 120x40 tmux session on a private
// server socket, with env added to the environment. It skips the test when
// tmux is not installed.
func startTmux(t *testing.T, env []string, argv ...string) *tmuxSession {
	t.Helper()
	needTmux(t)
	s := &tmuxSession{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock"), name: "esltest"}
	var shell strings.Builder
	for _, kv := range env {
		shell.WriteString("export " + shellQuote(kv) + "; ")
	}
	for i, a := range argv {
		if i > 0 {
			shell.WriteByte(' ')
		}
		shell.WriteString(shellQuote(a))
	}
	// Keep the pane after the program exits so its last screen and exit
	// status can be read.
	shell.WriteString("; echo \"[exit $?]\"; sleep 600")
	s.tmux("-f", "/dev/null", "new-session", "-d", "-s", s.name, "-x", "120", "-y", "40", "bash", "--norc", "--noprofile", "-c", shell.String())
	t.Cleanup(func() { exec.Command("tmux", "-S", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

// keys sends keys as tmux send-keys understands them ("Enter", "Tab", "C-c",
// or literal text with -l).
func (s *tmuxSession) keys(keys ...string) {
	s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...)
}

// text types literal text.
func (s *tmuxSession) text(txt string) { s.tmux("send-keys", "-t", s.name, "-l", txt) }

// screen returns what the terminal shows now.
func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", s.name) }

// history returns the screen and what scrolled off it.
func (s *tmuxSession) history() string {
	return s.tmux("capture-pane", "-p", "-S", "-2000", "-t", s.name)
}

// waitFor polls the screen until ok says yes, failing the test with the
// last screen after the deadline. Polling is how a terminal is watched.
func (s *tmuxSession) waitFor(what string, d time.Duration, ok func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	var scr string
	for {
		scr = s.screen()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s: screen after %v:\n%s", what, d, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitText waits until the screen contains every string.
func (s *tmuxSession) waitText(d time.Duration, want ...string) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q", want), d, func(scr string) bool {
		for _, w := range want {
			if !strings.Contains(scr, w) {
				return false
			}
		}
		return true
	})
}

// lastLine is the last line of a screen with text on it: in a shell, the
// line being edited.
func lastLine(scr string) string {
	lines := strings.Split(strings.TrimRight(scr, "\n "), "\n")
	return strings.TrimRight(lines[len(lines)-1], " ")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
