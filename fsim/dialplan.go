package fsim

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

// Action is one dialplan step: an application and its argument.
type Action struct {
	App, Data string
}

// Dialplan maps extensions (by context) to applications, as the XML
// dialplan does. A number starting with "^" is a regular expression
// matched against the destination number; otherwise it must match
// exactly. Safe for concurrent use: a running simulator picks up changes
// for the next call that is routed.
type Dialplan struct {
	mu       sync.RWMutex
	contexts map[string][]extension
}

type extension struct {
	number  string
	re      *regexp.Regexp
	actions []Action
}

// NewDialplan returns an empty dialplan (every call gets
// NO_ROUTE_DESTINATION).
func NewDialplan() *Dialplan { return &Dialplan{contexts: map[string][]extension{}} }

// DefaultDialplan returns the dialplan of the captures, context "default":
// 9999 answer, a 3 s 440 Hz tone, hangup; 8888 answer, park; 5555 bridge to
// loopback/9999 with hangup_after_bridge; 7777 socket 127.0.0.1:8084 async
// full without answering; 7778 answer then the same socket.
func DefaultDialplan() *Dialplan {
	d := NewDialplan()
	d.Add("default", "9999", Action{"answer", ""}, Action{"playback", "tone_stream://%(1000,0,440);loops=3"},
		Action{"hangup", "NORMAL_CLEARING"})
	d.Add("default", "8888", Action{"answer", ""}, Action{"park", ""})
	d.Add("default", "5555", Action{"set", "hangup_after_bridge=true"}, Action{"bridge", "loopback/9999/default"})
	d.Add("default", "7777", Action{"socket", "127.0.0.1:8084 async full"})
	d.Add("default", "7778", Action{"answer", ""}, Action{"socket", "127.0.0.1:8084 async full"})
	return d
}

// Add sets the actions of an extension, replacing an existing one with the
// same context and number. It returns an error for a bad regular
// expression.
func (d *Dialplan) Add(context, number string, actions ...Action) error {
	ext := extension{number: number, actions: actions}
	if strings.HasPrefix(number, "^") {
		re, err := regexp.Compile(number)
		if err != nil {
			return fmt.Errorf("fsim: dialplan %s/%s: %w", context, number, err)
		}
		ext.re = re
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	exts := d.contexts[context]
	for i := range exts {
		if exts[i].number == number {
			exts[i] = ext
			return nil
		}
	}
	d.contexts[context] = append(exts, ext)
	return nil
}

// Remove deletes an extension.
func (d *Dialplan) Remove(context, number string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	exts := d.contexts[context]
	for i := range exts {
		if exts[i].number == number {
			d.contexts[context] = append(exts[:i], exts[i+1:]...)
			return
		}
	}
}

// Lookup returns the actions for a destination in a context.
func (d *Dialplan) Lookup(context, dest string) ([]Action, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, e := range d.contexts[context] {
		if e.number == dest || e.re != nil && e.re.MatchString(dest) {
			return append([]Action(nil), e.actions...), true
		}
	}
	return nil, false
}

// Dialplan returns the simulator's dialplan, to change at run time.
func (s *Sim) Dialplan() *Dialplan { return s.dialplan }

func (s *Sim) lookup(ctx, dest string) ([]app, bool) {
	acts, ok := s.dialplan.Lookup(ctx, dest)
	if !ok {
		return nil, false
	}
	apps := make([]app, len(acts))
	for i, a := range acts {
		apps[i] = app{name: a.App, arg: a.Data}
	}
	return apps, true
}

// DialplanSyntaxError reports a bad line in a dialplan file.
type DialplanSyntaxError struct {
	Line int
	Msg  string
}

func (e *DialplanSyntaxError) Error() string {
	return fmt.Sprintf("fsim: dialplan line %d: %s", e.Line, e.Msg)
}

// ParseDialplan reads a dialplan file:
//
//	# comment
//	context default
//	extension 9999
//	  answer
//	  playback tone_stream://%(1000,0,440);loops=3
//	  hangup NORMAL_CLEARING
//	extension ^1\d{3}$
//	  answer
//	  park
//
// "context NAME" starts a context (default "default"); "extension NUMBER"
// starts an extension (NUMBER starting with ^ is a regular expression);
// each indented line is one application followed by its argument (the
// rest of the line, verbatim).
func ParseDialplan(r io.Reader) (*Dialplan, error) {
	d := NewDialplan()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	ctx := "default"
	var num string
	var acts []Action
	have := false
	flush := func(line int) error {
		if !have {
			return nil
		}
		if err := d.Add(ctx, num, acts...); err != nil {
			return &DialplanSyntaxError{line, err.Error()}
		}
		have, acts = false, nil
		return nil
	}
	n := 0
	for sc.Scan() {
		n++
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		word, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch {
		case indented:
			if !have {
				return nil, &DialplanSyntaxError{n, "application outside an extension"}
			}
			acts = append(acts, Action{App: word, Data: rest})
		case word == "context":
			if err := flush(n); err != nil {
				return nil, err
			}
			if rest == "" {
				return nil, &DialplanSyntaxError{n, "context without a name"}
			}
			ctx = rest
		case word == "extension":
			if err := flush(n); err != nil {
				return nil, err
			}
			if rest == "" {
				return nil, &DialplanSyntaxError{n, "extension without a number"}
			}
			num, have = rest, true
		default:
			return nil, &DialplanSyntaxError{n, fmt.Sprintf("unknown keyword %q (want context, extension or an indented application)", word)}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(n); err != nil {
		return nil, err
	}
	return d, nil
}
