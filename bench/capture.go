package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// Capture is one recorded server→client stream and what it holds.
type Capture struct {
	Name   string
	Format string // "plain" or "json"
	Stream []byte // server.bin, byte for byte
	// Events is every event frame of Stream, concatenated in order: what a
	// replaying sender writes after the subscription reply.
	Events []byte
	// Names counts the events by Event-Name.
	Names map[string]int
	// Count is the number of event frames.
	Count int
}

// captureDir is where the captures live relative to this package.
var captureDir = filepath.Join("..", "testdata", "freeswitch")

var (
	capMu    sync.Mutex
	capCache = map[string]*Capture{}
)

// LoadCapture reads testdata/freeswitch/<name>/server.bin and indexes its
// event frames. format is the capture's event format ("plain" or "json").
func LoadCapture(name, format string) (*Capture, error) {
	capMu.Lock()
	defer capMu.Unlock()
	if c, ok := capCache[name]; ok {
		return c, nil
	}
	b, err := os.ReadFile(filepath.Join(captureDir, name, "server.bin"))
	if err != nil {
		return nil, err
	}
	c := &Capture{Name: name, Format: format, Stream: b, Names: map[string]int{}}
	err = splitFrames(b, func(hdr, body []byte) error {
		ct := headerValue(hdr, "Content-Type")
		if !bytes.HasPrefix(ct, []byte("text/event-")) {
			return nil
		}
		c.Count++
		c.Names[eventName(format, body)]++
		return nil
	}, func(frame []byte, isEvent bool) {
		if isEvent {
			c.Events = append(c.Events, frame...)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	capCache[name] = c
	return c, nil
}

// splitFrames walks an ESL byte stream frame by frame. It is deliberately
// independent of every library under test: it only finds header blocks and
// Content-Length bodies. raw receives each whole frame's bytes.
func splitFrames(b []byte, fn func(hdr, body []byte) error, raw func(frame []byte, isEvent bool)) error {
	for len(b) > 0 {
		end := bytes.Index(b, []byte("\n\n"))
		if end < 0 {
			return errors.New("truncated header block")
		}
		hdr := b[:end+1]
		n := 0
		if cl := headerValue(hdr, "Content-Length"); cl != nil {
			var err error
			if n, err = strconv.Atoi(string(cl)); err != nil || n < 0 {
				return fmt.Errorf("bad Content-Length %q", cl)
			}
		}
		total := end + 2 + n
		if total > len(b) {
			return errors.New("truncated body")
		}
		body := b[end+2 : total]
		if err := fn(hdr, body); err != nil {
			return err
		}
		if raw != nil {
			raw(b[:total], bytes.HasPrefix(headerValue(hdr, "Content-Type"), []byte("text/event-")))
		}
		b = b[total:]
	}
	return nil
}

// headerValue returns the value of the first "name: value" line of a
// header block (exact case), or nil.
func headerValue(block []byte, name string) []byte {
	for len(block) > 0 {
		i := bytes.IndexByte(block, '\n')
		line := block
		if i >= 0 {
			line, block = block[:i], block[i+1:]
		} else {
			block = nil
		}
		if len(line) > len(name)+1 && string(line[:len(name)]) == name && line[len(name)] == ':' {
			return bytes.TrimSpace(line[len(name)+1:])
		}
	}
	return nil
}

// eventName finds Event-Name in an event body without decoding the rest.
func eventName(format string, body []byte) string {
	if format == "json" {
		const key = `"Event-Name":"`
		i := bytes.Index(body, []byte(key))
		if i < 0 {
			return ""
		}
		rest := body[i+len(key):]
		j := bytes.IndexByte(rest, '"')
		if j < 0 {
			return ""
		}
		return string(rest[:j])
	}
	return string(headerValue(body, "Event-Name"))
}
