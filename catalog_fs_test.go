package esl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/eslkit/esl/internal/wire"
)

// The catalogue checked against FreeSWITCH itself: the tables of the
// protocol reference (an extract lives in catalog/testdata) and every
// header of the real captures under testdata/freeswitch.

// docTable returns the rows of the markdown table under the heading that
// starts with title, as cells with the backticks removed.
func docTable(t *testing.T, doc, title string) [][]string {
	t.Helper()
	i := strings.Index(doc, "\n"+title)
	if i < 0 {
		t.Fatalf("protocol doc extract has no section %q", title)
	}
	var rows [][]string
	in := false
	for _, line := range strings.Split(doc[i+1:], "\n")[1:] {
		if strings.HasPrefix(line, "#") {
			break
		}
		if !strings.HasPrefix(line, "|") {
			if in {
				break
			}
			continue
		}
		in = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for j := range cells {
			cells[j] = strings.Trim(strings.TrimSpace(cells[j]), "`")
		}
		if strings.HasPrefix(cells[0], "---") {
			continue
		}
		rows = append(rows, cells)
	}
	return rows[1:] // the header row
}

func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("catalog/testdata/esl-protocol-tables.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCatalogMatchesProtocolDoc(t *testing.T) {
	doc := readDoc(t)

	events := docTable(t, doc, "### 4.1")
	if len(events) != len(EventNames()) {
		t.Errorf("doc lists %d events, catalogue %d", len(events), len(EventNames()))
	}
	for _, r := range events {
		n, ok := ParseEventName(r[1])
		if !ok || strconv.Itoa(n.ID()) != r[0] || string(n) != r[1] {
			t.Errorf("doc event %s (id %s): catalogue has %q id %d", r[1], r[0], n, n.ID())
		}
	}

	states := docTable(t, doc, "### 4.2")
	if len(states) != int(CSNone)+1 {
		t.Errorf("doc lists %d channel states", len(states))
	}
	for _, r := range states {
		s, ok := ParseChannelState(r[1])
		if !ok || strconv.Itoa(int(s)) != r[0] || s.String() != r[1] {
			t.Errorf("doc channel state %s = %s: catalogue has %v (%d)", r[1], r[0], s, s)
		}
	}

	calls := docTable(t, doc, "### 4.3")
	if len(calls) != int(CallUnheld)+1 {
		t.Errorf("doc lists %d call states", len(calls))
	}
	for _, r := range calls {
		s, ok := ParseCallState(r[1])
		if !ok || strconv.Itoa(int(s)) != r[0] || s.String() != r[1] {
			t.Errorf("doc call state %s = %s: catalogue has %v (%d)", r[1], r[0], s, s)
		}
	}

	// §4.4 is prose: "`hangup` if …, else `answered` …".
	i := strings.Index(doc, "### 4.4")
	j := strings.Index(doc, "### 4.5")
	quoted := regexp.MustCompile("`([a-z]+)`")
	var answers []string
	for _, m := range quoted.FindAllStringSubmatch(doc[i:j], -1) {
		answers = append(answers, m[1])
		if _, ok := ParseAnswerState(m[1]); !ok {
			t.Errorf("doc answer state %q not in the catalogue", m[1])
		}
	}
	if len(answers) != 4 {
		t.Errorf("doc §4.4 names %v", answers)
	}

	causes := docTable(t, doc, "### 4.5")
	if len(causes) != len(HangupCauses()) {
		t.Errorf("doc lists %d causes, catalogue %d", len(causes), len(HangupCauses()))
	}
	for _, r := range causes {
		c, ok := ParseHangupCause(r[0])
		if !ok || strconv.Itoa(int(c)) != r[1] || strconv.Itoa(c.Q850()) != r[2] || c.String() != r[0] {
			t.Errorf("doc cause %s = %s (q850 %s): catalogue has %v = %d (q850 %d)", r[0], r[1], r[2], c, c, c.Q850())
		}
	}

	// Every CS_ name anywhere in the extract (§5.0 included) is a state.
	for _, m := range regexp.MustCompile(`\bCS_[A-Z_]+\b`).FindAllString(doc, -1) {
		if _, ok := ParseChannelState(m); !ok {
			t.Errorf("doc mentions %s, not in the catalogue", m)
		}
	}
}

// captured is one event (or the header block of another frame) from a
// capture.
type captured struct {
	file        string
	contentType string
	ev          *Event
}

// readCaptures decodes, with the package's own Decoder, every
// server→client stream under testdata/freeswitch: event frames in all three
// formats, plus the header blocks of the other frames (an outbound connect
// reply carries channel data too).
func readCaptures(t *testing.T) []captured {
	t.Helper()
	files, _ := filepath.Glob("testdata/freeswitch/*/server.bin")
	more, _ := filepath.Glob("testdata/freeswitch/*/trigger-server.bin")
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no captures found")
	}
	var out []captured
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		d := NewDecoder(bytes.NewReader(b))
		for {
			fr, err := d.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			ev := fr.Event
			if ev == nil {
				ev = NewEvent(append([]Header(nil), fr.Headers...), "")
			}
			out = append(out, captured{file: file, contentType: fr.ContentType, ev: ev})
		}
	}
	return out
}

func TestCatalogCoversCaptures(t *testing.T) {
	caps := readCaptures(t)
	seen := map[string]map[string]bool{}
	note := func(h, v string) {
		if seen[h] == nil {
			seen[h] = map[string]bool{}
		}
		seen[h][v] = true
	}
	nEvents := 0
	for _, c := range caps {
		ev := c.ev
		for h := range ev.Headers() {
			v := h.Value
			switch h.Name {
			case "Event-Name":
				nEvents++
				if n, ok := ParseEventName(v); !ok || string(n) != v || ev.Name() != n {
					t.Errorf("%s: Event-Name %q not in the catalogue", c.file, v)
				}
			case "Channel-State", "Channel-State-Number":
				if s, ok := ParseChannelState(v); !ok || (s.String() != v && strconv.Itoa(int(s)) != v) {
					t.Errorf("%s: %s %q not in the catalogue", c.file, h.Name, v)
				}
			case "Channel-Call-State", "Original-Channel-Call-State", "Channel-Call-State-Number":
				if s, ok := ParseCallState(v); !ok || (s.String() != v && strconv.Itoa(int(s)) != v) {
					t.Errorf("%s: %s %q not in the catalogue", c.file, h.Name, v)
				}
			case "Answer-State":
				if s, ok := ParseAnswerState(v); !ok || string(s) != v {
					t.Errorf("%s: Answer-State %q not in the catalogue", c.file, v)
				}
			case "Hangup-Cause", "variable_hangup_cause", "variable_last_bridge_hangup_cause", "variable_originate_disposition":
				c2, ok := ParseHangupCause(v)
				if (!ok || c2.String() != v) && h.Name != "variable_originate_disposition" {
					t.Errorf("%s: %s %q not in the catalogue", c.file, h.Name, v)
				}
			default:
				continue
			}
			note(h.Name, v)
		}
		// Typed accessors agree with the raw headers.
		if v, ok := ev.Lookup("Channel-State"); ok && ev.ChannelState().String() != v {
			t.Errorf("%s: ChannelState() = %v, header %q", c.file, ev.ChannelState(), v)
		}
		if v, ok := ev.Lookup("Channel-State-Number"); ok && strconv.Itoa(int(ev.ChannelStateNumber())) != v {
			t.Errorf("%s: ChannelStateNumber() = %d, header %q", c.file, ev.ChannelStateNumber(), v)
		}
		if v, ok := ev.Lookup("Channel-Call-State"); ok && ev.CallState().String() != v {
			t.Errorf("%s: CallState() = %v, header %q", c.file, ev.CallState(), v)
		}
		if v, ok := ev.Lookup("Answer-State"); ok && string(ev.AnswerState()) != v {
			t.Errorf("%s: AnswerState() = %v, header %q", c.file, ev.AnswerState(), v)
		}
		if v, ok := ev.Lookup("Hangup-Cause"); ok && ev.HangupCause().String() != v {
			t.Errorf("%s: HangupCause() = %v, header %q", c.file, ev.HangupCause(), v)
		}
		// The Q.850 variable is what HangupCause.Q850 computes.
		if q, ok := ev.Lookup("variable_hangup_cause_q850"); ok {
			if got := strconv.Itoa(ev.HangupCause().Q850()); got != q {
				t.Errorf("%s: %v.Q850() = %s, variable_hangup_cause_q850 %s", c.file, ev.HangupCause(), got, q)
			}
		}
		// Channel-Call-State-Number (CHANNEL_CALLSTATE) numbers the new call state.
		if n, ok := ev.Lookup("Channel-Call-State-Number"); ok && strconv.Itoa(int(ev.CallState())) != n {
			t.Errorf("%s: Channel-Call-State %v but number %s", c.file, ev.CallState(), n)
		}
	}
	if nEvents < 1000 {
		t.Fatalf("only %d events read from the captures", nEvents)
	}
	// The captures must have exercised the catalogue, not skipped it.
	for _, h := range []string{"Event-Name", "Channel-State", "Channel-State-Number", "Channel-Call-State", "Answer-State", "Hangup-Cause"} {
		if len(seen[h]) < 2 {
			t.Errorf("captures gave only %v for %s", seen[h], h)
		}
	}
	t.Logf("captures: %d events; %d event names, %d channel states, %d call states, %d hangup causes",
		nEvents, len(seen["Event-Name"]), len(seen["Channel-State"]), len(seen["Channel-Call-State"]), len(seen["Hangup-Cause"]))
}

// TestCatalogRelationsMeasured checks, on the captures, the orderings and
// header quirks that the catalogue's text states as measured.
func TestCatalogRelationsMeasured(t *testing.T) {
	type key struct{ file, uuid string }
	initSeen := map[key]bool{}
	outgoingSeen := map[key]bool{}
	earlier := map[key]bool{} // some event of the channel was seen before
	counts := map[string]int{}
	notices := map[string]bool{}
	for _, c := range readCaptures(t) {
		if c.contentType == wire.TypeDisconnectNotice {
			notices[c.file] = true
		}
		ev := c.ev
		k := key{c.file, ev.UniqueID()}
		switch name := ev.Name(); name {
		case EventClone, EventClientDisconnected, EventServerDisconnected, EventAll, EventSocketData:
			t.Errorf("%s: %s is never fired, yet seen", c.file, name)
		case EventChannelOutgoing:
			outgoingSeen[k] = true
			if ev.ChannelState() != CSNone || ev.ChannelStateNumber() != CSInit {
				t.Errorf("%s: CHANNEL_OUTGOING with %v/%d", c.file, ev.ChannelState(), ev.ChannelStateNumber())
			}
		case EventChannelState:
			if ev.ChannelState() != ev.ChannelStateNumber() {
				t.Errorf("%s: CHANNEL_STATE %v but number %d", c.file, ev.ChannelState(), ev.ChannelStateNumber())
			}
			if ev.ChannelState() == CSInit {
				initSeen[k] = true
			}
		case EventChannelCreate:
			counts["create"]++
			if ev.ChannelState() != CSInit {
				t.Errorf("%s: CHANNEL_CREATE in %v", c.file, ev.ChannelState())
			}
			// A channel that began before the subscription has no earlier
			// events at all; any other must have shown CS_INIT first.
			if !initSeen[k] && earlier[k] {
				t.Errorf("%s: CHANNEL_CREATE of %s before its CHANNEL_STATE CS_INIT", c.file, k.uuid)
			}
		case EventChannelHangup:
			if ev.ChannelStateNumber() != CSHangup || ev.ChannelState() >= CSHangup || ev.AnswerState() != AnswerHangup || ev.HangupCause() == CauseNone {
				t.Errorf("%s: CHANNEL_HANGUP with %v/%d, %s, %v", c.file, ev.ChannelState(), ev.ChannelStateNumber(), ev.AnswerState(), ev.HangupCause())
			}
		case EventChannelHangupComplete:
			counts["complete"]++
			if ev.ChannelState() != CSReporting || ev.CallState() != CallHangup {
				t.Errorf("%s: CHANNEL_HANGUP_COMPLETE in %v, %v", c.file, ev.ChannelState(), ev.CallState())
			}
			for _, v := range []string{"variable_billsec", "variable_duration", "variable_hangup_cause_q850"} {
				if _, ok := ev.Lookup(v); !ok {
					t.Errorf("%s: CHANNEL_HANGUP_COMPLETE without %s", c.file, v)
				}
			}
			if len(ev.Values("Hangup-Cause")) != 2 {
				t.Errorf("%s: CHANNEL_HANGUP_COMPLETE has %d Hangup-Cause headers, want 2", c.file, len(ev.Values("Hangup-Cause")))
			}
		case EventChannelDestroy:
			if ev.ChannelState() != CSReporting || ev.ChannelStateNumber() != CSDestroy {
				t.Errorf("%s: CHANNEL_DESTROY with %v/%d", c.file, ev.ChannelState(), ev.ChannelStateNumber())
			}
		case EventChannelBridge:
			counts["bridge"]++
			if ev.UniqueID() != ev.Get("Bridge-A-Unique-ID") {
				t.Errorf("%s: CHANNEL_BRIDGE fired for the B leg", c.file)
			}
		case EventCustom:
			// A CUSTOM event keeps its subclass; a nameless sendevent
			// arrives as CUSTOM without one (never as CLONE).
			if sc := ev.Subclass(); sc != "" {
				counts["custom-subclass"]++
				if sc != "example::test" {
					t.Errorf("%s: unexpected subclass %q", c.file, sc)
				}
			} else {
				counts["custom-bare"]++
			}
		case EventChannelUUID:
			counts["uuid"]++
			if ev.Get("Old-Unique-ID") == "" || outgoingSeen[k] {
				t.Errorf("%s: CHANNEL_UUID without Old-Unique-ID or after CHANNEL_OUTGOING", c.file)
			}
		}
		if ev.UniqueID() != "" && ev.Name() != EventCodec {
			earlier[k] = true
		}
	}
	if counts["create"] < 100 || counts["complete"] < 100 || counts["bridge"] == 0 || counts["uuid"] == 0 ||
		counts["custom-subclass"] == 0 || counts["custom-bare"] == 0 {
		t.Errorf("captures exercised too little: %v", counts)
	}
	if len(notices) == 0 {
		t.Error("no text/disconnect-notice in the captures")
	}
}

// TestCatalogMatchesNameLists compares the order of the catalogue with the
// name lists extracted from FreeSWITCH's EVENT_NAMES and CAUSE_CHART
// (catalog/testdata/freeswitch-*.txt, one name a line).
func TestCatalogMatchesNameLists(t *testing.T) {
	read := func(name string) []string {
		b, err := os.ReadFile("catalog/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(string(b))
	}
	events := read("freeswitch-event-names.txt")
	if got := EventNames(); len(got) != len(events) {
		t.Fatalf("%d events, FreeSWITCH has %d", len(got), len(events))
	}
	for i, n := range EventNames() {
		if string(n) != events[i] {
			t.Errorf("event %d: %s, FreeSWITCH has %s", i, n, events[i])
		}
	}
	causes := read("freeswitch-hangup-causes.txt")
	if got := HangupCauses(); len(got) != len(causes) {
		t.Fatalf("%d causes, FreeSWITCH has %d", len(got), len(causes))
	}
	for i, c := range HangupCauses() {
		if c.String() != causes[i] {
			t.Errorf("cause %d: %s, FreeSWITCH has %s", i, c, causes[i])
		}
	}
}

// TestCatalogMatchesFullProtocolDoc runs where the shared protocol
// reference exists (not in a fresh clone): the extract in catalog/testdata
// must still match it, and every CS_ name or Hangup-Cause-style name the
// whole document mentions must be in the catalogue.
func TestCatalogMatchesFullProtocolDoc(t *testing.T) {
	paths := []string{os.Getenv("ESL_PROTOCOL_DOC"), "../shared/docs/esl-protocol.md", "../../shared/docs/esl-protocol.md"}
	var b []byte
	for _, p := range paths {
		if p != "" {
			if d, err := os.ReadFile(p); err == nil {
				b = d
				break
			}
		}
	}
	if b == nil {
		t.Skip("protocol reference not available (set ESL_PROTOCOL_DOC)")
	}
	doc := string(b)
	extract := readDoc(t)
	body := extract[strings.Index(extract, "## 4. Reference tables"):]
	if !strings.Contains(doc, strings.TrimRight(body, "\n")) {
		t.Error("catalog/testdata/esl-protocol-tables.md no longer matches the protocol reference: re-extract §4 and §5.0")
	}
	for _, m := range regexp.MustCompile(`\bCS_[A-Z_]+[A-Z]\b`).FindAllString(doc, -1) {
		if _, ok := ParseChannelState(m); !ok {
			t.Errorf("doc mentions channel state %s, not in the catalogue", m)
		}
	}
	for _, m := range regexp.MustCompile("`(CHANNEL_[A-Z_]+)`").FindAllStringSubmatch(doc, -1) {
		_, isEvent := ParseEventName(m[1])
		_, isCause := ParseHangupCause(m[1])
		if !isEvent && !isCause {
			t.Errorf("doc mentions %s, neither an event nor a cause in the catalogue", m[1])
		}
	}
}

// TestCatalogHeadersSeenInCaptures checks the "headers that matter" of
// every event the captures contain: each one named (other than the channel
// data shorthand and wildcards) must appear in at least one captured
// instance of that event, so the catalogue names no invented header.
func TestCatalogHeadersSeenInCaptures(t *testing.T) {
	seen := map[EventName]map[string]bool{}
	for _, c := range readCaptures(t) {
		n := c.ev.Name()
		if n == "" {
			continue
		}
		if seen[n] == nil {
			seen[n] = map[string]bool{}
		}
		for h := range c.ev.Headers() {
			seen[n][strings.ToLower(h.Name)] = true
		}
	}
	// Headers taken from FreeSWITCH's source that these captures cannot
	// show: a network alarm, a bridge-to update from mod_dptools, and the
	// XML CDR attached on request.
	fromSource := map[EventName]string{EventTrap: "condition", EventCallUpdate: "Bridged-To", EventChannelHangupComplete: "CDR-Attached"}
	checked := 0
	for n, hs := range seen {
		e, ok := n.Entry(English)
		if !ok {
			continue
		}
		for _, h := range e.Headers {
			if h == "basic" || strings.HasSuffix(h, "*") {
				continue
			}
			checked++
			if !hs[strings.ToLower(h)] && fromSource[n] != h {
				t.Errorf("%s: catalogue lists header %s, never seen in %s events of the captures", n, h, n)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d headers checked", checked)
	}
}
