package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eslkit/esl/fsim"
)

// syncBuffer is a bytes.Buffer safe to read while a subcommand writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCLI runs the esl command in-process with args, as from a script (no
// terminal), and returns its exit status and output.
func runCLI(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errb syncBuffer
	code := run(ctx, &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: noEnv}, args)
	return code, out.String(), errb.String()
}

// noEnv is an empty environment: no config file, no $ESL_PASSWORD.
func noEnv(k string) string {
	if k == "ESL_CONFIG" {
		return "/nonexistent/esl.conf"
	}
	return ""
}

func hostPort(t *testing.T, addr string) (string, string) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return h, p
}

// placeCall originates a call to dest (loopback/8888/default) in sim with
// its A leg parked, and returns the A leg's uuid.
func placeCall(t *testing.T, sim *fsim.Sim, dest string) string {
	t.Helper()
	body := sim.API("originate " + dest + " &park()")
	uuid, ok := strings.CutPrefix(strings.TrimSpace(body), "+OK ")
	if !ok {
		t.Fatalf("originate %s: %q", dest, body)
	}
	return uuid
}

// connArgs are the flags that reach sim.
func connArgs(t *testing.T, sim *fsim.Sim) []string {
	h, p := hostPort(t, sim.Addr())
	return []string{"-H", h, "-P", p, "-p", sim.Password()}
}

// checkOneLine asserts an error output is one clear line: no stack, no
// password.
func checkOneLine(t *testing.T, stderr string, password string, want ...string) {
	t.Helper()
	s := strings.TrimRight(stderr, "\n")
	if strings.Count(s, "\n") != 0 || s == "" {
		t.Errorf("stderr is not one line: %q", stderr)
	}
	for _, bad := range []string{"goroutine ", "panic", ".go:"} {
		if strings.Contains(s, bad) {
			t.Errorf("stderr has %q: %q", bad, s)
		}
	}
	if password != "" && strings.Contains(s, password) {
		t.Errorf("stderr shows the password: %q", s)
	}
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("stderr %q lacks %q", s, w)
		}
	}
}

func TestExecRunsOneCommand(t *testing.T) {
	sim := fsim.Run(t)
	ctx := context.Background()
	code, out, errs := runCLI(t, ctx, append(connArgs(t, sim), "-x", "version")...)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if want := strings.TrimRight(sim.API("version"), "\n") + "\n"; out != want {
		t.Fatalf("stdout %q, want %q", out, want)
	}
	// fs_cli's habit: flags after the command word work too.
	code, out, _ = runCLI(t, ctx, append([]string{"shell"}, append(connArgs(t, sim), "-x", "echo hello  world")...)...)
	if code != 0 || out != "hello  world\n" {
		t.Fatalf("echo: exit %d, %q", code, out)
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func TestExecErrExitsOne(t *testing.T) {
	sim := fsim.Run(t)
	code, out, errs := runCLI(t, context.Background(), append(connArgs(t, sim), "-x", "no_such_command")...)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (stdout %q stderr %q)", code, out, errs)
	}
	if !strings.HasPrefix(out, "-ERR") {
		t.Fatalf("stdout %q: want FreeSWITCH's -ERR reply", out)
	}
}

func TestConnectionErrorsAreOneLine(t *testing.T) {
	sim := fsim.Run(t)
	ctx := context.Background()
	h, p := hostPort(t, sim.Addr())

	t.Run("wrong password", func(t *testing.T) {
		code, _, errs := runCLI(t, ctx, "-H", h, "-P", p, "-p", "Sesame-0xDEAD", "-x", "status")
		if code == 0 {
			t.Fatal("exit 0")
		}
		checkOneLine(t, errs, "Sesame-0xDEAD", "authentication failed")
	})
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, port := hostPort(t, ln.Addr().String())
		ln.Close()
		code, _, errs := runCLI(t, ctx, "-P", port, "-p", "pw-secret", "-x", "status")
		if code == 0 {
			t.Fatal("exit 0")
		}
		checkOneLine(t, errs, "pw-secret", "refused")
	})
	t.Run("timeout", func(t *testing.T) {
		// A peer that accepts and says nothing.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		var conns []net.Conn
		var mu sync.Mutex
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		}()
		_, port := hostPort(t, ln.Addr().String())
		code, _, errs := runCLI(t, ctx, "-P", port, "-T", "200", "-x", "status")
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		if code == 0 {
			t.Fatal("exit 0")
		}
		checkOneLine(t, errs, "", "timed out")
	})
	t.Run("bad flag", func(t *testing.T) {
		code, _, _ := runCLI(t, ctx, "-P", "0", "-x", "status")
		if code != 2 {
			t.Fatalf("exit %d, want 2 for a bad port", code)
		}
	})
}

func TestPasswordFromEnvironment(t *testing.T) {
	sim := fsim.Run(t)
	h, p := hostPort(t, sim.Addr())
	var out, errb syncBuffer
	getenv := func(k string) string {
		switch k {
		case "ESL_PASSWORD":
			return sim.Password()
		case "ESL_CONFIG":
			return "/nonexistent"
		}
		return ""
	}
	code := run(context.Background(), &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: getenv}, []string{"-H", h, "-P", p, "-x", "echo ok"})
	if code != 0 || out.String() != "ok\n" {
		t.Fatalf("exit %d out %q err %q", code, out.String(), errb.String())
	}
}

// lineReader collects a subcommand's stdout line by line through a pipe.
type lineReader struct {
	lines chan string
}

func newLineReader(r io.Reader) *lineReader {
	lr := &lineReader{lines: make(chan string, 4096)}
	go func() {
		defer close(lr.lines)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			lr.lines <- sc.Text()
		}
	}()
	return lr
}

func TestEventsJSONLinesMatchCalls(t *testing.T) {
	sim := fsim.Run(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	stderrR, stderrW := io.Pipe()
	out := newLineReader(pr)
	errs := newLineReader(stderrR)
	done := make(chan int, 1)
	go func() {
		code := run(ctx, &env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: stderrW, Getenv: noEnv},
			append([]string{"events"}, append(connArgs(t, sim), "CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP_COMPLETE")...))
		pw.Close()
		stderrW.Close()
		done <- code
	}()
	// The command says on stderr when it is listening, like tcpdump.
	select {
	case l := <-errs.lines:
		if !strings.Contains(l, "listening") {
			t.Fatalf("stderr: %q", l)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("events did not start listening")
	}
	placed := map[string]bool{}
	for range 3 {
		uuid := placeCall(t, sim, "loopback/9999/default")
		placed[uuid] = true
	}
	seen := map[string]map[string]bool{}
	complete := 0
	deadline := time.After(20 * time.Second)
	for complete < len(placed) {
		select {
		case l, ok := <-out.lines:
			if !ok {
				t.Fatal("stdout ended early")
			}
			var ev map[string]any
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatalf("not a JSON line: %q: %v", l, err)
			}
			name, _ := ev["Event-Name"].(string)
			switch name {
			case "CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP_COMPLETE":
			default:
				t.Fatalf("event %q was not asked for", name)
			}
			uuid, _ := ev["Unique-ID"].(string)
			if !placed[uuid] {
				continue // the loopback B legs
			}
			if seen[uuid] == nil {
				seen[uuid] = map[string]bool{}
			}
			seen[uuid][name] = true
			if name == "CHANNEL_HANGUP_COMPLETE" {
				complete++
			}
		case <-deadline:
			t.Fatalf("saw %v of %v", seen, placed)
		}
	}
	for uuid := range placed {
		for _, n := range []string{"CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP_COMPLETE"} {
			if !seen[uuid][n] {
				t.Errorf("%s: no %s", uuid, n)
			}
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d after interrupt", code)
	}
	for range out.lines {
	}
	for range errs.lines {
	}
}

func TestChannelsOnceJSON(t *testing.T) {
	sim := fsim.Run(t)
	var uuids []string
	for range 2 {
		uuid := placeCall(t, sim, "loopback/8888/default")
		uuids = append(uuids, uuid)
	}
	// originate returns when the call is answered; the A legs start
	// park a moment later.
	sim.Settle()
	code, out, errs := runCLI(t, context.Background(), append([]string{"channels", "--once", "--json"}, connArgs(t, sim)...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var snap channelsJSON
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// Each originate makes two loopback legs; ours are the A legs parked
	// by &park().
	if snap.Total != 4 || len(snap.Channels) != 4 {
		t.Fatalf("total %d: %s", snap.Total, out)
	}
	byUUID := map[string]channelRow{}
	for _, c := range snap.Channels {
		byUUID[c.UUID] = c
	}
	for _, u := range uuids {
		c, ok := byUUID[u]
		if !ok {
			t.Fatalf("%s missing: %s", u, out)
		}
		if c.State != "CS_EXECUTE" || c.Application != "park" {
			t.Errorf("%s: state %s app %q", u, c.State, c.Application)
		}
	}
	sim.API("hupall")
}

func TestShellBatch(t *testing.T) {
	sim := fsim.Run(t)
	script := strings.Join([]string{
		"version",
		"/event channel_create",
		"/event NO_SUCH_EVENT",
		"/log warning",
		"/nolog",
		"/uuid 1234",
		"/uuid",
		"bgapi echo from-the-background",
		"no_such_command",
		"/bogus",
		// After the bgapi: a filter makes the client add and delete a
		// Job-UUID filter around each job, see TestShellBgAPIWithFilter.
		"/filter Event-Name CHANNEL_CREATE",
		"/exit",
		"echo never-run",
	}, "\n") + "\n"
	var out, errb syncBuffer
	code := run(context.Background(), &env{Stdin: strings.NewReader(script), Stdout: &out, Stderr: &errb, Getenv: noEnv},
		append(connArgs(t, sim), "-q"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	got := out.String()
	for _, want := range []string{
		strings.TrimSpace(sim.API("version")),
		"+OK event listener enabled",
		`-ERR unknown event name "NO_SUCH_EVENT"`,
		"+OK filter added",
		"+OK log level WARNING [4]",
		"+OK no longer logging",
		"+OK showing only 1234",
		"+OK showing every call",
		"+OK Job-UUID: ",
		"from-the-background",
		"-ERR no_such_command Command not found!",
		"-ERR unknown shell command /bogus",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "never-run") {
		t.Errorf("ran a command after /exit:\n%s", got)
	}
	if strings.Index(got, "+OK Job-UUID") > strings.Index(got, "from-the-background") {
		t.Errorf("bgapi result before its Job-UUID:\n%s", got)
	}
}

// waitLine reads lines until one contains want.
func waitLine(t *testing.T, lr *lineReader, want string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lr.lines:
			if !ok {
				t.Fatalf("stream ended before %q", want)
			}
			if strings.Contains(l, want) {
				return l
			}
		case <-timeout:
			t.Fatalf("no line with %q", want)
		}
	}
}

func TestEventsSurviveReconnect(t *testing.T) {
	sim := fsim.Run(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	er, ew := io.Pipe()
	out, errs := newLineReader(pr), newLineReader(er)
	done := make(chan int, 1)
	go func() {
		code := run(ctx, &env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: ew, Getenv: noEnv},
			append([]string{"events", "-R", "--format", "json"}, append(connArgs(t, sim), "CUSTOM", "esltest::ping")...))
		pw.Close()
		ew.Close()
		done <- code
	}()
	waitLine(t, errs, "listening for CUSTOM esltest::ping")
	sim.InjectEvent("CUSTOM", "esltest::ping", []fsim.Header{{Name: "X-Round", Value: "one"}}, "")
	waitLine(t, out, `"X-Round":"one"`)

	sim.InjectFault(fsim.FaultDrop)
	waitLine(t, errs, "connection lost")
	waitLine(t, errs, "reconnected")
	sim.InjectEvent("CUSTOM", "esltest::ping", []fsim.Header{{Name: "X-Round", Value: "two"}}, "")
	waitLine(t, out, `"X-Round":"two"`)

	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	for range out.lines {
	}
	for range errs.lines {
	}
}

func TestUserAuth(t *testing.T) {
	sim := fsim.Run(t, fsim.Options{Users: map[string]fsim.User{"ops@lab": {Password: "ops-pw", AllowedAPI: "version"}}})
	h, p := hostPort(t, sim.Addr())
	ctx := context.Background()
	code, out, errs := runCLI(t, ctx, "-H", h, "-P", p, "-u", "ops@lab", "-p", "ops-pw", "-x", "version")
	if code != 0 || out != sim.API("version") && out != strings.TrimRight(sim.API("version"), "\n")+"\n" {
		t.Fatalf("exit %d out %q err %q", code, out, errs)
	}
	// The directory allows only version: FreeSWITCH refuses the rest.
	code, out, _ = runCLI(t, ctx, "-H", h, "-P", p, "-u", "ops@lab", "-p", "ops-pw", "-x", "status")
	if code != 1 || !strings.Contains(out, "permission denied") {
		t.Fatalf("status: exit %d out %q", code, out)
	}
	code, _, errs = runCLI(t, ctx, "-H", h, "-P", p, "-u", "ops@lab", "-p", "not-it", "-x", "version")
	if code != 1 {
		t.Fatalf("wrong password: exit %d", code)
	}
	checkOneLine(t, errs, "not-it", "authentication failed", "ops@lab")
}

func TestRetryUntilFreeSWITCHIsUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port := hostPort(t, addr)
	er, ew := io.Pipe()
	errs := newLineReader(er)
	var out syncBuffer
	done := make(chan int, 1)
	go func() {
		code := run(context.Background(), &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: ew, Getenv: noEnv},
			[]string{"-r", "-P", port, "-x", "version"})
		ew.Close()
		done <- code
	}()
	waitLine(t, errs, "retrying")
	sim := fsim.Run(t, fsim.Options{Addr: addr})
	if code := <-done; code != 0 || out.String() != strings.TrimRight(sim.API("version"), "\n")+"\n" {
		t.Fatalf("exit %d out %q", code, out.String())
	}
	for range errs.lines {
	}
}

// TestShellBgAPIWithFilter runs bgapi while a filter is set, then more
// commands. The client then writes "filter delete Job-UUID …" from its
// reader while the shell's next command is queued: a regression test for
// conn.writeLoop, whose double buffer once aliased on an empty wake-up so
// that command bytes were overwritten on the wire.
func TestShellBgAPIWithFilter(t *testing.T) {
	sim := fsim.Run(t)
	var script strings.Builder
	script.WriteString("/filter Event-Name CHANNEL_CREATE\n")
	for i := range 20 {
		fmt.Fprintf(&script, "bgapi echo job-%d\necho now-%d\n", i, i)
	}
	var out, errb syncBuffer
	code := run(context.Background(), &env{Stdin: strings.NewReader(script.String()), Stdout: &out, Stderr: &errb, Getenv: noEnv},
		append(connArgs(t, sim), "-q"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for i := range 20 {
		for _, want := range []string{fmt.Sprintf("job-%d\n", i), fmt.Sprintf("now-%d\n", i)} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q", want)
			}
		}
	}
}

func TestExecTimeout(t *testing.T) {
	sim := fsim.Run(t)
	release := make(chan struct{})
	sim.HandleAPI("slow_command", func(string) string {
		<-release
		return "+OK late\n"
	})
	defer close(release)
	code, out, errs := runCLI(t, context.Background(), append(connArgs(t, sim), "-t", "200", "-x", "slow_command")...)
	if code != 1 || out != "" {
		t.Fatalf("exit %d out %q", code, out)
	}
	checkOneLine(t, errs, sim.Password(), "no reply within 200ms")
}
