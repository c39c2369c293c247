package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/eslkit/esl/fsim"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestClickToCall(t *testing.T) {
	clock := fsim.NewManualClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	sim := fsim.Run(t, fsim.Options{Clock: clock})
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		// The agent answers and parks (8888); the customer answers,
		// hears a 3 s tone and hangs up (9999).
		done <- run(context.Background(), pw, []string{"-addr", sim.Addr(), "-password", sim.Password(),
			"-from", "loopback/8888/default", "-to", "loopback/9999/default"})
		pw.Close()
	}()
	var out strings.Builder
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	wait := func(want string) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("output ended before %q:\n%s(run: %v)", want, out.String(), <-done)
				}
				out.WriteString(l + "\n")
				if strings.Contains(l, want) {
					return
				}
			case <-timeout:
				t.Fatalf("no line with %q:\n%s", want, out.String())
			}
		}
	}
	wait("calling loopback/8888/default")
	wait("agent answered")
	wait("connected to")
	sim.Advance(4 * time.Second) // the customer's tone ends
	wait("call ended: NORMAL_CLEARING")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
}

func TestClickToCallNeedsBothEnds(t *testing.T) {
	if err := run(context.Background(), io.Discard, []string{"-from", "user/1000"}); err == nil || !strings.Contains(err.Error(), "required") {
		t.Fatalf("err = %v", err)
	}
}
