package main

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSimServesDialplanFile(t *testing.T) {
	dir := t.TempDir()
	dp := filepath.Join(dir, "dp.txt")
	if err := os.WriteFile(dp, []byte("context default\nextension 4242\n  answer\n  park\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	var errb syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, &env{Stdout: out, Stderr: &errb, Getenv: func(string) string { return "" }},
			[]string{"sim", "--listen", addr, "--password", "pw", "--dialplan", dp})
	}()
	var nc net.Conn
	deadline := time.Now().Add(5 * time.Second)
	for {
		nc, err = net.Dial("tcp", addr)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("sim never listened: %v (stderr %q)", err, errb.String())
		}
		select {
		case code := <-done:
			t.Fatalf("sim exited %d: %s", code, errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	br := bufio.NewReader(nc)
	readBlock := func() string {
		var b strings.Builder
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if line == "\n" {
				return b.String()
			}
			b.WriteString(line)
		}
	}
	if h := readBlock(); h != "Content-Type: auth/request\n" {
		t.Fatalf("greeting %q", h)
	}
	nc.Write([]byte("auth pw\n\napi originate loopback/4242/default &park\n\n"))
	if h := readBlock(); !strings.Contains(h, "+OK accepted") {
		t.Fatalf("auth %q", h)
	}
	if h := readBlock(); !strings.Contains(h, "api/response") {
		t.Fatalf("originate %q", h)
	}
	body := make([]byte, 41)
	if _, err := br.Read(body); err != nil || !strings.HasPrefix(string(body), "+OK ") {
		t.Fatalf("originate body %q %v", body, err)
	}
	nc.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "fsim listening on "+addr) {
		t.Fatalf("stdout %q", out.String())
	}
}

func TestSimBadDialplan(t *testing.T) {
	dp := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(dp, []byte("  answer\n"), 0o600)
	var out, errb syncBuffer
	code := run(context.Background(), &env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }},
		[]string{"sim", "--listen", "127.0.0.1:0", "--dialplan", dp})
	if code != 1 || !strings.Contains(errb.String(), "line 1: application outside an extension") {
		t.Fatalf("code %d stderr %q", code, errb.String())
	}
}
