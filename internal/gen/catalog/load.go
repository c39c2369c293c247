// Package catalog reads eslkit's event catalogue (the TSV tables and the
// per-language Markdown notes under catalog/) and writes the Go code of
// package esl that carries it. The files under catalog/ are the one source
// of truth; catalog_gen.go is derived from them by "go generate".
package catalog

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Langs are the languages every entry is written in, in output order.
var Langs = []string{"en", "zh"}

// Text is the prose of one entry in one language. Only Summary is required
// for states and causes; events also have When, Call and Related.
type Text struct {
	Summary string // one-line meaning (the TSV's summary column)
	When    string // when FreeSWITCH fires the event
	Call    string // what it means for a call
	Related string // how it relates to other events (order, pairs)
	Notes   string // quirks, and corrections of common descriptions
}

// Event is one row of events.tsv plus its prose.
type Event struct {
	ID      int              // position in switch_event_types_t
	Name    string           // FreeSWITCH's name (CHANNEL_CREATE)
	Group   string           // family: channel, system, presence, …
	Headers []string         // headers that matter beyond the standard ones
	Text    map[string]*Text // prose by language (Langs)
}

// Value is one row of a numbered table (channel states, call states, hangup
// causes) or, with Number -1, of answer_states.tsv.
type Value struct {
	Number int              // FreeSWITCH's number (state, cause value), -1 when unnumbered
	Name   string           // FreeSWITCH's name (CS_EXECUTE, USER_BUSY)
	Text   map[string]*Text // prose by language (Langs)
}

// Subclass is one row of subclasses.tsv: a CUSTOM event subclass, the
// header that names its action, and the actions.
type Subclass struct {
	Name         string           // Event-Subclass (callcenter::info)
	Module       string           // the module firing it
	ActionHeader string           // the header naming what happened (CC-Action)
	Actions      []string         // that header's values
	Text         map[string]*Text // prose by language (Langs)
}

// Data is the whole catalogue.
type Data struct {
	Events        []*Event    // events.tsv, in FreeSWITCH's order
	ChannelStates []*Value    // channel_states.tsv
	CallStates    []*Value    // call_states.tsv
	AnswerStates  []*Value    // answer_states.tsv
	HangupCauses  []*Value    // hangup_causes.tsv
	Subclasses    []*Subclass // subclasses.tsv
}

// Load reads the catalogue from dir (the repository's catalog/ folder).
func Load(dir string) (*Data, error) {
	d := &Data{}
	var err error
	if d.Events, err = loadEvents(filepath.Join(dir, "events.tsv")); err != nil {
		return nil, err
	}
	if d.ChannelStates, err = loadValues(filepath.Join(dir, "channel_states.tsv"), true); err != nil {
		return nil, err
	}
	if d.CallStates, err = loadValues(filepath.Join(dir, "call_states.tsv"), true); err != nil {
		return nil, err
	}
	if d.AnswerStates, err = loadValues(filepath.Join(dir, "answer_states.tsv"), false); err != nil {
		return nil, err
	}
	if d.HangupCauses, err = loadValues(filepath.Join(dir, "hangup_causes.tsv"), true); err != nil {
		return nil, err
	}
	if d.Subclasses, err = loadSubclasses(filepath.Join(dir, "subclasses.tsv")); err != nil {
		return nil, err
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	for _, lang := range Langs {
		if err := d.loadNotes(filepath.Join(dir, "events."+lang+".md"), lang); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// rows returns the tab-separated fields of every non-comment, non-empty
// line of a TSV file, each with its line number, requiring n fields.
func rows(path string, n int) ([][]string, []int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var out [][]string
	var lines []int
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != n {
			return nil, nil, fmt.Errorf("%s:%d: %d fields, want %d", path, i+1, len(f), n)
		}
		out = append(out, f)
		lines = append(lines, i+1)
	}
	return out, lines, nil
}

func loadEvents(path string) ([]*Event, error) {
	rs, lines, err := rows(path, 6)
	if err != nil {
		return nil, err
	}
	var evs []*Event
	for i, f := range rs {
		id, err := strconv.Atoi(f[0])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: bad id %q", path, lines[i], f[0])
		}
		ev := &Event{ID: id, Name: f[1], Group: f[2], Text: map[string]*Text{
			"en": {Summary: f[4]}, "zh": {Summary: f[5]},
		}}
		if f[3] != "" {
			ev.Headers = strings.Split(f[3], ",")
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

func loadValues(path string, numbered bool) ([]*Value, error) {
	n := 3
	if numbered {
		n = 4
	}
	rs, lines, err := rows(path, n)
	if err != nil {
		return nil, err
	}
	var vs []*Value
	for i, f := range rs {
		v := &Value{Number: -1}
		if numbered {
			if v.Number, err = strconv.Atoi(f[0]); err != nil {
				return nil, fmt.Errorf("%s:%d: bad number %q", path, lines[i], f[0])
			}
			f = f[1:]
		}
		v.Name = f[0]
		v.Text = map[string]*Text{"en": {Summary: f[1]}, "zh": {Summary: f[2]}}
		vs = append(vs, v)
	}
	return vs, nil
}

func loadSubclasses(path string) ([]*Subclass, error) {
	rs, _, err := rows(path, 6)
	if err != nil {
		return nil, err
	}
	var out []*Subclass
	for _, f := range rs {
		out = append(out, &Subclass{
			Name: f[0], Module: f[1], ActionHeader: f[2], Actions: strings.Split(f[3], ","),
			Text: map[string]*Text{"en": {Summary: f[4]}, "zh": {Summary: f[5]}},
		})
	}
	return out, nil
}

// loadNotes reads events.<lang>.md: "## NAME" starts the notes of an event
// or subclass; "when:", "call:", "related:" and "notes:" lines start a
// field, and following lines continue it until a blank line.
func (d *Data) loadNotes(path, lang string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	texts := map[string]*Text{}
	for _, ev := range d.Events {
		texts[ev.Name] = ev.Text[lang]
	}
	for _, sc := range d.Subclasses {
		texts[sc.Name] = sc.Text[lang]
	}
	var cur *Text
	var field *string
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \r")
		switch {
		case strings.HasPrefix(line, "## "):
			name := strings.TrimSpace(line[3:])
			t, ok := texts[name]
			if !ok {
				return fmt.Errorf("%s:%d: %q is not in events.tsv or subclasses.tsv", path, n, name)
			}
			if seen[name] {
				return fmt.Errorf("%s:%d: %q described twice", path, n, name)
			}
			seen[name] = true
			cur, field = t, nil
		case line == "":
			field = nil
		case strings.HasPrefix(line, "#"):
			cur, field = nil, nil
		case cur == nil:
			// Prose outside any entry is for the human reader.
		default:
			key, val, ok := strings.Cut(line, ":")
			var f *string
			if ok {
				switch key {
				case "when":
					f = &cur.When
				case "call":
					f = &cur.Call
				case "related":
					f = &cur.Related
				case "notes":
					f = &cur.Notes
				}
			}
			switch {
			case f != nil:
				if *f != "" {
					return fmt.Errorf("%s:%d: field %q given twice", path, n, key)
				}
				*f = strings.TrimSpace(val)
				field = f
			case field != nil:
				*field = joinLine(*field, strings.TrimSpace(line))
			default:
				return fmt.Errorf("%s:%d: line outside a field: %q", path, n, line)
			}
		}
	}
	return sc.Err()
}

// joinLine continues a wrapped paragraph. Wrapped English lines are joined
// with a space; a line break between two non-ASCII runes (Chinese) is not.
func joinLine(a, b string) string {
	if a == "" {
		return b
	}
	if a[len(a)-1] >= 0x80 && b[0] >= 0x80 {
		return a + b
	}
	return a + " " + b
}

// check enforces what the generated code relies on: FreeSWITCH's order
// (ids and numbers increasing), unique names, and a summary in every
// language.
func (d *Data) check() error {
	names := map[string]string{}
	for i, ev := range d.Events {
		if ev.ID != i {
			return fmt.Errorf("events.tsv: %s has id %d, want %d (FreeSWITCH's order)", ev.Name, ev.ID, i)
		}
		if err := unique(names, "event", ev.Name); err != nil {
			return err
		}
		if err := hasSummary("event "+ev.Name, ev.Text); err != nil {
			return err
		}
	}
	tables := []struct {
		kind string
		vs   []*Value
	}{{"channel state", d.ChannelStates}, {"call state", d.CallStates}, {"answer state", d.AnswerStates}, {"hangup cause", d.HangupCauses}}
	for _, tb := range tables {
		names := map[string]string{}
		last := -2
		for _, v := range tb.vs {
			if v.Number != -1 && v.Number <= last {
				return fmt.Errorf("%s %s: number %d out of order", tb.kind, v.Name, v.Number)
			}
			last = v.Number
			if err := unique(names, tb.kind, v.Name); err != nil {
				return err
			}
			if err := hasSummary(tb.kind+" "+v.Name, v.Text); err != nil {
				return err
			}
		}
	}
	for _, sc := range d.Subclasses {
		if err := hasSummary("subclass "+sc.Name, sc.Text); err != nil {
			return err
		}
	}
	return nil
}

func unique(seen map[string]string, kind, name string) error {
	k := strings.ToUpper(name)
	if _, dup := seen[k]; dup {
		return fmt.Errorf("%s %s listed twice", kind, name)
	}
	seen[k] = name
	return nil
}

func hasSummary(what string, t map[string]*Text) error {
	for _, lang := range Langs {
		if t[lang] == nil || t[lang].Summary == "" {
			return fmt.Errorf("%s has no %s summary", what, lang)
		}
	}
	return nil
}
