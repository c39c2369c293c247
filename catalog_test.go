package esl

import (
	"strings"
	"testing"
)

func TestParseEventNameCaseInsensitive(t *testing.T) {
	for _, in := range []string{"CHANNEL_CREATE", "channel_create", "Channel_Create"} {
		got, ok := ParseEventName(in)
		if !ok || got != EventChannelCreate {
			t.Errorf("ParseEventName(%q) = %q, %v; want CHANNEL_CREATE, true", in, got, ok)
		}
	}
	for _, in := range []string{"", "CHANNEL", "CHANNEL_CREATE ", "callcenter::info"} {
		if got, ok := ParseEventName(in); ok {
			t.Errorf("ParseEventName(%q) = %q, true; want false", in, got)
		}
	}
}

func TestEventNamesOrderAndIDs(t *testing.T) {
	names := EventNames()
	if len(names) != 94 || names[0] != EventCustom || names[93] != EventAll {
		t.Fatalf("EventNames: %d names, first %q, last %q", len(names), names[0], names[len(names)-1])
	}
	for i, n := range names {
		if n.ID() != i || !n.Known() {
			t.Errorf("%s.ID() = %d, want %d", n, n.ID(), i)
		}
		if got, ok := ParseEventName(strings.ToLower(n.String())); !ok || got != n {
			t.Errorf("ParseEventName(lower %s) = %q, %v", n, got, ok)
		}
	}
	if EventName("NO_SUCH").ID() != -1 || EventName("NO_SUCH").Known() {
		t.Error("unknown event name reported as known")
	}
}

func TestChannelStates(t *testing.T) {
	if CSNew != 0 || CSExecute != 4 || CSHangup != 10 || CSDestroy != 12 || CSNone != 13 {
		t.Fatal("channel state numbers differ from FreeSWITCH's")
	}
	for s := CSNew; s <= CSNone; s++ {
		got, ok := ParseChannelState(s.String())
		if !ok || got != s {
			t.Errorf("ParseChannelState(%q) = %v, %v", s, got, ok)
		}
	}
	if got, ok := ParseChannelState("cs_execute"); !ok || got != CSExecute {
		t.Errorf("lower case: %v %v", got, ok)
	}
	if got, ok := ParseChannelState("4"); !ok || got != CSExecute {
		t.Errorf("number: %v %v", got, ok)
	}
	for _, bad := range []string{"", "EXECUTE", "14", "-1", "CS_"} {
		if got, ok := ParseChannelState(bad); ok {
			t.Errorf("ParseChannelState(%q) = %v, true", bad, got)
		}
	}
	if s := ChannelState(99).String(); s != "ChannelState(99)" {
		t.Errorf("unknown state prints %q", s)
	}
}

func TestCallStates(t *testing.T) {
	want := []string{"DOWN", "DIALING", "RINGING", "EARLY", "ACTIVE", "HELD", "RING_WAIT", "HANGUP", "UNHELD"}
	for i, name := range want {
		got, ok := ParseCallState(strings.ToLower(name))
		if !ok || int(got) != i || got.String() != name {
			t.Errorf("ParseCallState(%q) = %d %q %v, want %d", name, got, got, ok, i)
		}
	}
	if CallRingWait != 6 || CallUnheld != 8 {
		t.Error("call state numbers differ from FreeSWITCH's")
	}
	if CallUnknown.String() != "UNKNOWN" || CallState(9).String() != "UNKNOWN" {
		t.Error("unknown call states should print UNKNOWN")
	}
	if _, ok := ParseCallState("RINGWAIT"); ok {
		t.Error("RINGWAIT parsed")
	}
}

func TestAnswerStates(t *testing.T) {
	for _, s := range []AnswerState{AnswerRinging, AnswerEarly, AnswerAnswered, AnswerHangup} {
		got, ok := ParseAnswerState(strings.ToUpper(string(s)))
		if !ok || got != s {
			t.Errorf("ParseAnswerState(%q) = %q, %v", strings.ToUpper(string(s)), got, ok)
		}
	}
	if _, ok := ParseAnswerState("up"); ok {
		t.Error(`"up" parsed as an answer state`)
	}
}

func TestHangupCauses(t *testing.T) {
	cases := []struct {
		in   string
		want HangupCause
	}{
		{"USER_BUSY", CauseUserBusy},
		{"user_busy", CauseUserBusy},
		{"17", CauseUserBusy},
		{"16", CauseNormalClearing},
		{"487", CauseOriginatorCancel},
		{"NONE", CauseNone},
		{"0", CauseNone},
		{"REJECT_ALL", CauseRejectAll},
	}
	for _, c := range cases {
		got, ok := ParseHangupCause(c.in)
		if !ok || got != c.want {
			t.Errorf("ParseHangupCause(%q) = %v, %v; want %v", c.in, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "4", "128", "BUSY", "-16", "17x"} {
		if got, ok := ParseHangupCause(bad); ok || got != CauseNone {
			t.Errorf("ParseHangupCause(%q) = %v, %v; want NONE, false", bad, got, ok)
		}
	}
	if CauseUserBusy.String() != "USER_BUSY" || HangupCause(4).String() != "UNKNOWN" {
		t.Error("String")
	}
	if CauseInterworking.Q850() != 127 || CauseSuccess.Q850() != 16 || CauseOriginatorCancel.Q850() != 16 || CauseUserBusy.Q850() != 17 {
		t.Error("Q850 mapping differs from switch_channel_cause_q850")
	}
	all := HangupCauses()
	if len(all) != 82 {
		t.Fatalf("%d causes, want 82", len(all))
	}
	for i, c := range all {
		if i > 0 && c <= all[i-1] {
			t.Errorf("causes out of order at %v", c)
		}
		if got, ok := ParseHangupCause(c.String()); !ok || got != c || !c.Known() {
			t.Errorf("round trip %v: %v %v", c, got, ok)
		}
	}
}

func TestEntriesComplete(t *testing.T) {
	counts := map[EntryKind]int{EntryEvent: 94, EntryChannelState: 14, EntryCallState: 9, EntryAnswerState: 4, EntryHangupCause: 82}
	for _, kind := range EntryKinds() {
		for _, lang := range []Lang{English, Chinese} {
			es := CatalogEntries(kind, lang)
			if want, ok := counts[kind]; ok && len(es) != want {
				t.Errorf("%s: %d entries, want %d", kind, len(es), want)
			}
			for _, e := range es {
				if e.Kind != kind || e.Lang != lang || e.Name == "" || e.GoName == "" || e.Summary == "" {
					t.Errorf("incomplete %s entry %+v", kind, e)
				}
			}
		}
	}
}

func TestEntriesAreInTheirLanguage(t *testing.T) {
	hasHan := func(s string) bool {
		for _, r := range s {
			if r >= 0x4e00 && r <= 0x9fff {
				return true
			}
		}
		return false
	}
	for _, kind := range EntryKinds() {
		for _, e := range CatalogEntries(kind, Chinese) {
			for field, s := range map[string]string{"summary": e.Summary, "when": e.When, "call": e.Call, "related": e.Related, "notes": e.Notes} {
				if s != "" && !hasHan(s) {
					t.Errorf("%s %s: Chinese %s has no Chinese: %q", kind, e.Name, field, s)
				}
			}
		}
		for _, e := range CatalogEntries(kind, English) {
			for _, s := range []string{e.Summary, e.When, e.Call, e.Related, e.Notes} {
				if hasHan(s) {
					t.Errorf("%s %s: English text has Chinese: %q", kind, e.Name, s)
				}
			}
		}
	}
}

func TestExplain(t *testing.T) {
	one := func(name string, kind EntryKind, want string) {
		t.Helper()
		es := Explain(name, English)
		if len(es) != 1 || es[0].Kind != kind || es[0].Name != want {
			t.Errorf("Explain(%q) = %+v; want one %s %s", name, es, kind, want)
		}
	}
	one("channel_create", EntryEvent, "CHANNEL_CREATE")
	one("EventChannelCreate", EntryEvent, "CHANNEL_CREATE")
	one("CS_EXECUTE", EntryChannelState, "CS_EXECUTE")
	one("USER_BUSY", EntryHangupCause, "USER_BUSY")
	one("17", EntryHangupCause, "USER_BUSY")
	one("ring_wait", EntryCallState, "RING_WAIT")
	one("callcenter::info", EntrySubclass, "callcenter::info")
	if es := Explain("HANGUP", Chinese); len(es) != 2 || es[0].Kind != EntryCallState || es[1].Kind != EntryAnswerState || es[0].Lang != Chinese {
		t.Errorf("Explain(HANGUP) = %+v", es)
	}
	for _, bad := range []string{"", "  ", "NO_SUCH_THING", "4"} {
		if es := Explain(bad, English); es != nil {
			t.Errorf("Explain(%q) = %+v, want nil", bad, es)
		}
	}
	if e, _ := CauseOriginatorCancel.Entry(English); e.Number != 487 || e.Q850 != 16 {
		t.Errorf("ORIGINATOR_CANCEL entry numbers: %+v", e)
	}
}

// guideEvents are the events a popular Chinese FreeSWITCH guide lists; for
// them the Chinese text must also say how FreeSWITCH really behaves.
var guideEvents = []EventName{
	EventChannelCallState, EventChannelCreate, EventChannelDestroy, EventChannelState, EventChannelAnswer,
	EventChannelHangup, EventChannelHangupComplete, EventChannelExecute, EventChannelExecuteComplete,
	EventChannelBridge, EventChannelUnbridge, EventChannelProgress, EventChannelProgressMedia,
	EventChannelOutgoing, EventChannelPark, EventChannelUnpark, EventChannelApplication, EventChannelHold,
	EventChannelUnhold, EventChannelOriginate, EventChannelUUID,
	EventShutdown, EventModuleLoad, EventModuleUnload, EventReloadXML, EventNotify, EventSendMessage,
	EventRecvMessage, EventRequestParams, EventChannelData, EventGeneral, EventCommand, EventSessionHeartbeat,
	EventClientDisconnected, EventServerDisconnected, EventSendInfo, EventRecvInfo, EventCallSecure, EventNAT,
	EventRecordStart, EventRecordStop, EventPlaybackStart, EventPlaybackStop, EventCallUpdate,
}

func TestEventTextComplete(t *testing.T) {
	for _, lang := range []Lang{English, Chinese} {
		for _, e := range CatalogEntries(EntryEvent, lang) {
			if e.When == "" || e.Call == "" {
				t.Errorf("%s %s: missing when/call", lang, e.Name)
			}
			if e.Group == "channel" && e.Related == "" && e.Name != "INBOUND_CHAN" && e.Name != "OUTBOUND_CHAN" &&
				e.Name != "REQUEST_PARAMS" && e.Name != "SESSION_HEARTBEAT" && e.Name != "CALL_DETAIL" && e.Name != "CALL_SECURE" {
				t.Errorf("%s %s: channel event without relations", lang, e.Name)
			}
		}
	}
	for _, n := range guideEvents {
		e, ok := n.Entry(Chinese)
		if !ok || e.Notes == "" || !strings.Contains(e.Notes, "教程") {
			t.Errorf("%s: the Chinese text does not address the guide's description: %q", n, e.Notes)
		}
	}
	for _, n := range []EventName{EventClientDisconnected, EventServerDisconnected} {
		for _, lang := range []Lang{English, Chinese} {
			e, _ := n.Entry(lang)
			if !strings.Contains(e.Call+e.Notes, "text/disconnect-notice") {
				t.Errorf("%s (%s) must point to text/disconnect-notice", n, lang)
			}
		}
	}
	for _, sc := range CatalogEntries(EntrySubclass, English) {
		if len(sc.Actions) < 10 || sc.ActionHeader == "" || sc.Module == "" || sc.When == "" {
			t.Errorf("subclass %s incomplete: %+v", sc.Name, sc)
		}
	}
}

// BenchmarkEventTypedAccessors measures the typed accessors on a real
// channel event: they sit on the event-handling path and must not allocate.
func BenchmarkEventTypedAccessors(b *testing.B) {
	ev := NewEvent([]Header{
		{Name: "Event-Name", Value: "CHANNEL_HANGUP_COMPLETE"},
		{Name: "Hangup-Cause", Value: "NORMAL_CLEARING"},
		{Name: "Channel-State", Value: "CS_REPORTING"},
		{Name: "Channel-Call-State", Value: "HANGUP"},
		{Name: "Channel-State-Number", Value: "11"},
		{Name: "Answer-State", Value: "hangup"},
	}, "")
	b.ReportAllocs()
	for b.Loop() {
		if ev.Name() != EventChannelHangupComplete || ev.ChannelState() != CSReporting || ev.ChannelStateNumber() != CSReporting ||
			ev.CallState() != CallHangup || ev.AnswerState() != AnswerHangup || ev.HangupCause() != CauseNormalClearing {
			b.Fatal("wrong value")
		}
	}
}
