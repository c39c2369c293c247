package main

import (
	"context"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// liveScreen runs a full-screen view on a terminal: the alternate screen,
// redrawn in place when something changed (at most ten times a second) and
// once a second anyway (durations move), until ctx ends or the user types
// q or Ctrl-C.
type liveScreen struct {
	out   io.Writer
	in    *os.File // nil: no keyboard
	draw  func(width, height int) []string
	dirty <-chan struct{}
}

func (s *liveScreen) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if s.in != nil && term.IsTerminal(int(s.in.Fd())) {
		if old, err := term.MakeRaw(int(s.in.Fd())); err == nil {
			defer term.Restore(int(s.in.Fd()), old)
			// The reader stays blocked in Read after the view ends; the
			// process exits right after, so it is not worth a poller.
			go func() {
				buf := make([]byte, 16)
				for {
					n, err := s.in.Read(buf)
					if err != nil {
						cancel()
						return
					}
					for _, c := range buf[:n] {
						if c == 'q' || c == 'Q' || c == 3 || c == 4 {
							cancel()
							return
						}
					}
				}
			}()
		}
	}
	io.WriteString(s.out, "\x1b[?1049h\x1b[?25l")
	defer io.WriteString(s.out, "\x1b[?25h\x1b[?1049l")
	stopResize := watchResize(func() {})
	defer stopResize()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	limit := time.NewTicker(100 * time.Millisecond)
	defer limit.Stop()
	pending := true
	for {
		if pending {
			s.paint()
			pending = false
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			pending = true
		case <-s.dirty:
			// Coalesce bursts: wait for the next frame slot.
			select {
			case <-limit.C:
			case <-ctx.Done():
				return
			}
			pending = true
		}
	}
}

func (s *liveScreen) paint() {
	w, h := termSize(s.out)
	lines := s.draw(w, h)
	if len(lines) > h {
		lines = lines[:h]
	}
	var b strings.Builder
	b.WriteString("\x1b[H")
	for i, l := range lines {
		b.WriteString(l)
		b.WriteString("\x1b[K")
		if i < len(lines)-1 {
			b.WriteString("\r\n")
		}
	}
	b.WriteString("\x1b[J")
	io.WriteString(s.out, b.String())
}

// notify makes a 1-buffered signal channel and a function that marks it
// without ever blocking.
func notify() (chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	return ch, func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
