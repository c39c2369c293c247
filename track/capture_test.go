package track

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/eslkit/esl"
)

// captureEvents decodes every event of a capture's server.bin, in arrival
// order, whatever its serialisation.
func captureEvents(tb testing.TB, scenario string) []*esl.Event {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "freeswitch", scenario, "server.bin"))
	if err != nil {
		tb.Fatal(err)
	}
	d := esl.NewDecoder(bytes.NewReader(raw))
	var out []*esl.Event
	for {
		fr, err := d.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			tb.Fatalf("%s: %v", scenario, err)
		}
		if fr.Event != nil {
			out = append(out, fr.Event)
		}
	}
}
