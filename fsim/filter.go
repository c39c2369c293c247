package fsim

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// filter is one "filter <Header> <value>" entry (§6.7).
type filter struct {
	header string
	value  string // as given
	match  string // value without its leading +, - and spaces
	pos    bool
	re     *regexp.Regexp // for /pattern/flags values
	reBad  bool           // a /value without closing slash never matches
}

func newFilter(header, value string) filter {
	f := filter{header: header, value: value}
	v := value
	pos := true
	for len(v) > 0 && (v[0] == '+' || v[0] == '-' || v[0] == ' ') {
		if v[0] == '+' {
			pos = true
		} else if v[0] == '-' {
			pos = false
		}
		v = v[1:]
	}
	f.match, f.pos = v, pos
	if strings.HasPrefix(value, "/") {
		// The regex is applied to the stripped value, slashes included, as
		// mes.c hands it to switch_regex_match: /pattern/flags.
		re, ok := wire.FilterRegexp(v)
		if !ok {
			f.reBad = true
			return f
		}
		f.re = re
	}
	return f
}

// passFilters is the filter loop of mes.c event_handler.
func passFilters(fs []filter, e *event) bool {
	if len(fs) == 0 {
		return true
	}
	send := false
	for i := range fs {
		f := &fs[i]
		hv, ok := headerScalar(e, f.header)
		if !ok {
			continue
		}
		if send && f.pos {
			continue
		}
		var match bool
		switch {
		case f.re != nil:
			match = f.re.MatchString(hv)
		case f.reBad:
			match = false
		default:
			match = equalFold(hv, f.match)
		}
		if match {
			if f.pos {
				send = true
			} else {
				return false
			}
		}
	}
	return send
}

// headerScalar is the first header called name in its scalar form.
func headerScalar(e *event, name string) (string, bool) {
	for i := range e.headers {
		if equalFold(e.headers[i].Name, name) {
			return scalar(&e.headers[i]), true
		}
	}
	return "", false
}

// offer is mes.c event_handler for one listener: subscription, filters,
// myevents, then a queued reference (or a counted loss when full).
func (l *listener) offer(e *event) {
	l.mu.Lock()
	if !l.eventsOn || !l.subscribed(e) || !passFilters(l.filters, e) || !l.mine(e) {
		l.mu.Unlock()
		return
	}
	if len(l.queue) >= l.sim.opts.QueueLimit {
		l.lost++
		kill := l.lost > 500
		l.mu.Unlock()
		if kill {
			l.killLost(noticeLost)
		}
		return
	}
	l.lost = 0
	e.hold()
	l.queue = append(l.queue, e)
	l.mu.Unlock()
	l.signal()
}

func (l *listener) subscribed(e *event) bool {
	if l.types[evAll] {
		return true
	}
	if !l.types[e.id] {
		return false
	}
	return e.id != evCustom || e.subclass == "" || l.subclasses[e.subclass]
}

func (l *listener) mine(e *event) bool {
	if !l.myevents {
		return true
	}
	uid, ok := e.lookup("Unique-ID")
	if l.myUUID == "" {
		return ok
	}
	if ok && uid == l.myUUID {
		return true
	}
	return e.get("Job-Owner-UUID") == l.myUUID
}

// killLost ends a listener that lost more than 500 events in a row: the
// notice is written from outside the connection thread, as FreeSWITCH
// does from its dispatch thread, and the socket is shut down.
func (l *listener) killLost(msg string) {
	l.killMu.Do(func() {
		empty := ""
		l.killMsg.Store(&empty)
		written := make(chan struct{})
		l.killWritten.Store(&written)
		close(l.killed)
		l.sim.wg.Add(1)
		go func() {
			defer l.sim.wg.Done()
			defer close(written)
			l.nc.SetWriteDeadline(time.Now().Add(time.Second))
			l.nc.Write([]byte("Content-Type: text/disconnect-notice\nContent-Length: " + strconv.Itoa(len(msg)) + "\n\n" + msg))
			l.nc.Close()
		}()
	})
}
