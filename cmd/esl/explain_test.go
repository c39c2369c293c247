package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/eslkit/esl"
)

// explain runs "esl explain args..." in-process.
func explain(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	status = run(context.Background(), e, append([]string{"explain"}, args...))
	return out.String(), errb.String(), status
}

func TestExplainChannelState(t *testing.T) {
	out, errs, st := explain(t, "CS_EXECUTE")
	want, _ := esl.CSExecute.Entry(esl.English)
	if st != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", st, errs)
	}
	if !strings.HasPrefix(out, "CS_EXECUTE  channel state 4  esl.CSExecute\n") || !strings.Contains(out, want.Summary) {
		t.Errorf("output:\n%s", out)
	}
}

func TestExplainEventInChinese(t *testing.T) {
	out, _, st := explain(t, "--lang", "zh", "channel_create")
	zh, _ := esl.EventChannelCreate.Entry(esl.Chinese)
	if st != 0 {
		t.Fatalf("status %d", st)
	}
	for _, part := range []string{"CHANNEL_CREATE  事件 编号 2", "触发时机：", "相关事件：", zh.Summary, "CS_INIT"} {
		if !strings.Contains(out, part) {
			t.Errorf("missing %q in:\n%s", part, out)
		}
	}
	// Every paragraph of the entry is printed, though wrapped.
	flat := strings.Join(strings.Fields(strings.ReplaceAll(out, "\n    ", "")), "")
	for _, text := range []string{zh.When, zh.Call, zh.Related, zh.Notes} {
		if !strings.Contains(flat, strings.Join(strings.Fields(text), "")) {
			t.Errorf("text not printed in full: %q", text)
		}
	}
	// The English flag order does not matter (flags after the name).
	out2, _, _ := explain(t, "channel_create", "--lang=zh")
	if out2 != out {
		t.Error("flag after the name changed the output")
	}
}

func TestExplainCauseByNameAndCode(t *testing.T) {
	byName, _, st1 := explain(t, "user_busy")
	byCode, _, st2 := explain(t, "17")
	if st1 != 0 || st2 != 0 || byName != byCode || !strings.Contains(byName, "USER_BUSY  hangup cause 17, Q.850 17") {
		t.Errorf("USER_BUSY (%d):\n%s\n17 (%d):\n%s", st1, byName, st2, byCode)
	}
	out, _, _ := explain(t, "ORIGINATOR_CANCEL")
	if !strings.Contains(out, "hangup cause 487, Q.850 16") {
		t.Errorf("ORIGINATOR_CANCEL:\n%s", out)
	}
}

func TestExplainJSON(t *testing.T) {
	out, _, st := explain(t, "--json", "USER_BUSY")
	var e esl.Entry
	if err := json.Unmarshal([]byte(out), &e); err != nil || st != 0 {
		t.Fatalf("status %d, %v:\n%s", st, err, out)
	}
	if e.Kind != esl.EntryHangupCause || e.Name != "USER_BUSY" || e.Number != 17 || e.Q850 != 17 || e.Lang != esl.English || e.Summary == "" {
		t.Errorf("decoded %+v", e)
	}

	// Two matches give two JSON values in a row.
	out, _, _ = explain(t, "--json", "--lang", "zh", "hangup")
	d := json.NewDecoder(strings.NewReader(out))
	var kinds []esl.EntryKind
	for {
		var e esl.Entry
		if err := d.Decode(&e); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if e.Lang != esl.Chinese {
			t.Errorf("lang %q", e.Lang)
		}
		kinds = append(kinds, e.Kind)
	}
	if len(kinds) != 2 || kinds[0] != esl.EntryCallState || kinds[1] != esl.EntryAnswerState {
		t.Errorf("HANGUP gave %v", kinds)
	}
}

func TestExplainUnknownSuggests(t *testing.T) {
	out, errs, st := explain(t, "CHANEL_CREATE")
	if st != 1 || out != "" {
		t.Fatalf("status %d, stdout %q", st, out)
	}
	if !strings.Contains(errs, "did you mean: CHANNEL_CREATE") {
		t.Errorf("stderr %q", errs)
	}
	// Known names are still printed; the status reports the unknown one.
	out, errs, st = explain(t, "CS_PARK", "NOT_A_THING_AT_ALL_XYZ")
	if st != 1 || !strings.Contains(out, "CS_PARK") || !strings.Contains(errs, "NOT_A_THING_AT_ALL_XYZ") {
		t.Errorf("status %d\n%s\n%s", st, out, errs)
	}
	if _, _, st := explain(t, "4"); st != 1 {
		t.Errorf("cause code 4 (undefined) gave status %d", st)
	}
}

func TestExplainList(t *testing.T) {
	count := func(out string) int {
		n := 0
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "  ") {
				n++
			}
		}
		return n
	}
	cases := []struct {
		table string
		rows  int
	}{{"events", 94}, {"causes", 82}, {"states", 14 + 9 + 4}, {"subclasses", 2}, {"", 94 + 82 + 27 + 2}}
	for _, c := range cases {
		args := []string{"--list"}
		if c.table != "" {
			args = append(args, c.table)
		}
		out, errs, st := explain(t, args...)
		if st != 0 || errs != "" || count(out) != c.rows {
			t.Errorf("--list %s: status %d, %d rows, want %d; stderr %q", c.table, st, count(out), c.rows, errs)
		}
	}
	out, _, _ := explain(t, "--list", "causes")
	if !strings.Contains(out, " 17  17 USER_BUSY ") || !strings.Contains(out, "487  16 ORIGINATOR_CANCEL") {
		t.Errorf("causes table:\n%s", out)
	}
	out, _, _ = explain(t, "--list", "events", "--lang", "zh", "--json")
	if n := strings.Count(out, `"kind": "event"`); n != 94 {
		t.Errorf("--json --list events: %d entries", n)
	}
}

func TestExplainUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"--lang", "fr", "CS_NEW"}, {"--list", "bogus"}, {"--list", "events", "causes"}, {"--nope"}} {
		if _, errs, st := explain(t, args...); st != 2 || errs == "" {
			t.Errorf("explain %q: status %d, stderr %q", args, st, errs)
		}
	}
	if _, _, st := explain(t, "-h"); st != 0 {
		t.Errorf("-h: status %d", st)
	}
}

func TestWrapText(t *testing.T) {
	en := strings.Repeat("word ", 40)
	for _, l := range wrapText(en, 30) {
		if len(l) > 30 || strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ") {
			t.Errorf("bad English line %q", l)
		}
	}
	zh := strings.Repeat("通道开始挂断，Channel-State 仍是旧状态（CS_EXECUTE）。", 6)
	lines := wrapText(zh, 30)
	if strings.ReplaceAll(strings.Join(lines, ""), " ", "") != strings.ReplaceAll(zh, " ", "") {
		t.Errorf("text lost: %q", lines)
	}
	for _, l := range lines {
		w := 0
		for _, r := range l {
			w += runeWidth(r)
		}
		first, _ := utf8.DecodeRuneInString(l)
		last, _ := utf8.DecodeLastRuneInString(l)
		if w > 32 || strings.ContainsRune("，。）", first) || last == '（' {
			t.Errorf("bad Chinese line (width %d) %q", w, l)
		}
	}
	if got := wrapText("", 40); len(got) != 1 || got[0] != "" {
		t.Errorf("empty text: %q", got)
	}
}

func TestClosestNames(t *testing.T) {
	cases := map[string]string{
		"USER_BSY":       "USER_BUSY",
		"channel_answr":  "CHANNEL_ANSWER",
		"CS_EXECUT":      "CS_EXECUTE",
		"callcenter":     "callcenter::info",
		"BACKGROUND_JOS": "BACKGROUND_JOB",
	}
	for in, want := range cases {
		got := closestNames(in, 5)
		if len(got) == 0 || got[0] != want {
			t.Errorf("closestNames(%q) = %v, want %s first", in, got, want)
		}
	}
	if got := closestNames("zzzzzzzzzzzzzzzzzzzz", 5); len(got) != 0 {
		t.Errorf("nonsense matched %v", got)
	}
	if got := closestNames("BUSY", 3); strings.Join(got, " ") != "USER_BUSY BUSY_EVERYWHERE" {
		t.Errorf("BUSY: %v", got)
	}
}

// TestExplainEveryEntry prints every catalogue entry in both languages:
// each must be found by its own name and printed with its summary.
func TestExplainEveryEntry(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		l, _ := esl.ParseLang(lang)
		for _, kind := range esl.EntryKinds() {
			for _, e := range esl.CatalogEntries(kind, l) {
				out, errs, st := explain(t, "--lang", lang, e.Name)
				if st != 0 || errs != "" || !strings.Contains(out, e.Name+"  ") {
					t.Errorf("explain --lang %s %s: status %d, stderr %q", lang, e.Name, st, errs)
				}
				flat := strings.ReplaceAll(strings.ReplaceAll(out, "\n  ", ""), " ", "")
				if !strings.Contains(flat, strings.ReplaceAll(e.Summary, " ", "")) {
					t.Errorf("explain --lang %s %s: summary missing:\n%s", lang, e.Name, out)
				}
			}
		}
	}
}
