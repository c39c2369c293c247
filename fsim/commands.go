package fsim

import (
	"github.com/eslkit/esl/internal/wire"

	"fmt"
	"strconv"
	"strings"
)

// handle executes one command (mes.c parse_command plus the bits of
// listener_run around it) and reports whether the connection must close.
func (l *listener) handle(c *command) (quit bool) {
	if l.outbound && !l.firstCmd {
		// The first command of an outbound connection is executed and its
		// reply dropped; only connect writes its own.
		l.firstCmd = true
		if !hasPrefixFold(c.line, "connect") {
			saved := l.bw
			l.bw = discardWriter()
			quit = l.dispatch(c)
			l.bw = saved
			return quit
		}
	}
	return l.dispatch(c)
}

func (l *listener) dispatch(c *command) (quit bool) {
	line := c.line
	if containsFold(line, "mod_event_socket") {
		if containsFold(line, "unload") {
			line = "api bgapi unload mod_event_socket"
		} else if containsFold(line, "reload") {
			line = "api bgapi reload mod_event_socket"
		}
	}
	if hasPrefixFold(line, "exit") || strings.HasPrefix(line, "...") {
		l.writeReply(replyBye)
		return true
	}
	if !l.authed && !l.outbound {
		switch {
		case hasPrefixFold(line, "auth "):
			if line[5:] == l.sim.opts.Password {
				l.authed = true
				l.writeReply(replyAccepted)
				return false
			}
			l.writeReply(replyInvalid)
			return true
		case hasPrefixFold(line, "userauth "):
			if l.userauth(line[9:]) {
				return false
			}
			l.writeReply(replyInvalid)
			return true
		}
		l.writeReply(replyCommandNotFound)
		return false
	}
	switch {
	case hasPrefixFold(line, "filter "):
		l.writeReply(l.cmdFilter(line[7:]))
		return false
	case l.session != nil && hasPrefixFold(line, "resume"):
		l.session.setVar("socket_resume", "true")
		l.writeReply(replyOK)
		return false
	case (l.session != nil || l.outbound || hasPrefixFold(line, "myevents ")) &&
		(hasPrefixFold(line, "connect") || hasPrefixFold(line, "getvar") || hasPrefixFold(line, "myevents")):
		switch {
		case hasPrefixFold(line, "connect"):
			l.cmdConnect()
		case hasPrefixFold(line, "getvar"):
			l.cmdGetvar(line)
		default:
			l.writeReply(l.cmdMyevents(line, c.raw))
		}
		return false
	case hasPrefixFold(line, "divert_events"):
		l.writeReply(l.cmdDivert(line))
		return false
	case hasPrefixFold(line, "sendmsg"):
		l.writeReply(l.cmdSendmsg(line, c))
		return false
	}
	if l.outbound && !l.full {
		l.writeReply(replyCommandNotFound)
		return false
	}
	switch {
	case hasPrefixFold(line, "sendevent"):
		l.writeReply(l.cmdSendevent(line, c))
	case hasPrefixFold(line, "api "):
		l.cmdAPI(line[4:], c)
	case hasPrefixFold(line, "bgapi "):
		l.cmdBgapi(line[6:], c)
	case hasPrefixFold(line, "log"):
		l.writeReply(l.cmdLog(line))
	case hasPrefixFold(line, "linger"):
		l.writeReply(l.cmdLinger(line))
	case hasPrefixFold(line, "nolinger"):
		if l.session == nil {
			l.writeReply(replyNotControlling)
		} else {
			l.linger = false
			l.writeReply(replyWillNotLinger)
		}
	case hasPrefixFold(line, "nolog"):
		l.writeReply(l.cmdNolog())
	case hasPrefixFold(line, "event"):
		l.writeReply(l.cmdEvent(line[5:]))
	case hasPrefixFold(line, "nixevent"):
		l.writeReply(l.cmdNixevent(line[8:]))
	case hasPrefixFold(line, "noevents"):
		l.writeReply(l.cmdNoevents())
	default:
		l.writeReply(replyCommandNotFound)
	}
	return false
}

// containsFold is strings.Contains(strings.ToLower(s), sub) for a lowercase
// ASCII sub, without the copy.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// tokens splits on single spaces and drops empty tokens.
func tokens(s string) []string {
	var out []string
	for _, t := range strings.Split(s, " ") {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (l *listener) cmdEvent(args string) string {
	toks := tokens(args)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(toks) > 0 {
		switch strings.ToLower(toks[0]) {
		case "plain":
			l.format, toks = fmtPlain, toks[1:]
		case "json":
			l.format, toks = fmtJSON, toks[1:]
		case "xml":
			l.format, toks = fmtXML, toks[1:]
		}
	}
	if !l.allowed.eventsAll {
		for _, t := range toks {
			if id, ok := eventID(t); ok && !l.allowed.events[id] {
				return replyPermissionDenied
			}
		}
	}
	custom, any := false, false
	for _, t := range toks {
		if custom {
			l.subclasses[t] = true
			continue
		}
		id, ok := eventID(t)
		if !ok {
			continue
		}
		any = true
		switch id {
		case evCustom:
			custom = true
			l.types[evCustom] = true
		case evAll:
			for i := range l.types {
				l.types[i] = true
			}
		default:
			l.types[id] = true
		}
	}
	if !any {
		return replyNoKeywords
	}
	l.eventsOn = true
	return replyEventEnabled + formatNames[l.format]
}

func (l *listener) cmdNixevent(args string) string {
	toks := tokens(args)
	l.mu.Lock()
	defer l.mu.Unlock()
	custom, any := false, false
	for _, t := range toks {
		if custom {
			delete(l.subclasses, t)
			continue
		}
		id, ok := eventID(t)
		if !ok {
			continue
		}
		any = true
		switch id {
		case evCustom:
			custom = true
		case evAll:
			for i := range l.types {
				l.types[i] = false
			}
		default:
			if l.types[evAll] {
				for i := range l.types {
					l.types[i] = true
				}
				l.types[evAll] = false
			}
			l.types[id] = false
		}
	}
	if !any {
		return replyNoKeywords
	}
	l.eventsOn = true
	return replyEventsNixed
}

func (l *listener) cmdNoevents() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queue = nil
	if !l.eventsOn {
		return replyNotListening
	}
	l.eventsOn = false
	l.types = [numEvents]bool{}
	clear(l.subclasses)
	return replyNoEvents
}

func (l *listener) cmdFilter(args string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if hasPrefixFold(args, "delete") {
		rest := strings.TrimLeft(args[6:], " ")
		if rest == "" {
			return replyInvalidSyntax
		}
		h, v, _ := strings.Cut(rest, " ")
		if equalFold(h, "all") {
			l.filters = nil
			return fmt.Sprintf(replyFilterDeleted, h, "")
		}
		kept := l.filters[:0:0]
		for _, f := range l.filters {
			if equalFold(f.header, h) && (v == "" || f.value == v) {
				continue
			}
			kept = append(kept, f)
		}
		l.filters = kept
		return fmt.Sprintf(replyFilterDeleted, h, v)
	}
	if hasPrefixFold(args, "add ") {
		args = args[4:]
		h, v, ok := strings.Cut(args, " ")
		if !ok || v == "" {
			return fmt.Sprintf(replyFilterAdded, h, "(null)")
		}
		l.filters = append(l.filters, newFilter(h, v))
		return fmt.Sprintf(replyFilterAdded, h, v)
	}
	h, v, ok := strings.Cut(args, " ")
	if !ok || v == "" || h == "" {
		return replyInvalidSyntax
	}
	l.filters = append(l.filters, newFilter(h, v))
	return fmt.Sprintf(replyFilterAdded, h, v)
}

// logLevels are the names "log" accepts (switch_log_str2level).
var logLevels = map[string]int{"CONSOLE": 0, "ALERT": 1, "CRIT": 2, "ERR": 3, "WARNING": 4,
	"NOTICE": 5, "INFO": 6, "DEBUG": 7, "DISABLE": -1}

func parseLogLevel(tok string) (int, bool) {
	if n, ok := logLevels[strings.ToUpper(tok)]; ok {
		return n, true
	}
	if tok != "" && tok[0] >= '0' && tok[0] <= '9' {
		n := catoi(tok)
		if n > 64 {
			n = 63
		}
		return n, true
	}
	return 0, false
}

func (l *listener) cmdLog(line string) string {
	if !l.allowed.log {
		return replyPermissionDenied
	}
	tok := ""
	if len(line) > 3 {
		tok = strings.TrimLeft(line[3:], " ")
	}
	level := 7
	if tok != "" {
		n, ok := parseLogLevel(tok)
		if !ok {
			return replyInvalidLogLevel
		}
		level = n
	}
	l.mu.Lock()
	l.logOn, l.logLevel = true, level
	l.mu.Unlock()
	return fmt.Sprintf(replyLogLevel, tok, level)
}

func (l *listener) cmdNolog() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.logs = nil
	if !l.logOn {
		return replyNotLogging
	}
	l.logOn = false
	return replyNoLongerLogging
}

func (l *listener) cmdLinger(line string) string {
	if l.session == nil {
		return replyNotControlling
	}
	l.linger = true
	if len(line) > 6 && line[6] == ' ' {
		l.lingerSecs = catoi(line[7:])
		return fmt.Sprintf(replyWillLingerSecs, l.lingerSecs)
	}
	l.lingerSecs = -1
	return replyWillLinger
}

func (l *listener) cmdDivert(line string) string {
	if l.session == nil {
		return replyNotControllingDot
	}
	arg := ""
	if len(line) > 13 {
		arg = strings.TrimSpace(line[13:])
	}
	if arg == "" {
		return replyMissingValue
	}
	if equalFold(arg, "on") {
		l.session.setDivert(l, true)
		return replyDiverted
	}
	l.session.setDivert(l, false)
	return replyNotDiverted
}

func (l *listener) cmdMyevents(line, raw string) string {
	l.mu.Lock()
	already := l.myevents
	l.mu.Unlock()
	if already {
		return replyAlreadyEnabled
	}
	uuid := ""
	if !l.outbound && l.session == nil {
		arg := strings.TrimSpace(line[min(len(line), 9):])
		u, format, hasFmt := strings.Cut(arg, " ")
		_ = format
		ch := l.sim.channel(u)
		if ch == nil && hasFmt {
			return replyInvalidUUID
		}
		if ch != nil {
			l.session = ch
			l.async = true
			ch.attach(l)
		}
	}
	if l.session != nil {
		uuid = l.session.uuid()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range myeventsTypes {
		l.types[id] = true
	}
	if l.outbound {
		if strings.Contains(raw, "xml") || strings.Contains(raw, "XML") {
			l.format = fmtXML
		} else if strings.Contains(raw, "json") || strings.Contains(raw, "JSON") {
			l.format = fmtJSON
		}
	}
	l.myevents, l.myUUID = true, uuid
	l.eventsOn = true
	return replyEventsEnabled
}

func (l *listener) cmdGetvar(line string) {
	name := strings.TrimSpace(line[min(len(line), 6):])
	v := ""
	if l.session != nil && name != "" {
		v = l.session.getVar(name)
	}
	if v == "" {
		l.writeReply(replyCommandNotFound)
		return
	}
	l.writeReply(v)
}

// cmdConnect writes the connect reply: the channel's CHANNEL_DATA event in
// plain form with command/reply headers appended and no body (§2.8).
func (l *listener) cmdConnect() {
	if l.session == nil {
		l.writeReply(replyCommandNotFound)
		return
	}
	e := l.session.dataEvent(origin{"mod_event_socket.c", "parse_command", 2029}, "Channel")
	b := wire.AppendPlain(nil, &wire.Event{Headers: e.headers, Body: e.body})
	b = b[:len(b)-1] // drop the blank line; the reply headers follow
	mode := "static"
	if l.async {
		mode = "async"
	}
	control := "single-channel"
	if l.full {
		control = "full"
	}
	b = append(b, "Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: "+mode+"\nControl: "+control+"\n\n"...)
	l.bw.Write(b)
	l.session.connected()
}

func (l *listener) cmdSendevent(line string, c *command) string {
	name := strings.TrimSpace(line[min(len(line), 9):])
	id, ok := eventID(name)
	if !ok || id == evAll {
		// The captures show a nameless sendevent arriving as CUSTOM (the
		// protocol reference says CLONE; FreeSWITCH wins).
		id = evCustom
	}
	e := &event{id: id, headers: make([]wireHeader, 0, len(c.headers)+16)}
	cmdLine := c.line
	e.headers = append(e.headers, wireHeader{Name: "Command", Value: cmdLine})
	for _, h := range c.headers {
		e.headers = append(e.headers, h)
		if id == evCustom && equalFold(h.Name, "Event-Subclass") && e.subclass == "" {
			e.subclass = h.Value
		}
	}
	uuid := newUUID()
	e.add("Event-UUID", uuid)
	if c.hasBody {
		e.setBody(c.body)
	}
	if target := e.get("Unique-ID"); target != "" {
		if ch := l.sim.channel(target); ch != nil {
			ch.queueEvent(e)
			return replyOK + " " + uuid
		}
	}
	l.sim.stdHeaders(e, eventNames[id], origin{"mod_event_socket.c", "parse_command", 2283})
	l.sim.fire(e)
	return replyOK + " " + uuid
}

func (l *listener) cmdSendmsg(line string, c *command) string {
	uuid := strings.TrimSpace(line[min(len(line), 7):])
	if uuid == "" {
		uuid = c.header("session-id")
	}
	if l.session != nil && uuid == l.session.uuid() {
		uuid = ""
	}
	var ch *channel
	own := false
	if uuid == "" {
		if l.session == nil {
			return fmt.Sprintf(replyInvalidSession, "")
		}
		ch, own = l.session, true
	} else if ch = l.sim.channel(uuid); ch == nil {
		return fmt.Sprintf(replyInvalidSession, uuid)
	}
	msg := &message{headers: c.headers, body: c.body, hasBody: c.hasBody, command: c.raw}
	if !own {
		msg.command = c.line
	}
	if own && !l.async && !switchTrue(c.header("async")) {
		// Static outbound mode: executed inline; +OK when done, and the
		// events it produced follow the reply.
		ch.executeInline(msg)
		return replyOK
	}
	ch.queueMessage(msg)
	return replyOK
}

// switchTrue is FreeSWITCH's switch_true.
func switchTrue(v string) bool {
	switch strings.ToLower(v) {
	case "yes", "on", "true", "t", "enabled", "active", "allow":
		return true
	}
	n, err := strconv.Atoi(v)
	return err == nil && n != 0
}
