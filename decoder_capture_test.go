package esl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// readCapture returns the bytes FreeSWITCH sent in a capture scenario.
func readCapture(t testing.TB, scenario string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "freeswitch", scenario, "server.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func captureScenarios(t testing.TB) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join("testdata", "freeswitch"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// capturedFrame is a frame copied out of a Decoder.
type capturedFrame struct {
	Offset      int64
	ContentType string
	Headers     []Header
	Body        []byte
	Event       *Event
}

// decodeAll decodes a whole stream and fails the test on any error.
func decodeAll(t testing.TB, stream []byte) []capturedFrame {
	t.Helper()
	d := NewDecoder(bytes.NewReader(stream))
	var out []capturedFrame
	for {
		f, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("frame %d: %v", len(out), err)
		}
		out = append(out, capturedFrame{f.Offset, f.ContentType, append([]Header(nil), f.Headers...), bytes.Clone(f.Body), f.Event})
	}
	if d.Offset() != int64(len(stream)) {
		t.Fatalf("consumed %d of %d bytes", d.Offset(), len(stream))
	}
	return out
}
