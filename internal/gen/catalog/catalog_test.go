package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestGoName(t *testing.T) {
	cases := map[[2]string]string{
		{"Event", "CHANNEL_CREATE"}:           "EventChannelCreate",
		{"Event", "CHANNEL_CALLSTATE"}:        "EventChannelCallState",
		{"Event", "CHANNEL_UUID"}:             "EventChannelUUID",
		{"Event", "RELOADXML"}:                "EventReloadXML",
		{"Event", "RECV_RTCP_MESSAGE"}:        "EventRecvRTCPMessage",
		{"", "CS_SOFT_EXECUTE"}:               "CSSoftExecute",
		{"Call", "RING_WAIT"}:                 "CallRingWait",
		{"Answer", "answered"}:                "AnswerAnswered",
		{"Cause", "BEARERCAPABILITY_NOTAUTH"}: "CauseBearerCapabilityNotAuth",
		{"Subclass", "callcenter::info"}:      "SubclassCallcenterInfo",
	}
	for in, want := range cases {
		if got := GoName(in[0], in[1]); got != want {
			t.Errorf("GoName(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

// TestLoadRepository loads the real catalogue: every Go name unique.
func TestLoadRepository(t *testing.T) {
	d, err := Load("../../../catalog")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	add := func(n string) {
		if seen[n] {
			t.Errorf("Go name %s used twice", n)
		}
		seen[n] = true
	}
	for _, ev := range d.Events {
		add(GoName("Event", ev.Name))
	}
	for _, v := range d.ChannelStates {
		add(GoName("", v.Name))
	}
	for _, v := range d.CallStates {
		add(GoName("Call", v.Name))
	}
	for _, v := range d.AnswerStates {
		add(GoName("Answer", v.Name))
	}
	for _, v := range d.HangupCauses {
		add(GoName("Cause", v.Name))
	}
	if _, err := Generate(d); err != nil {
		t.Fatal(err)
	}
}

// TestLoadRejectsBadData copies the catalogue, breaks one thing at a time
// and expects Load to say what is wrong.
func TestLoadRejectsBadData(t *testing.T) {
	cases := []struct {
		file, old, new, want string
	}{
		{"events.tsv", "2\tCHANNEL_CREATE", "3\tCHANNEL_CREATE", "FreeSWITCH's order"},
		{"events.tsv", "\tCHANNEL_DESTROY\t", "\tCHANNEL_CREATE\t", "listed twice"},
		{"hangup_causes.tsv", "17\tUSER_BUSY", "15\tUSER_BUSY", "out of order"},
		{"call_states.tsv", "\tThe call is answered and up.", "", "fields"},
		{"channel_states.tsv", "\t通道正在依次执行拨号计划中的应用。", "\t", "no zh summary"},
		{"events.en.md", "## CHANNEL_CREATE", "## CHANNEL_CRATE", "not in events.tsv"},
		{"events.en.md", "## CHANNEL_DESTROY", "## CHANNEL_CREATE", "described twice"},
		{"events.zh.md", "## CHANNEL_CREATE\n", "## CHANNEL_CREATE\nwhen: x\n", "given twice"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		files, _ := filepath.Glob("../../../catalog/*.*")
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(f) == c.file {
				if !strings.Contains(string(b), c.old) {
					t.Fatalf("%s has no %q", c.file, c.old)
				}
				b = []byte(strings.Replace(string(b), c.old, c.new, 1))
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %q→%q: error %v, want %q", c.file, c.old, c.new, err, c.want)
		}
	}
}
