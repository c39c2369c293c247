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

func TestMonitorFollowsACall(t *testing.T) {
	sim := fsim.Run(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, pw, []string{"-addr", sim.Addr(), "-password", sim.Password()})
		pw.Close()
	}()
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	wait := func(want string) string {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("output ended before %q", want)
				}
				if strings.Contains(l, want) {
					return l
				}
			case <-timeout:
				t.Fatalf("no line with %q", want)
			}
		}
	}
	wait("monitoring " + sim.Addr())
	body := sim.API("originate loopback/8888/default &park()")
	uuid, ok := strings.CutPrefix(strings.TrimSpace(body), "+OK ")
	if !ok {
		t.Fatalf("originate: %q", body)
	}
	wait("+ " + uuid)
	wait("~ " + uuid + " CS_EXECUTE")
	sim.API("uuid_kill " + uuid)
	if l := wait("- " + uuid); !strings.Contains(l, "cause=NORMAL_CLEARING") {
		t.Fatalf("removal line %q", l)
	}
	cancel()
	if err := <-done; err != nil && err != context.Canceled {
		t.Fatal(err)
	}
	for range lines {
	}
}
