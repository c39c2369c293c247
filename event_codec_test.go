package esl

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func captureEvents(t testing.TB, scenario string) []*Event {
	t.Helper()
	var evs []*Event
	for _, f := range decodeAll(t, readCapture(t, scenario)) {
		if f.Event != nil {
			evs = append(evs, f.Event)
		}
	}
	return evs
}

var (
	uuidRE  = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	digitRE = regexp.MustCompile(`[0-9]+`)
)

// shape renders an event with what differs between two runs of the same
// call (UUIDs, times, counters, ports) masked, so that the same call
// captured in the three formats can be compared event by event.
func shape(e *Event) string {
	var b strings.Builder
	for h := range e.Headers() {
		v := strings.Join(h.Values(), "|")
		v = uuidRE.ReplaceAllString(v, "U")
		v = digitRE.ReplaceAllString(v, "9")
		fmt.Fprintf(&b, "%s=%q\n", h.Name, v)
	}
	body := uuidRE.ReplaceAllString(e.Body(), "U")
	fmt.Fprintf(&b, "body=%q\n", digitRE.ReplaceAllString(body, "9"))
	return b.String()
}

// racy names the headers whose values depend on thread timing inside
// FreeSWITCH (a leg may be early or answered when an event is built).
var racy = map[string]bool{
	"Answer-State": true, "Channel-Call-State": true, "Channel-State": true,
	"Channel-State-Number": true, "variable_endpoint_disposition": true,
}

// callShape is shape with racy values masked and the channel variables
// sorted: FreeSWITCH orders variables by when each was last set, which
// also races between runs.
func callShape(e *Event) string {
	lines := strings.Split(shape(e), "\n")
	var fixed, vars []string
	for _, l := range lines {
		name, _, _ := strings.Cut(l, "=")
		switch {
		case racy[name]:
			fixed = append(fixed, name+"=?")
		case strings.HasPrefix(name, "variable_"):
			vars = append(vars, l)
		default:
			fixed = append(fixed, l)
		}
	}
	slices.Sort(vars)
	return strings.Join(append(fixed, vars...), "\n")
}

// The same call (originate loopback/5555, bridged to 9999) captured as
// plain, json and xml decodes to the same events: same header names in the
// same order, same values once run-specific identifiers (UUIDs, numbers)
// and timing-dependent states are masked, same bodies. The three captures
// are distinct runs, so events are compared as multisets.
func TestSameCallThreeFormats(t *testing.T) {
	shapes := func(sc string) map[string]int {
		out := map[string]int{}
		for _, e := range captureEvents(t, sc) {
			switch e.Get("Event-Name") {
			case "HEARTBEAT", "RE_SCHEDULE": // periodic, not part of the call
				continue
			}
			out[callShape(e)]++
		}
		return out
	}
	// unmatched returns the events of a that b lacks.
	unmatched := func(a, b map[string]int) []string {
		var out []string
		for k, n := range a {
			for ; n > b[k]; n-- {
				out = append(out, k)
			}
		}
		return out
	}
	plain, js, xml := shapes("call-plain"), shapes("call-json"), shapes("call-xml")
	total := 0
	for _, n := range plain {
		total += n
	}
	if total != 93 {
		t.Fatalf("call-plain: %d call events, want 93", total)
	}
	if d := unmatched(js, xml); len(d) > 0 || len(unmatched(xml, js)) > 0 {
		t.Errorf("call-json and call-xml differ in %d events, first:\n%s", len(d), d[0])
	}
	// In the plain run the A leg's caller-ID flip (CALL_UPDATE) raced with
	// its answer, so up to two of its events carry other caller-ID headers;
	// everything else must match exactly.
	for _, d := range [][]string{unmatched(plain, js), unmatched(js, plain)} {
		if len(d) > 2 {
			t.Errorf("call-plain and call-json differ in %d events, first:\n%s", len(d), d[0])
		}
		for _, e := range d {
			if !strings.Contains(e, "\nChannel-Name=\"loopback/9-a\"\n") || !strings.Contains(e, "Caller-Callee-ID") && !strings.Contains(e, "cid_flipped") {
				t.Errorf("unexpected difference between call-plain and call-json:\n%s", e)
			}
		}
	}
}

// For every event in every capture, decoding, encoding in any of the three
// formats and decoding again gives back the same event; and encoding a
// plain event reproduces FreeSWITCH's bytes exactly.
func TestCaptureRoundTrip(t *testing.T) {
	n := 0
	for _, sc := range captureScenarios(t) {
		for _, f := range decodeAll(t, readCapture(t, sc)) {
			if f.Event == nil {
				continue
			}
			n++
			ev := f.Event
			for _, enc := range []struct {
				ct  string
				app func([]byte) []byte
			}{{ContentEventPlain, ev.AppendPlain}, {ContentEventJSON, ev.AppendJSON}, {ContentEventXML, ev.AppendXML}} {
				b := enc.app(nil)
				back, err := ParseEvent(enc.ct, b)
				if err != nil {
					t.Fatalf("%s@%d: re-decoding %s: %v\n%s", sc, f.Offset, enc.ct, err, b)
				}
				if !back.Equal(ev) {
					t.Fatalf("%s@%d: %s round trip changed the event:\n%s\n---\n%s", sc, f.Offset, enc.ct, shape(ev), shape(back))
				}
				if enc.ct == f.ContentType && !bytes.Equal(b, f.Body) {
					t.Fatalf("%s@%d: %s encoding differs from FreeSWITCH's bytes:\n%q\n%q", sc, f.Offset, enc.ct, f.Body, b)
				}
			}
		}
	}
	if n < 10000 {
		t.Fatalf("only %d events checked", n)
	}
}
