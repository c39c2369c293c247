package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/eslkit/esl"
)

// esl explain: the event catalogue on the command line. Every entry comes
// from package esl (esl.Explain, esl.CatalogEntries), so the CLI shows
// exactly what the library knows.

func init() {
	register(&command{
		Name:    "explain",
		Summary: "explain an event, channel/call/answer state or hangup cause (--lang zh for 中文)",
		Run:     runExplain,
	})
}

const explainUsage = `usage: esl explain [--lang en|zh] [--json] NAME...
       esl explain [--lang en|zh] [--json] --list [events|states|causes|subclasses]

NAME is an event (CHANNEL_ANSWER), a channel state (CS_EXECUTE), a call state
(RING_WAIT), an answer state (early), a hangup cause by name (USER_BUSY) or
Q.850 code (17), a CUSTOM subclass (callcenter::info) or a Go constant
(esl.EventChannelAnswer). Names are case-insensitive.
`

// explainLists are the tables --list prints, by the name given after it.
var explainLists = map[string][]esl.EntryKind{
	"events":     {esl.EntryEvent},
	"states":     {esl.EntryChannelState, esl.EntryCallState, esl.EntryAnswerState},
	"causes":     {esl.EntryHangupCause},
	"subclasses": {esl.EntrySubclass},
	"all":        esl.EntryKinds(),
}

func runExplain(_ context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "explain", "")
	fs.Usage = func() { fmt.Fprint(e.Stderr, explainUsage) }
	langName := fs.String("lang", "en", "language: en or zh (中文)")
	asJSON := fs.Bool("json", false, "print entries as JSON")
	list := fs.Bool("list", false, "print a whole table")
	names, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	lang, ok := esl.ParseLang(*langName)
	if !ok {
		fmt.Fprintf(e.Stderr, "esl explain: unknown language %q (use en or zh)\n", *langName)
		return 2
	}
	p := &explainPrinter{w: e.Stdout, lang: lang, json: *asJSON}
	p.width, _ = termSize(e.Stdout)

	if *list {
		table := "all"
		if len(names) > 1 {
			fmt.Fprint(e.Stderr, explainUsage)
			return 2
		}
		if len(names) == 1 {
			table = strings.ToLower(names[0])
		}
		kinds, ok := explainLists[table]
		if !ok {
			fmt.Fprintf(e.Stderr, "esl explain: no table %q (events, states, causes, subclasses)\n", names[0])
			return 2
		}
		for i, kind := range kinds {
			if i > 0 && !p.json {
				fmt.Fprintln(p.w)
			}
			p.table(kind, esl.CatalogEntries(kind, lang))
		}
		return p.err()
	}

	if len(names) == 0 {
		fmt.Fprint(e.Stderr, explainUsage)
		return 2
	}
	status := 0
	first := true
	for _, name := range names {
		entries := esl.Explain(name, lang)
		if len(entries) == 0 {
			status = 1
			fmt.Fprintf(e.Stderr, "esl explain: %q is not an event, state or hangup cause FreeSWITCH defines\n", name)
			if near := closestNames(name, 5); len(near) > 0 {
				fmt.Fprintf(e.Stderr, "did you mean: %s\n", strings.Join(near, ", "))
			}
			continue
		}
		for _, en := range entries {
			if !first && !p.json {
				fmt.Fprintln(p.w)
			}
			first = false
			p.entry(en)
		}
	}
	if s := p.err(); s != 0 {
		return s
	}
	return status
}

// explainPrinter writes entries as text or JSON and remembers the first
// write error.
type explainPrinter struct {
	w     io.Writer
	lang  esl.Lang
	json  bool
	width int
	werr  error
}

func (p *explainPrinter) err() int {
	if p.werr != nil {
		return 1
	}
	return 0
}

func (p *explainPrinter) printf(format string, args ...any) {
	if p.werr == nil {
		_, p.werr = fmt.Fprintf(p.w, format, args...)
	}
}

// label returns the heading of a field in the printer's language.
func (p *explainPrinter) label(en, zh string) string {
	if p.lang == esl.Chinese {
		return zh
	}
	return en
}

var kindLabels = map[esl.EntryKind][2]string{
	esl.EntryEvent:        {"event", "事件"},
	esl.EntryChannelState: {"channel state", "通道状态"},
	esl.EntryCallState:    {"call state", "呼叫状态"},
	esl.EntryAnswerState:  {"answer state", "应答状态"},
	esl.EntryHangupCause:  {"hangup cause", "挂断原因"},
	esl.EntrySubclass:     {"CUSTOM subclass", "CUSTOM 子类"},
}

func (p *explainPrinter) kind(k esl.EntryKind) string {
	l := kindLabels[k]
	return p.label(l[0], l[1])
}

// entry prints one entry in full.
func (p *explainPrinter) entry(e esl.Entry) {
	if p.json {
		p.writeJSON(e)
		return
	}
	head := e.Name + "  " + p.kind(e.Kind)
	switch e.Kind {
	case esl.EntryEvent:
		head += " " + p.label("id ", "编号 ") + strconv.Itoa(e.Number)
	case esl.EntryChannelState, esl.EntryCallState:
		head += " " + strconv.Itoa(e.Number)
	case esl.EntryHangupCause:
		head += " " + strconv.Itoa(e.Number) + ", Q.850 " + strconv.Itoa(e.Q850)
	case esl.EntrySubclass:
		head += " (" + e.Module + ")"
	}
	head += "  esl." + e.GoName
	p.printf("%s\n", head)
	p.field("", e.Summary)
	p.field(p.label("When", "触发时机"), e.When)
	p.field(p.label("For the call", "对通话的意义"), e.Call)
	p.field(p.label("Related", "相关事件"), e.Related)
	p.field(p.label("Notes", "注意"), e.Notes)
	if len(e.Headers) > 0 {
		p.field(p.label("Headers", "重要的头"), p.headers(e.Headers))
	}
	if len(e.Actions) > 0 {
		p.field(p.label("Actions", "动作")+" ("+e.ActionHeader+")", strings.Join(e.Actions, ", "))
	}
}

// headers spells out "basic", the catalogue's shorthand for channel data.
func (p *explainPrinter) headers(hs []string) string {
	out := make([]string, len(hs))
	for i, h := range hs {
		if h == "basic" {
			h = p.label("channel data (Channel-State, Channel-State-Number, Channel-Name, Unique-ID, Call-Direction, Answer-State, Caller-*)",
				"通道数据（Channel-State、Channel-State-Number、Channel-Name、Unique-ID、Call-Direction、Answer-State、Caller-*）")
		}
		out[i] = h
	}
	return strings.Join(out, p.label(", ", "、"))
}

// field prints a labelled paragraph, wrapped to the terminal width.
func (p *explainPrinter) field(label, text string) {
	if text == "" {
		return
	}
	indent := "  "
	if label != "" {
		p.printf("  %s%s\n", label, p.label(":", "："))
		indent = "    "
	}
	for _, line := range wrapText(text, p.width-len(indent)) {
		p.printf("%s%s\n", indent, line)
	}
}

// table prints one kind of entry as a one-line-per-entry table.
func (p *explainPrinter) table(kind esl.EntryKind, entries []esl.Entry) {
	if p.json {
		for _, e := range entries {
			p.writeJSON(e)
		}
		return
	}
	title := map[esl.EntryKind][2]string{
		esl.EntryEvent:        {"Events (id = position in switch_event_types_t)", "事件（编号 = 在 switch_event_types_t 中的位置）"},
		esl.EntryChannelState: {"Channel states (Channel-State / Channel-State-Number)", "通道状态（Channel-State / Channel-State-Number）"},
		esl.EntryCallState:    {"Call states (Channel-Call-State)", "呼叫状态（Channel-Call-State）"},
		esl.EntryAnswerState:  {"Answer states (Answer-State)", "应答状态（Answer-State）"},
		esl.EntryHangupCause:  {"Hangup causes (value, Q.850 code)", "挂断原因（数值，Q.850 代码）"},
		esl.EntrySubclass:     {"CUSTOM subclasses (Event-Subclass)", "CUSTOM 子类（Event-Subclass）"},
	}[kind]
	p.printf("%s\n", p.label(title[0], title[1]))
	nameWidth := 0
	for _, e := range entries {
		nameWidth = max(nameWidth, len(e.Name))
	}
	for _, e := range entries {
		num := ""
		switch {
		case kind == esl.EntryHangupCause:
			num = fmt.Sprintf("%3d %3d ", e.Number, e.Q850)
		case e.Number >= 0:
			num = fmt.Sprintf("%2d ", e.Number)
		}
		p.printf("  %s%-*s  %s\n", num, nameWidth, e.Name, e.Summary)
	}
}

func (p *explainPrinter) writeJSON(e esl.Entry) {
	if p.werr != nil {
		return
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		p.werr = err
		return
	}
	p.printf("%s\n", b)
}
