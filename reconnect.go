package esl

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// desiredState is what the user has put in force on the connection, as
// FreeSWITCH confirmed it with +OK. A reconnect applies it from scratch,
// in a fixed order, once.
type desiredState struct {
	all        bool            // event ALL in force
	types      map[string]bool // subscribed names (when !all)
	excluded   map[string]bool // names nixed while all
	subclasses []string        // CUSTOM subclasses, in the order added
	filters    []filterRule    // in the order added
	myevents   string          // uuid of `myevents <uuid>`
	divert     int8            // 0 unset, 1 on, -1 off
	linger     int             // 0 unset, -1 forever, n seconds
	logLevel   *LogLevel
}

type filterRule struct{ header, value string }

func (s *desiredState) clone() desiredState {
	c := *s
	c.types = cloneSet(s.types)
	c.excluded = cloneSet(s.excluded)
	c.subclasses = append([]string(nil), s.subclasses...)
	c.filters = append([]filterRule(nil), s.filters...)
	if s.logLevel != nil {
		l := *s.logLevel
		c.logLevel = &l
	}
	return c
}

func cloneSet(m map[string]bool) map[string]bool {
	if m == nil {
		return nil
	}
	c := make(map[string]bool, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// wants reports whether the user's subscriptions include the event name.
func (s *desiredState) wants(name string) bool {
	if s.all {
		return !s.excluded[name]
	}
	return s.types[name]
}

// subscribed applies a successful `event` command.
func (s *desiredState) subscribed(names, subclasses []string) {
	for _, n := range names {
		switch {
		case n == "ALL":
			s.all, s.types, s.excluded = true, nil, nil
		case s.all:
			delete(s.excluded, n)
		default:
			if s.types == nil {
				s.types = map[string]bool{}
			}
			s.types[n] = true
		}
	}
	for _, sc := range subclasses {
		if !anyExact(s.subclasses, sc) {
			s.subclasses = append(s.subclasses, sc)
		}
	}
}

// nixed applies a successful `nixevent` command.
func (s *desiredState) nixed(names, subclasses []string) {
	for _, n := range names {
		switch {
		case n == "ALL":
			s.all, s.types, s.excluded = false, nil, nil
		case s.all:
			if s.excluded == nil {
				s.excluded = map[string]bool{}
			}
			s.excluded[n] = true
		default:
			delete(s.types, n)
		}
	}
	for _, sc := range subclasses {
		for i, x := range s.subclasses {
			if x == sc {
				s.subclasses = append(s.subclasses[:i], s.subclasses[i+1:]...)
				break
			}
		}
	}
}

// noEvents applies a successful `noevents`: subscriptions go, filters and
// myevents stay.
func (s *desiredState) noEvents() {
	s.all, s.types, s.excluded, s.subclasses = false, nil, nil, nil
}

func (s *desiredState) hasSubscriptions() bool {
	return s.all || len(s.types) > 0 || len(s.subclasses) > 0
}

// deleteFilters mirrors `filter delete <header> [<value>]`: header names
// compare case-insensitively, values exactly.
func (s *desiredState) deleteFilters(header, value string, withValue bool) {
	kept := s.filters[:0]
	for _, f := range s.filters {
		if wire.EqualFold(f.header, header) && (!withValue || f.value == value) {
			continue
		}
		kept = append(kept, f)
	}
	clear(s.filters[len(kept):])
	s.filters = kept
}

// restoreCommands lists the commands that rebuild s on a fresh
// connection, in a fixed order: myevents (it binds the call), event
// subscriptions with the format, exclusions, filters, divert, linger, log.
func (s *desiredState) restoreCommands(format EventFormat) []*command {
	var cmds []*command
	if s.myevents != "" {
		// The format word makes FreeSWITCH refuse a uuid that no longer
		// exists instead of silently subscribing to every channel.
		cmds = append(cmds, &command{line: "myevents " + s.myevents + " " + string(format)})
	}
	if s.all {
		cmds = append(cmds, eventCommand("event", format, []string{"ALL"}, s.subclasses))
		if len(s.excluded) > 0 {
			cmds = append(cmds, eventCommand("nixevent", "", sortedKeys(s.excluded), nil))
		}
	} else if len(s.types) > 0 || len(s.subclasses) > 0 {
		cmds = append(cmds, eventCommand("event", format, sortedKeys(s.types), s.subclasses))
	}
	for _, f := range s.filters {
		cmds = append(cmds, &command{line: "filter " + f.header + " " + f.value})
	}
	switch s.divert {
	case 1:
		cmds = append(cmds, &command{line: "divert_events on"})
	case -1:
		cmds = append(cmds, &command{line: "divert_events off"})
	}
	switch {
	case s.linger < 0:
		cmds = append(cmds, &command{line: "linger"})
	case s.linger > 0:
		cmds = append(cmds, &command{line: "linger " + strconv.Itoa(s.linger)})
	}
	if s.logLevel != nil {
		cmds = append(cmds, logCommand(*s.logLevel))
	}
	return cmds
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	// Insertion sort: the sets are small and the order only needs to be
	// stable for tests and logs.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// restore applies the state to a new connection. A refused part is
// reported (joined) but does not stop the others; a dead connection does.
func restore(ctx context.Context, cn *conn, cmds []*command) error {
	var errs []error
	for _, cmd := range cmds {
		rep, err := cn.roundTrip(ctx, cmd)
		if err != nil {
			return err
		}
		if err := rep.err(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// backoff returns the wait before reconnect attempt n (0-based):
// exponential from min to max, each wait drawn between half and all of
// the step.
func backoff(n int, min, max time.Duration) time.Duration {
	d := min
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// filterPass evaluates FreeSWITCH's filter rules (§6.7 of the protocol
// notes) for one event: positive filters are OR-ed, a matching negative
// filter vetoes, events without the header skip that filter.
func filterPass(filters []filterRule, ev *Event) bool {
	if len(filters) == 0 {
		return true
	}
	send := false
	for _, f := range filters {
		hv, ok := ev.Lookup(f.header)
		if !ok {
			continue
		}
		v := f.value
		pos := true
		for len(v) > 0 && (v[0] == '+' || v[0] == '-' || v[0] == ' ') {
			pos = v[0] != '-'
			v = v[1:]
		}
		if send && pos {
			continue
		}
		var match bool
		if strings.HasPrefix(f.value, "/") {
			match = regexMatch(v, hv)
		} else {
			match = strings.EqualFold(hv, v)
		}
		if match {
			if !pos {
				return false
			}
			send = true
		}
	}
	return send
}

// regexMatch applies a /pattern/flags filter value (see
// wire.FilterRegexp; one RE2 lacks never matches).
func regexMatch(v, s string) bool {
	re, ok := wire.FilterRegexp(v)
	return ok && re.MatchString(s)
}
