package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/eslkit/esl"
)

// ANSI colours, as fs_cli uses them.
const (
	colReset   = "\x1b[0m"
	colRed     = "\x1b[31m"
	colGreen   = "\x1b[32m"
	colYellow  = "\x1b[33m"
	colBlue    = "\x1b[34m"
	colMagenta = "\x1b[35m"
	colCyan    = "\x1b[36m"
	colBold    = "\x1b[1m"
	colDim     = "\x1b[2m"
)

// logColours maps a FreeSWITCH log level (0 CONSOLE … 7 DEBUG) to fs_cli's
// colour for it.
var logColours = [...]string{"", colRed, colRed, colRed, colMagenta, colCyan, colGreen, colYellow}

// logLevelNames are the names the log command accepts, by number.
var logLevelNames = [...]string{"CONSOLE", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"}

// parseLogLevel accepts a level name (case-insensitive, as FreeSWITCH does)
// or a number 0-7.
func parseLogLevel(s string) (int, bool) {
	for i, n := range logLevelNames {
		if strings.EqualFold(s, n) {
			return i, true
		}
	}
	if len(s) == 1 && s[0] >= '0' && s[0] <= '7' {
		return int(s[0] - '0'), true
	}
	return 0, false
}

// writeLog prints one log line, coloured by level when colour is on.
func writeLog(w io.Writer, level int, text string, colour bool) {
	text = strings.TrimRight(text, "\n")
	if colour && level >= 0 && level < len(logColours) && logColours[level] != "" {
		fmt.Fprintf(w, "%s%s%s\n", logColours[level], text, colReset)
		return
	}
	fmt.Fprintln(w, text)
}

// boring headers are on every event and say nothing about it; text format
// leaves them out so a terminal shows what matters.
var boring = map[string]bool{
	"Core-UUID": true, "FreeSWITCH-Hostname": true, "FreeSWITCH-Switchname": true,
	"FreeSWITCH-IPv4": true, "FreeSWITCH-IPv6": true, "Event-Date-Local": true,
	"Event-Date-GMT": true, "Event-Date-Timestamp": true, "Event-Calling-File": true,
	"Event-Calling-Function": true, "Event-Calling-Line-Number": true, "Event-Sequence": true,
	"Event-Name": true,
}

// writeEventText prints an event for a human: a summary line (time, name,
// uuid, what happened) and its headers indented, without the boilerplate
// every event repeats and, unless vars is set, without channel variables.
func writeEventText(w io.Writer, ev *esl.Event, colour, vars bool) {
	var b strings.Builder
	t := ev.Time()
	if t.IsZero() {
		t = time.Now()
	}
	name := ev.Get("Event-Name")
	if sub := ev.Subclass(); sub != "" {
		name += " " + sub
	}
	if colour {
		b.WriteString(colDim)
	}
	b.WriteString(t.Local().Format("15:04:05.000"))
	if colour {
		b.WriteString(colReset + " " + colBold + colCyan)
	} else {
		b.WriteByte(' ')
	}
	b.WriteString(name)
	if colour {
		b.WriteString(colReset)
	}
	if id := ev.UniqueID(); id != "" {
		b.WriteString(" " + id)
	}
	if s := eventSummary(ev); s != "" {
		b.WriteString("  " + s)
	}
	b.WriteByte('\n')
	for h := range ev.Headers() {
		if boring[h.Name] || (!vars && strings.HasPrefix(h.Name, "variable_")) {
			continue
		}
		b.WriteString("  ")
		if colour {
			b.WriteString(colDim + h.Name + ":" + colReset + " ")
		} else {
			b.WriteString(h.Name + ": ")
		}
		if h.Array != nil {
			b.WriteString("[" + strings.Join(h.Array, ", ") + "]")
		} else {
			b.WriteString(h.Value)
		}
		b.WriteByte('\n')
	}
	if body := ev.Body(); body != "" {
		b.WriteString("  ---\n")
		for line := range strings.SplitSeq(strings.TrimRight(body, "\n"), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	io.WriteString(w, b.String())
}

// eventSummary is the one-line gist of a channel or job event.
func eventSummary(ev *esl.Event) string {
	var parts []string
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, label+v)
		}
	}
	if from, to := ev.Get("Caller-Caller-ID-Number"), ev.Get("Caller-Destination-Number"); from != "" || to != "" {
		parts = append(parts, from+" -> "+to)
	}
	add("", ev.Get("Channel-State"))
	add("", ev.Get("Channel-Call-State"))
	add("app=", ev.Get("Application"))
	add("cause=", ev.Get("Hangup-Cause"))
	add("job=", ev.Get("Job-Command"))
	return strings.Join(parts, " ")
}
