package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/eslkit/esl"
)

// complete is the line editor's tab key: the shell's own /commands and
// event names locally, everything else through FreeSWITCH's
// console_complete (fs_cli's own mechanism), falling back to a list of
// common api commands when the server offers none.
func (s *shell) complete(line string, pos int, key rune) (string, int, bool) {
	if key != '\t' {
		return "", 0, false
	}
	head, tail := line[:pos], line[pos:]
	if strings.HasPrefix(strings.TrimLeft(head, " "), "/") {
		newHead, listing := completeLocal(head)
		s.showListing(listing)
		return newHead + tail, len(newHead), true
	}
	if newHead, listing, ok := s.consoleComplete(head); ok {
		s.showListing(listing)
		return newHead + tail, len(newHead), true
	}
	newHead, listing := completeWord(head, commonAPICommands)
	s.showListing(listing)
	return newHead + tail, len(newHead), true
}

func (s *shell) showListing(listing []string) {
	if len(listing) > 1 {
		fmt.Fprintln(s.out, strings.Join(listing, "  "))
	}
}

// consoleComplete asks FreeSWITCH. Its answer is a listing of matches and,
// when the word can be extended, "\n\nwrite=N:TEXT": replace the last N
// bytes before the cursor with TEXT.
func (s *shell) consoleComplete(head string) (string, []string, bool) {
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Second)
	defer cancel()
	body, err := s.l.API(ctx, "console_complete "+head)
	if err != nil || strings.HasPrefix(body, "-ERR") || strings.HasPrefix(body, "-USAGE") {
		return "", nil, false
	}
	return applyConsoleComplete(head, body)
}

// applyConsoleComplete applies a console_complete answer to the text before
// the cursor.
func applyConsoleComplete(head, body string) (string, []string, bool) {
	listing := body
	newHead := head
	if i := strings.Index(body, "\n\nwrite="); i >= 0 {
		listing = body[:i]
		w := body[i+len("\n\nwrite="):]
		n, text, ok := strings.Cut(w, ":")
		if !ok {
			return "", nil, false
		}
		k, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || k < 0 || k > len(head) {
			return "", nil, false
		}
		newHead = head[:len(head)-k] + strings.TrimRight(text, "\r\n")
	}
	var items []string
	for _, f := range strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(listing)) {
		items = append(items, f)
	}
	if newHead == head && len(items) == 0 {
		return "", nil, false
	}
	return newHead, items, true
}

// completeLocal completes the shell's own commands and their arguments.
func completeLocal(head string) (string, []string) {
	fields := strings.Fields(head)
	if len(fields) == 0 || (len(fields) == 1 && !strings.HasSuffix(head, " ")) {
		return completeWord(head, slashCommands)
	}
	switch strings.ToLower(fields[0]) {
	case "/event", "/nixevent":
		return completeWordFold(head, append(eventNames(), "plain", "json", "xml"))
	case "/log":
		return completeWordFold(head, logLevelNames[:])
	}
	return head, nil
}

// completeWord completes the last word of head from candidates: a single
// match is completed with a space after it, several are extended to their
// common prefix and listed.
func completeWord(head string, candidates []string) (string, []string) {
	return completeWordWith(head, candidates, strings.HasPrefix)
}

// completeWordFold is completeWord ignoring case (event names, levels).
func completeWordFold(head string, candidates []string) (string, []string) {
	return completeWordWith(head, candidates, func(s, p string) bool {
		return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
	})
}

// completeWordWith completes the last word of head from candidates, with
// match deciding what fits (prefix, or case-insensitive prefix for event
// names): the shared common prefix and the matches to list.
func completeWordWith(head string, candidates []string, match func(s, prefix string) bool) (string, []string) {
	start := strings.LastIndexByte(head, ' ') + 1
	word := head[start:]
	var matches []string
	for _, c := range candidates {
		if match(c, word) {
			matches = append(matches, c)
		}
	}
	matches = sortedUnique(matches)
	switch len(matches) {
	case 0:
		return head, nil
	case 1:
		return head[:start] + matches[0] + " ", nil
	}
	p := matches[0]
	for _, m := range matches[1:] {
		for !strings.HasPrefix(m, p) {
			p = p[:len(p)-1]
		}
	}
	if len(p) > len(word) {
		return head[:start] + p, matches
	}
	return head, matches
}

// commonAPICommands complete the first word when the server has no
// console_complete.
var commonAPICommands = []string{
	"bgapi", "break", "echo", "eval", "fsctl", "global_getvar", "global_setvar", "help",
	"hostname", "hupall", "load", "log", "module_exists", "originate", "reloadxml",
	"show", "shutdown", "status", "unload", "uptime", "uuid_answer", "uuid_bridge",
	"uuid_broadcast", "uuid_dump", "uuid_exists", "uuid_getvar", "uuid_hold",
	"uuid_kill", "uuid_park", "uuid_send_dtmf", "uuid_setvar", "uuid_transfer", "version",
}

// eventNames are FreeSWITCH's event names, from the catalogue.
func eventNames() []string {
	names := esl.EventNames()
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = string(n)
	}
	return out
}
