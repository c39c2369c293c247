package esl

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// instantJobServer answers every bgapi at once and fires its
// BACKGROUND_JOB right behind the reply, the way a fast job on a real
// FreeSWITCH can: only if the connection is subscribed at that moment.
func instantJobServer(srv net.Conn) {
	br := bufio.NewReader(srv)
	srv.Write([]byte("Content-Type: auth/request\n\n"))
	subscribed := false
	for {
		var lines []string
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\n" {
				break
			}
			lines = append(lines, strings.TrimSuffix(line, "\n"))
		}
		cmd := lines[0]
		switch {
		case strings.HasPrefix(cmd, "auth "):
			srv.Write([]byte("Content-Type: command/reply\nReply-Text: +OK accepted\n\n"))
		case strings.HasPrefix(cmd, "event ") && strings.Contains(cmd, "BACKGROUND_JOB"):
			subscribed = true
			srv.Write([]byte("Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n"))
		case strings.HasPrefix(cmd, "bgapi "):
			id := ""
			for _, h := range lines[1:] {
				if v, ok := strings.CutPrefix(h, "Job-UUID: "); ok {
					id = v
				}
			}
			out := []byte("Content-Type: command/reply\nReply-Text: +OK Job-UUID: " + id + "\nJob-UUID: " + id + "\n\n")
			if subscribed {
				ev := &wire.Event{Headers: wire.Headers{
					{Name: "Event-Name", Value: "BACKGROUND_JOB"},
					{Name: "Job-UUID", Value: id},
				}, Body: "job done"}
				out, _ = wire.AppendEventFrame(out, wire.TypeEventPlain, ev)
			}
			srv.Write(out)
		default:
			srv.Write([]byte("Content-Type: command/reply\nReply-Text: -ERR command not found\n\n"))
		}
	}
}

// Many first BgAPI calls at once on a fresh connection: one of them
// subscribes BACKGROUND_JOB on the client's behalf, and no other bgapi may
// reach FreeSWITCH before that subscription, or its result is never sent.
func TestBgAPIConcurrentFirstJobsAllComplete(t *testing.T) {
	round := func(i int) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := Dial(ctx, "pipe", WithDialer(pipeDialer(t, instantJobServer)))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j, err := c.BgAPI(ctx, "echo job")
				if err == nil {
					_, err = j.Wait(ctx)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		if n := len(errs); n > 0 {
			t.Fatalf("round %d: %d of 64 jobs never completed (first: %v)", i, n, <-errs)
		}
	}
	// The window is narrow (about one round in 500 lost a job before the
	// fix), so run many short rounds.
	for i := range 1000 {
		round(i)
	}
}
