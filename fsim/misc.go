package fsim

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

type wireHeader = wire.Header

func discardWriter() *bufio.Writer { return bufio.NewWriter(io.Discard) }

// scheduler counts the simulator's runnable activities (channel threads,
// background jobs) so that Sim.Advance can wait until everything that can
// run without time passing has run: a deterministic discrete-event clock.
type scheduler struct {
	mu     sync.Mutex
	cond   *sync.Cond
	busy   int
	closed bool
}

func (s *scheduler) enter() {
	s.mu.Lock()
	s.busy++
	s.mu.Unlock()
}

func (s *scheduler) leave() {
	s.mu.Lock()
	s.busy--
	if s.busy <= 0 {
		s.cond.Broadcast()
	}
	s.mu.Unlock()
}

func (s *scheduler) waitIdle() {
	s.mu.Lock()
	for s.busy > 0 && !s.closed {
		s.cond.Wait()
	}
	s.mu.Unlock()
}

func (s *scheduler) shutdown() {
	s.mu.Lock()
	s.closed = true
	s.cond.Broadcast()
	s.mu.Unlock()
}

// Settle waits until every simulated activity (channel threads, background
// jobs) is blocked on the clock or on outside input. With a manual clock
// this is the moment nothing more happens until Advance.
func (s *Sim) Settle() { s.sched.waitIdle() }

// Advance lets d of simulated time pass. With a manual clock it fires every
// timer due in order, letting the simulator settle before each, and returns
// once everything due has run; with the real clock it simply waits d.
func (s *Sim) Advance(d time.Duration) {
	if s.manual == nil {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.closing:
		}
		return
	}
	s.advanceMu.Lock()
	defer s.advanceMu.Unlock()
	target := s.manual.Now().Add(d)
	for {
		s.sched.waitIdle()
		if !s.manual.fireNext(target) {
			break
		}
	}
	s.manual.Advance(target.Sub(s.manual.Now()))
	s.sched.waitIdle()
}

// permissions are userauth's restrictions (§2.2); a password login has
// none.
type permissions struct {
	restricted bool
	eventsAll  bool
	events     [numEvents]bool
	apisAll    bool
	apis       map[string]bool
	log        bool
}

var fullPermissions = permissions{eventsAll: true, apisAll: true, log: true}

func (p *permissions) api(cmd, args string) bool {
	if p.apisAll {
		return true
	}
	cmd = strings.ToLower(strings.TrimSpace(cmd))
	switch cmd {
	case "bgapi", "sched_api", "eval", "expand", "xml_wrap":
		inner, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
		if inner != "" && cmd != "eval" {
			return p.api(inner, rest)
		}
	}
	return p.apis[cmd]
}

// User is a directory entry for "userauth user@domain:password".
type User struct {
	// Password is the esl-password parameter.
	Password string
	// AllowedEvents, AllowedAPI: comma-separated lists, or "all"/"" for
	// everything.
	AllowedEvents, AllowedAPI string
	// DenyLog sets esl-allowed-log to false.
	DenyLog bool
}

func (l *listener) userauth(arg string) bool {
	// user@domain:password, or user:password@domain.
	var user, domain, pass string
	if at := strings.IndexByte(arg, '@'); at >= 0 {
		user = arg[:at]
		rest := arg[at+1:]
		if c := strings.IndexByte(rest, ':'); c >= 0 && !strings.Contains(user, ":") {
			domain, pass = rest[:c], rest[c+1:]
		} else if c := strings.IndexByte(user, ':'); c >= 0 {
			user, pass, domain = user[:c], user[c+1:], rest
		}
	}
	if user == "" || domain == "" {
		return false
	}
	u, ok := l.sim.opts.Users[user+"@"+domain]
	if !ok || u.Password == "" || u.Password != pass {
		return false
	}
	p := permissions{restricted: true, log: !u.DenyLog}
	evs := listOf(u.AllowedEvents)
	if len(evs) == 0 || strings.EqualFold(evs[0], "all") {
		p.eventsAll = true
	} else {
		for _, e := range evs {
			if id, ok := eventID(e); ok {
				p.events[id] = true
			}
		}
	}
	apis := listOf(u.AllowedAPI)
	if len(apis) == 0 || strings.EqualFold(apis[0], "all") {
		p.apisAll = true
	} else {
		p.apis = map[string]bool{}
		for _, a := range apis {
			p.apis[strings.ToLower(a)] = true
		}
	}
	l.allowed = p
	l.authed = true
	show := func(s string) string {
		if s == "" {
			return "all"
		}
		return s
	}
	l.writeReply("~Reply-Text: " + replyAccepted + "\nAllowed-Events: " + show(u.AllowedEvents) +
		"\nAllowed-API: " + show(u.AllowedAPI) + "\nAllowed-LOG: " + strconv.FormatBool(!u.DenyLog) + "\n\n")
	return true
}

func listOf(s string) []string {
	sep := ","
	if strings.Contains(s, " ") {
		sep = " "
	}
	var out []string
	for _, x := range strings.Split(s, sep) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
