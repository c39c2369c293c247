package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/eslkit/esl/track"
)

// channelRow is one channel as the CLI shows it, in the table and as JSON.
type channelRow struct {
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Direction   string `json:"direction"`
	State       string `json:"state"`
	CallState   string `json:"call_state"`
	AnswerState string `json:"answer_state"`
	Caller      string `json:"caller"`
	CallerName  string `json:"caller_name,omitempty"`
	Callee      string `json:"callee"`
	Application string `json:"application,omitempty"`
	AppData     string `json:"application_data,omitempty"`
	Held        bool   `json:"held"`
	Parked      bool   `json:"parked"`
	Peer        string `json:"peer,omitempty"`
	CallID      string `json:"call_id,omitempty"`
	Created     string `json:"created,omitempty"`
	DurationSec int    `json:"duration_sec"`
	HangupCause string `json:"hangup_cause,omitempty"`
}

// callRow is one call (a bridge and its legs), in the calls section and
// as JSON.
type callRow struct {
	ID          string `json:"id"`
	A           string `json:"a"`
	B           string `json:"b"`
	Bridged     bool   `json:"bridged"`
	State       string `json:"state"`
	AName       string `json:"a_name,omitempty"`
	BName       string `json:"b_name,omitempty"`
	Caller      string `json:"caller,omitempty"`
	Callee      string `json:"callee,omitempty"`
	BridgedAt   string `json:"bridged_at,omitempty"`
	DurationSec int    `json:"duration_sec"`
}

// channelsJSON is `esl channels --once --json`.
type channelsJSON struct {
	Channels []channelRow   `json:"channels"`
	Calls    []callRow      `json:"calls"`
	ByState  map[string]int `json:"by_state"`
	Total    int            `json:"total"`
	Answered int            `json:"answered"`
}

// rowOf flattens a tracked channel for display; its duration runs to now
// while the channel is up and stops at its hangup.
func rowOf(c *track.Channel, now time.Time) channelRow {
	r := channelRow{
		UUID: c.UniqueID, Name: c.Name, Direction: c.Direction,
		State: c.State.String(), CallState: c.CallState.String(), AnswerState: c.AnswerState.String(),
		Caller: c.CallerNumber, CallerName: c.CallerName, Callee: callee(c),
		Application: c.Application, AppData: c.ApplicationData,
		Held: c.Held, Parked: c.Parked, Peer: c.Peer, CallID: c.CallID,
	}
	if c.HangupCause != 0 {
		r.HangupCause = c.HangupCause.String()
	}
	if !c.Created.IsZero() {
		r.Created = c.Created.UTC().Format(time.RFC3339)
		end := now
		if !c.HungUp.IsZero() {
			end = c.HungUp
		}
		if d := end.Sub(c.Created); d > 0 {
			r.DurationSec = int(d / time.Second)
		}
	}
	return r
}

// callee is who the channel is calling: the dialled number, else the
// callee id (loopback legs carry their context there, so it comes second).
func callee(c *track.Channel) string {
	if c.Destination != "" {
		return c.Destination
	}
	return c.CalleeNumber
}

// snapshotJSON is the --json form of a snapshot. Empty lists are [] rather
// than null so that jq filters like .channels[] work on an idle system.
func snapshotJSON(s track.Snapshot) channelsJSON {
	out := channelsJSON{Channels: []channelRow{}, Calls: []callRow{}, ByState: map[string]int{}, Answered: s.Answered}
	for i := range s.Channels {
		out.Channels = append(out.Channels, rowOf(&s.Channels[i], s.Taken))
	}
	legs := legsOf(&s)
	for i := range s.Calls {
		out.Calls = append(out.Calls, callRowOf(&s.Calls[i], legs, s.Taken))
	}
	for st, n := range s.ByState {
		if n > 0 {
			out.ByState[fmt.Sprint(st)] = n
		}
	}
	out.Total = len(s.Channels)
	return out
}

// renderChannels draws the channel table for a width×height screen: a
// title line, the counts by state, a header and the channels, then the
// calls section (see callsSection); the two share the rows left (see
// splitRows). Every line is cut to width so the screen never scrolls.
func renderChannels(s track.Snapshot, title string, width, height int, colour bool) []string {
	var lines []string
	add := func(s string) { lines = append(lines, clip(s, width)) }
	add(title)
	var counts []string
	for st, n := range s.ByState {
		if n > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", strings.TrimPrefix(fmt.Sprint(st), "CS_"), n))
		}
	}
	sort.Strings(counts)
	held, parked := 0, 0
	for i := range s.Channels {
		if s.Channels[i].Held {
			held++
		}
		if s.Channels[i].Parked {
			parked++
		}
	}
	bridged := 0
	for _, c := range s.Calls {
		if c.Bridged {
			bridged++
		}
	}
	add(fmt.Sprintf("channels %d  answered %d  bridged calls %d  held %d  parked %d  |  %s",
		len(s.Channels), s.Answered, bridged, held, parked, strings.Join(counts, "  ")))
	appW := appWidth(width)
	header := tableRow("UUID", "STATE", "CALL", "CALLER", "CALLEE", "APPLICATION", appW, "TIME", "FLAGS")
	if colour {
		add(colBold + header + colReset)
	} else {
		add(header)
	}
	chRoom, callRoom := splitRows(len(s.Channels), len(s.Calls), height-len(lines))
	for _, l := range fitRows(len(s.Channels), chRoom, func(i int) string {
		return channelLine(rowOf(&s.Channels[i], s.Taken), appW)
	}) {
		add(l)
	}
	for _, l := range callsSection(&s, legsOf(&s), callRoom, colour) {
		add(l)
	}
	return lines
}

// channelLine formats one channel for the table: its flags say held,
// parked, the bridged peer and the hangup cause.
func channelLine(r channelRow, appW int) string {
	var flags []string
	if r.Held {
		flags = append(flags, "HOLD")
	}
	if r.Parked {
		flags = append(flags, "PARK")
	}
	if r.Peer != "" {
		flags = append(flags, "↔"+short(r.Peer))
	}
	if r.HangupCause != "" {
		flags = append(flags, r.HangupCause)
	}
	app := r.Application
	if r.AppData != "" {
		app += " " + r.AppData
	}
	return tableRow(short(r.UUID), fitw(strings.TrimPrefix(r.State, "CS_"), 14), fitw(r.CallState, 8), fitw(r.Caller, 12), fitw(r.Callee, 12),
		app, appW, fmtDuration(time.Duration(r.DurationSec)*time.Second), strings.Join(flags, " "))
}

// rowFormat lays out one table row, but for the application column that
// tableRow adds: with it 18 wide, a row fits 100 columns with the flags.
const rowFormat = "%-8s %-14s %-8s %-12s %-12s %s%7s %s"

// appWidth is how wide the application column is on a screen width
// columns wide (0: any width). The time and the flags (HOLD, PARK, the
// bridged peer) say more about a call than the application's arguments,
// so on a narrow screen the application column gives way first, and goes
// when fewer than 8 columns are left for it.
func appWidth(width int) int {
	// others: the columns but the application and the flags, with their
	// spaces; flags: room for "HOLD PARK" or a bridged peer ("↔" uuid).
	const full, others, flags = 18, 67, 9
	if width <= 0 || width >= others+full+1+flags {
		return full
	}
	if w := width - others - 1 - flags; w >= 8 {
		return w
	}
	return 0
}

// tableRow formats one row with the application cut to appW (left out
// when appW is 0).
func tableRow(uuid, state, call, caller, callee, app string, appW int, dur, flags string) string {
	cell := ""
	if appW > 0 {
		cell = fmt.Sprintf("%-*s ", appW, fitw(app, appW))
	}
	return fmt.Sprintf(rowFormat, uuid, state, call, caller, callee, cell, dur, flags)
}

func short(uuid string) string {
	if len(uuid) > 8 {
		return uuid[:8]
	}
	return uuid
}

func fmtDuration(d time.Duration) string {
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// fitw cuts s to n runes, marking the cut.
func fitw(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// clip cuts a line to width visible runes, ignoring ANSI colour sequences.
func clip(s string, width int) string {
	if width <= 0 {
		return s
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			j := strings.IndexByte(s[i:], 'm')
			if j < 0 {
				break
			}
			b.WriteString(s[i : i+j+1])
			i += j + 1
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if n == width {
			break
		}
		b.WriteRune(r)
		n++
		i += size
	}
	return b.String()
}
