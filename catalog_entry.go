package esl

import (
	"strconv"
	"strings"
)

// Lang selects the language of the catalogue's text.
type Lang string

// The languages the catalogue is written in.
const (
	English Lang = "en" // English, the default
	Chinese Lang = "zh" // Simplified Chinese (中文)
)

const numLangs = 2

// index maps a Lang to its slot in the tables; anything unknown reads as
// English.
func (l Lang) index() int {
	if l == Chinese {
		return 1
	}
	return 0
}

// ParseLang returns the language named s ("en", "zh", "english", "chinese",
// "中文", case-insensitively) and whether there is one.
func ParseLang(s string) (Lang, bool) {
	switch strings.ToLower(s) {
	case "en", "eng", "english":
		return English, true
	case "zh", "cn", "zh-cn", "zh_cn", "chinese", "中文":
		return Chinese, true
	}
	return "", false
}

// EntryKind says what a catalogue Entry describes.
type EntryKind string

// The kinds of catalogue entry.
const (
	EntryEvent        EntryKind = "event"         // an EventName
	EntryChannelState EntryKind = "channel-state" // a ChannelState (CS_*)
	EntryCallState    EntryKind = "call-state"    // a CallState
	EntryAnswerState  EntryKind = "answer-state"  // an AnswerState
	EntryHangupCause  EntryKind = "hangup-cause"  // a HangupCause
	EntrySubclass     EntryKind = "subclass"      // a CUSTOM event subclass
)

// EntryKinds returns every EntryKind in the order the catalogue lists them.
func EntryKinds() []EntryKind {
	return []EntryKind{EntryEvent, EntryChannelState, EntryCallState, EntryAnswerState, EntryHangupCause, EntrySubclass}
}

// Entry is the catalogue's description of one event, state, cause or CUSTOM
// subclass, in one language.
type Entry struct {
	// Kind says which table the entry comes from (event, channel state, …).
	Kind EntryKind `json:"kind"`
	// Name is FreeSWITCH's spelling (CHANNEL_CREATE, CS_EXECUTE, ringing,
	// USER_BUSY, callcenter::info).
	Name string `json:"name"`
	// GoName is the Go constant for it in package esl (EventChannelCreate).
	GoName string `json:"go_name"`
	// Number is the event id, the state number or the hangup-cause value;
	// -1 for answer states and subclasses, which FreeSWITCH does not number.
	Number int `json:"number"`
	// Q850 is, for hangup causes, the Q.850 code FreeSWITCH reports.
	Q850 int `json:"q850,omitempty"`
	// Lang is the language the text fields are written in.
	Lang Lang `json:"lang"`
	// Summary is a one-line meaning.
	Summary string `json:"summary"`
	// When says when FreeSWITCH fires the event (events and subclasses).
	When string `json:"when,omitempty"`
	// Call says what the event means for a call.
	Call string `json:"call,omitempty"`
	// Related says how the event relates to others (order, pairs).
	Related string `json:"related,omitempty"`
	// Notes holds quirks and corrections to common descriptions.
	Notes string `json:"notes,omitempty"`
	// Group is the family of an event: channel, system, presence, media,
	// schedule, custom, internal or keyword.
	Group string `json:"group,omitempty"`
	// Headers are the headers that matter for an event, beyond the ones
	// every event has. "basic" stands for the channel data every channel
	// event carries (Channel-State, Channel-State-Number, Channel-Name,
	// Unique-ID, Call-Direction, Answer-State, Caller-*).
	Headers []string `json:"headers,omitempty"`
	// Module, ActionHeader and Actions describe a CUSTOM subclass: the
	// module firing it, the header naming what happened, and its values.
	Module       string   `json:"module,omitempty"`
	ActionHeader string   `json:"action_header,omitempty"`
	Actions      []string `json:"actions,omitempty"`
}

func (e *Entry) setText(t *entryText) {
	e.Summary, e.When, e.Call, e.Related, e.Notes = t.summary, t.when, t.call, t.related, t.notes
}

func eventEntry(id int, lang Lang) Entry {
	ev := &eventTable[id]
	e := Entry{Kind: EntryEvent, Name: string(ev.name), GoName: ev.goName, Number: id, Lang: lang, Group: ev.group, Headers: ev.headers}
	e.setText(&ev.text[lang.index()])
	return e
}

func valueEntry[T comparable](kind EntryKind, v *valueInfo[T], number int, lang Lang) Entry {
	e := Entry{Kind: kind, Name: v.name, GoName: v.goName, Number: number, Lang: lang}
	e.setText(&v.text[lang.index()])
	return e
}

func causeEntry(i int, lang Lang) Entry {
	v := &hangupCauseTable[i]
	e := valueEntry(EntryHangupCause, v, int(v.value), lang)
	e.Q850 = v.value.Q850()
	return e
}

func subclassEntry(i int, lang Lang) Entry {
	sc := &subclassTable[i]
	e := Entry{Kind: EntrySubclass, Name: sc.name, GoName: sc.goName, Number: -1, Lang: lang,
		Module: sc.module, ActionHeader: sc.actionHeader, Actions: sc.actions}
	e.setText(&sc.text[lang.index()])
	return e
}

// Entry returns the catalogue's description of the event, and false for a
// name FreeSWITCH does not define.
func (n EventName) Entry(lang Lang) (Entry, bool) {
	id, ok := findEvent(string(n))
	if !ok {
		return Entry{}, false
	}
	return eventEntry(id, lang), true
}

// Entry returns the catalogue's description of the state, and false for an
// unknown number.
func (s ChannelState) Entry(lang Lang) (Entry, bool) {
	if s < 0 || int(s) >= len(channelStateTable) {
		return Entry{}, false
	}
	return valueEntry(EntryChannelState, &channelStateTable[s], int(s), lang), true
}

// Entry returns the catalogue's description of the state, and false for an
// unknown number.
func (s CallState) Entry(lang Lang) (Entry, bool) {
	if s < 0 || int(s) >= len(callStateTable) {
		return Entry{}, false
	}
	return valueEntry(EntryCallState, &callStateTable[s], int(s), lang), true
}

// Entry returns the catalogue's description of the state, and false for an
// unknown one.
func (s AnswerState) Entry(lang Lang) (Entry, bool) {
	i, ok := lookupAnswerState(string(s))
	if !ok {
		return Entry{}, false
	}
	return valueEntry(EntryAnswerState, &answerStateTable[i], -1, lang), true
}

// Entry returns the catalogue's description of the cause, and false for a
// value FreeSWITCH does not define.
func (c HangupCause) Entry(lang Lang) (Entry, bool) {
	i, ok := causeIndex(c)
	if !ok {
		return Entry{}, false
	}
	return causeEntry(i, lang), true
}

// CatalogEntries returns every entry of one kind in FreeSWITCH's order.
func CatalogEntries(kind EntryKind, lang Lang) []Entry {
	var out []Entry
	switch kind {
	case EntryEvent:
		for i := range eventTable {
			out = append(out, eventEntry(i, lang))
		}
	case EntryChannelState:
		for i := range channelStateTable {
			out = append(out, valueEntry(kind, &channelStateTable[i], i, lang))
		}
	case EntryCallState:
		for i := range callStateTable {
			out = append(out, valueEntry(kind, &callStateTable[i], i, lang))
		}
	case EntryAnswerState:
		for i := range answerStateTable {
			out = append(out, valueEntry(kind, &answerStateTable[i], -1, lang))
		}
	case EntryHangupCause:
		for i := range hangupCauseTable {
			out = append(out, causeEntry(i, lang))
		}
	case EntrySubclass:
		for i := range subclassTable {
			out = append(out, subclassEntry(i, lang))
		}
	}
	return out
}

// Explain returns every entry called name, in the order of EntryKinds: the
// name is matched case-insensitively against FreeSWITCH's spelling and the
// Go constant (HANGUP is both a call state and, as "hangup", an answer
// state). A number is read as a hangup-cause code ("17" is USER_BUSY).
// Nothing found returns nil.
func Explain(name string, lang Lang) []Entry {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil
	}
	if n, err := strconv.Atoi(name); err == nil {
		if e, ok := HangupCause(n).Entry(lang); ok {
			return []Entry{e}
		}
		return nil
	}
	var out []Entry
	for _, kind := range EntryKinds() {
		for _, e := range CatalogEntries(kind, lang) {
			if strings.EqualFold(e.Name, name) || strings.EqualFold(e.GoName, name) || strings.EqualFold("esl."+e.GoName, name) {
				out = append(out, e)
			}
		}
	}
	return out
}
