package track

import (
	"strconv"
	"strings"
	"time"

	"github.com/eslkit/esl"
)

// fields is the part of an event the tracker uses, gathered in one pass
// over the headers (an event has 100-200 of them; a lookup per field would
// scan them twenty times).
type fields struct {
	event                     esl.EventName
	uuid, oldUUID             string
	chanName, direction       string
	state, callState, answer  string
	hasState                  bool // Channel-State present: this is channel data
	cause                     string
	callerName, callerNum     string
	calleeName, calleeNum     string
	dest, context             string
	created, answered, hungup string // µs since the epoch
	app, appData, appUUID     string
	bridgeA, bridgeB          string
	billsec                   string
	date                      string // Event-Date-Timestamp
	vars                      []esl.Header
}

// gather reads the event's headers once. keep selects the variables to
// collect. Header names are matched as FreeSWITCH spells them, and
// case-insensitively when a name does not match exactly.
func gather(ev *esl.Event, keep map[string]struct{}) fields {
	var f fields
	for h := range ev.Headers() {
		name := h.Name
		// Most headers of a verbose event are variables: settle them
		// without the name switch.
		if len(name) > 9 && name[0] == 'v' && name[:9] == "variable_" {
			if name == "variable_billsec" && f.billsec == "" {
				f.billsec = h.Value
			} else if keep != nil {
				if _, ok := keep[name[9:]]; ok {
					f.vars = append(f.vars, h)
				}
			}
			continue
		}
		if !f.set(name, h.Value) && name != "" && name[0] >= 'a' && name[0] <= 'z' {
			f.set(canonical(name), h.Value)
		}
	}
	return f
}

// set stores one header if the tracker uses it. The first of a repeated
// header wins (CHANNEL_HANGUP_COMPLETE carries Hangup-Cause twice).
func (f *fields) set(name, v string) bool {
	var p *string
	switch name {
	case "Event-Name":
		if f.event == "" {
			f.event = esl.EventName(v)
		}
		return true
	case "Unique-ID":
		p = &f.uuid
	case "Old-Unique-ID":
		p = &f.oldUUID
	case "Channel-Name":
		p = &f.chanName
	case "Call-Direction":
		p = &f.direction
	case "Channel-State":
		f.hasState = true
		p = &f.state
	case "Channel-Call-State":
		p = &f.callState
	case "Answer-State":
		p = &f.answer
	case "Hangup-Cause":
		p = &f.cause
	case "Caller-Caller-ID-Name":
		p = &f.callerName
	case "Caller-Caller-ID-Number":
		p = &f.callerNum
	case "Caller-Callee-ID-Name":
		p = &f.calleeName
	case "Caller-Callee-ID-Number":
		p = &f.calleeNum
	case "Caller-Destination-Number":
		p = &f.dest
	case "Caller-Context":
		p = &f.context
	case "Caller-Channel-Created-Time":
		p = &f.created
	case "Caller-Channel-Answered-Time":
		p = &f.answered
	case "Caller-Channel-Hangup-Time":
		p = &f.hungup
	case "Application":
		p = &f.app
	case "Application-Data":
		p = &f.appData
	case "Application-UUID":
		p = &f.appUUID
	case "Bridge-A-Unique-ID":
		p = &f.bridgeA
	case "Bridge-B-Unique-ID":
		p = &f.bridgeB
	case "Event-Date-Timestamp":
		p = &f.date
	default:
		return false
	}
	if *p == "" {
		*p = v
	}
	return true
}

var canonicalNames = []string{
	"Event-Name", "Unique-ID", "Old-Unique-ID", "Channel-Name", "Call-Direction", "Channel-State",
	"Channel-Call-State", "Answer-State", "Hangup-Cause", "Caller-Caller-ID-Name", "Caller-Caller-ID-Number",
	"Caller-Callee-ID-Name", "Caller-Callee-ID-Number", "Caller-Destination-Number", "Caller-Context",
	"Caller-Channel-Created-Time", "Caller-Channel-Answered-Time", "Caller-Channel-Hangup-Time",
	"Application", "Application-Data", "Application-UUID", "Bridge-A-Unique-ID", "Bridge-B-Unique-ID",
	"Event-Date-Timestamp",
}

// canonical maps a lower-case spelling ("unique-id", which FreeSWITCH uses
// in a few places) to the canonical one, or returns "" (the rare path).
func canonical(name string) string {
	for _, c := range canonicalNames {
		if strings.EqualFold(c, name) {
			return c
		}
	}
	return ""
}

// micros parses a FreeSWITCH µs-since-epoch time; "0" and junk are zero.
func micros(s string) time.Time {
	if s == "" || s == "0" {
		return time.Time{}
	}
	us, err := strconv.ParseInt(s, 10, 64)
	if err != nil || us <= 0 {
		return time.Time{}
	}
	return time.UnixMicro(us)
}
