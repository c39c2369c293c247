package esl

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/eslkit/esl/internal/wire"
)

// Every BACKGROUND_JOB in the real captures (plain, json, xml) is seen as
// one by the reader's quick check, and the plain and json events that are
// not are told apart by their first header alone.
func TestMayBeBackgroundJobOnCaptures(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "freeswitch"))
	if err != nil {
		t.Fatal(err)
	}
	jobs, others := 0, 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		cp := loadCapture(t, d.Name())
		for _, f := range cp.frames {
			ct := frameType(f)
			if ct != wire.TypeEventPlain && ct != wire.TypeEventJSON && ct != wire.TypeEventXML {
				continue
			}
			body := f[bytes.Index(f, []byte("\n\n"))+2:]
			ev, err := ParseEvent(ct, body)
			if err != nil {
				t.Fatalf("%s: %v", d.Name(), err)
			}
			isJob := wire.EqualFold(ev.Get("Event-Name"), "BACKGROUND_JOB")
			got := mayBeBackgroundJob(ct, body)
			if isJob && !got {
				t.Fatalf("%s: a %s BACKGROUND_JOB was not recognised", d.Name(), ct)
			}
			if isJob {
				jobs++
			} else if !got {
				others++
			}
		}
	}
	if jobs == 0 || others == 0 {
		t.Fatalf("captures gave %d jobs and %d other events told apart", jobs, others)
	}
}

func TestMayBeBackgroundJob(t *testing.T) {
	for _, c := range []struct {
		ct, body string
		want     bool
	}{
		{ContentEventPlain, "Event-Name: BACKGROUND_JOB\nJob-UUID: x\n", true},
		{ContentEventPlain, "Event-Name: CHANNEL_STATE\nX: BACKGROUND_JOB\n", false},
		// Not first: any mention counts.
		{ContentEventPlain, "Core-UUID: y\nEvent-Name: BACKGROUND_JOB\n", true},
		{ContentEventPlain, "Core-UUID: y\nEvent-Name: CHANNEL_STATE\n", false},
		{ContentEventPlain, "Event-Name: BACKGROUND_JOB", true},
		{ContentEventJSON, `{"Event-Name":"BACKGROUND_JOB","Job-UUID":"x"}`, true},
		{ContentEventJSON, `{"Event-Name":"HEARTBEAT","X":"BACKGROUND_JOB"}`, false},
		{ContentEventJSON, `{"Core-UUID":"y","Event-Name":"BACKGROUND_JOB"}`, true},
		{ContentEventXML, "<event><headers><Event-Name>BACKGROUND_JOB</Event-Name>", true},
		{ContentEventXML, "<event><headers><Event-Name>HEARTBEAT</Event-Name>", false},
	} {
		if got := mayBeBackgroundJob(c.ct, []byte(c.body)); got != c.want {
			t.Errorf("%s %q: %v, want %v", c.ct, c.body, got, c.want)
		}
	}
}
