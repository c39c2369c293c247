package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eslkit/esl/fsim"
)

// TestShellInTerminal drives the interactive shell in a real terminal
// (tmux) against fsim: commands, tab completion, events as they arrive,
// bgapi results, coloured logs, and history kept across runs.
func TestShellInTerminal(t *testing.T) {
	sim := fsim.Run(t)
	hist := filepath.Join(t.TempDir(), "history")
	env := []string{"ESL_HISTORY=" + hist, "ESL_CONFIG=/nonexistent", "HOME=" + t.TempDir()}
	tm := eslInTmux(t, env, append(connArgs(t, sim), "-q")...)
	tm.waitText(10*time.Second, "connected to", "esl@")

	tm.text("version")
	tm.keys("Enter")
	tm.waitText(5*time.Second, strings.TrimSpace(sim.API("version")))

	// Tab completes the shell's own commands and event names.
	tm.text("/ev")
	tm.keys("Tab")
	tm.waitText(5*time.Second, "> /event")
	tm.text("channel_cre")
	tm.keys("Tab")
	tm.waitText(5*time.Second, "/event CHANNEL_CREATE")
	tm.keys("Enter")
	tm.waitText(5*time.Second, "+OK event listener enabled")

	// Other words complete through FreeSWITCH's console_complete, scripted
	// here with the answers FreeSWITCH gives (switch_console.c).
	var asked []string
	var askedMu sync.Mutex
	sim.HandleAPI("console_complete", func(args string) string {
		askedMu.Lock()
		asked = append(asked, args)
		askedMu.Unlock()
		switch args {
		case "uuid_ki":
			return "\n\n[           uuid_kill]\t\n\nwrite=7:uuid_kill "
		case "show ch":
			return "\n\n[            channels]\t[                chat]\t\n\nwrite=2:ch"
		}
		return "\n\n\n\n"
	})
	tm.text("uuid_ki")
	tm.keys("Tab")
	tm.waitText(5*time.Second, "> uuid_kill")
	tm.keys("C-u")
	tm.text("show ch")
	tm.keys("Tab")
	tm.waitText(5*time.Second, "channels  chat")
	tm.keys("C-u")
	// Without an answer from the server, common commands complete locally.
	// ("> version" is already on the screen from the first command, so
	// wait for the line being edited.)
	tm.text("vers")
	tm.keys("Tab")
	tm.waitFor("vers completed to version", 5*time.Second, func(scr string) bool {
		return strings.HasSuffix(lastLine(scr), "> version")
	})
	tm.keys("C-u")
	askedMu.Lock()
	if strings.Join(asked, "|") != "uuid_ki|show ch|vers" {
		t.Errorf("console_complete asked %q", asked)
	}
	askedMu.Unlock()

	// Events are printed as they arrive, while the prompt stays usable.
	uuid := placeCall(t, sim, "loopback/8888/default")
	tm.waitFor("the CHANNEL_CREATE event", 5*time.Second, func(string) bool {
		return strings.Contains(tm.history(), "CHANNEL_CREATE "+uuid)
	})

	// bgapi: the Job-UUID at once, the result when it arrives.
	tm.text("bgapi echo result-of-job")
	tm.keys("Enter")
	tm.waitText(5*time.Second, "+OK Job-UUID:", "result-of-job")

	// Log lines are coloured by level (fs_cli's colours).
	tm.text("/log debug")
	tm.keys("Enter")
	tm.waitText(5*time.Second, "+OK log level DEBUG [7]")
	sim.API("uuid_kill " + uuid)
	tm.waitFor("a coloured log line", 5*time.Second, func(string) bool {
		scr := tm.tmux("capture-pane", "-p", "-e", "-t", tm.name)
		return strings.Contains(scr, "\x1b[33m") || strings.Contains(scr, "\x1b[32m") || strings.Contains(scr, "\x1b[36m")
	})

	tm.text("/exit")
	tm.keys("Enter")
	tm.waitText(5*time.Second, "[exit 0]")
	b, err := os.ReadFile(hist)
	if err != nil || !strings.Contains(string(b), "bgapi echo result-of-job\n") {
		t.Fatalf("history file: %q %v", b, err)
	}

	// A new shell recalls the last command with the up arrow.
	tm2 := eslInTmux(t, env, append(connArgs(t, sim), "-q")...)
	tm2.waitText(10*time.Second, "esl@")
	tm2.keys("Up")
	tm2.waitText(5*time.Second, "esl@127.0.0.1> /exit")
	tm2.keys("Up")
	tm2.waitText(5*time.Second, "esl@127.0.0.1> /log debug")
	tm2.keys("C-u")
	tm2.text("/quit")
	tm2.keys("Enter")
	tm2.waitText(5*time.Second, "[exit 0]")
}

// TestChannelsLiveView runs `esl channels` full-screen in tmux and
// watches calls come and go.
func TestChannelsLiveView(t *testing.T) {
	sim := fsim.Run(t)
	tm := eslInTmux(t, []string{"ESL_CONFIG=/nonexistent"}, append([]string{"channels"}, connArgs(t, sim)...)...)
	tm.waitText(10*time.Second, "esl channels", "channels 0")

	uuid := placeCall(t, sim, "loopback/8888/default")
	scr := tm.waitText(5*time.Second, "channels 2", uuid[:8], "park", "PARK")
	if strings.Count(scr, "esl channels") != 1 {
		t.Fatalf("the view scrolled instead of redrawing in place:\n%s", scr)
	}
	sim.API("uuid_hold " + uuid)
	tm.waitText(5*time.Second, "HOLD")
	sim.API("uuid_hold toggle " + uuid)
	tm.waitFor("the hold to end", 5*time.Second, func(scr string) bool { return !strings.Contains(scr, "HOLD") })

	// Bridge it to a second parked call: the calls section shows one row
	// with both legs, below the channel table.
	other := placeCall(t, sim, "loopback/8888/default")
	tm.waitText(5*time.Second, "channels 4", other[:8])
	if body := sim.API("uuid_bridge " + uuid + " " + other); !strings.HasPrefix(body, "+OK") {
		t.Fatalf("uuid_bridge: %q", body)
	}
	scr = tm.waitText(5*time.Second, "bridged calls 1", "A-LEG", uuid[:8]+" "+other[:8], "BRIDGED")
	if strings.Index(scr, "A-LEG") < strings.Index(scr, "↔"+uuid[:8]) {
		t.Fatalf("calls section not below the channel table:\n%s", scr)
	}
	sim.API("uuid_kill " + uuid)
	if scr := tm.waitText(5*time.Second, "channels 0"); strings.Contains(scr, "A-LEG") {
		t.Fatalf("calls section outlived its legs:\n%s", scr)
	}
	tm.keys("q")
	tm.waitText(5*time.Second, "[exit 0]")
}

// TestEventsTextOnTerminal: on a terminal, events stream as readable text
// (a summary line per event), not JSON.
func TestEventsTextOnTerminal(t *testing.T) {
	sim := fsim.Run(t)
	tm := eslInTmux(t, []string{"ESL_CONFIG=/nonexistent"}, append(append([]string{"events"}, connArgs(t, sim)...), "CHANNEL_ANSWER")...)
	tm.waitText(10*time.Second, "listening for CHANNEL_ANSWER")
	uuid := placeCall(t, sim, "loopback/8888/default")
	tm.waitFor("the answer", 5*time.Second, func(string) bool {
		return strings.Contains(tm.history(), "CHANNEL_ANSWER "+uuid)
	})
	if strings.Contains(tm.history(), `{"Event-Name"`) {
		t.Fatal("JSON on a terminal")
	}
	tm.keys("C-c")
	tm.waitText(5*time.Second, "[exit 0]")
	sim.API("hupall")
}

// TestDemoLiveView runs `esl demo` on a terminal: the live view shows the
// rate line and calls, and q ends it with a one-line tally.
func TestDemoLiveView(t *testing.T) {
	tm := eslInTmux(t, nil, "demo")
	tm.waitText(15*time.Second, "esl demo", "events/s", "ivr sessions", "CS_EXECUTE"[3:], "PARK")
	tm.keys("q")
	scr := tm.waitText(15*time.Second, "[exit 0]")
	if !strings.Contains(scr, "demo: ") || !strings.Contains(scr, "0 failed") {
		t.Fatalf("no tally after the view:\n%s", scr)
	}
}
