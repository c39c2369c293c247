package fsim

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// apiFunc implements one API command. It returns the output and whether
// the command succeeded; a failure makes mod_event_socket answer
// "-ERR <cmd> Command not found!" and drop the output (§2.5).
type apiFunc func(s *Sim, c *apiCall) (string, bool)

// apiCall is one API invocation.
type apiCall struct {
	cmd, args string
	owner     *channel // the session of the requesting socket, if any
	counted   bool     // runs as a counted activity (bgapi)
	// then runs after the API event is fired: what the command started
	// in the background must not overtake that event.
	then func()
}

var apiTable map[string]apiFunc

func init() {
	apiTable = map[string]apiFunc{
		"status":        apiStatus,
		"version":       apiVersion,
		"uptime":        apiUptime,
		"hostname":      apiHostname,
		"echo":          func(s *Sim, c *apiCall) (string, bool) { return c.args, true },
		"global_getvar": apiGlobalGetvar,
		"global_setvar": apiGlobalSetvar,
		"eval":          apiEval,
		"reloadxml":     apiReloadXML,
		"fsctl":         apiFsctl,
		"bgapi":         apiBgapiInner,
		"show":          apiShow,
		"load":          apiLoad,
		"unload":        apiUnload,
		"reload":        apiReload,
	}
	registerChannelAPIs(apiTable)
}

// runAPI executes an API command as switch_api_execute does: the API
// event is created first and fired after the command returns.
func (s *Sim) runAPI(cmd, args string, owner *channel) (string, bool) {
	return s.runAPICounted(cmd, args, owner, false)
}

func (s *Sim) runAPICounted(cmd, args string, owner *channel, counted bool) (string, bool) {
	cmd, args = strings.TrimSpace(cmd), strings.TrimSpace(args)
	// The API event is created now (its time and sequence number) and
	// fired after the command; its headers are only built then, and only
	// if someone takes API events: most api commands have no audience.
	now, seq := s.clock.Now(), s.seq.Add(1)
	out, ok := "", false
	var call *apiCall
	if f := s.hooks.api(cmd); f != nil {
		out, ok = f(args), true
	} else if f := apiTable[strings.ToLower(cmd)]; f != nil {
		call = &apiCall{cmd: cmd, args: args, owner: owner, counted: counted}
		out, ok = f(s, call)
	} else {
		return fmt.Sprintf(apiCommandNotFound, cmd), false
	}
	if s.wanted(evAPI) {
		ev := &event{id: evAPI, headers: make([]wireHeader, 0, 15)}
		s.stdHeadersAt(ev, eventNames[evAPI], origin{"switch_loadable_module.c", "switch_api_execute", 3140}, now, seq)
		ev.add("API-Command", cmd)
		ev.add("API-Command-Argument", args)
		s.fire(ev)
	}
	if call != nil && call.then != nil {
		call.then()
	}
	if !ok {
		return fmt.Sprintf(apiCommandNotFound, cmd), false
	}
	return out, true
}

// API runs an api command in-process, exactly as "api <cmd>" would over
// the socket, and returns the api/response body (e.g. "+OK <uuid>\n" for
// originate).
func (s *Sim) API(cmd string) string {
	name, args, _ := strings.Cut(strings.TrimSpace(cmd), " ")
	out, _ := s.runAPI(name, args, nil)
	if out == "" {
		return apiNoReply
	}
	return out
}

// BgAPI runs an api command in the background as "bgapi" does and returns
// its Job-UUID; the result arrives as a BACKGROUND_JOB event.
func (s *Sim) BgAPI(cmd string) string {
	name, args, _ := strings.Cut(strings.TrimSpace(cmd), " ")
	job := newUUID()
	s.bgapi(job, name, args, nil)
	return job
}

func (s *Sim) bgapi(job, cmd, args string, owner *channel) {
	s.sched.enter()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.sched.leave()
		out, _ := s.runAPICounted(cmd, args, owner, true)
		ev := s.newEvent(evBackgroundJob, "", origin{"mod_event_socket.c", "api_exec", 1580})
		ev.add("Job-UUID", job)
		if owner != nil {
			ev.add("Job-Owner-UUID", owner.uuid())
		}
		ev.add("Job-Command", strings.TrimSpace(cmd))
		ev.add("Job-Command-Arg", strings.TrimSpace(args))
		ev.setBody(out)
		s.fire(ev)
	}()
}

func (l *listener) cmdAPI(rest string, c *command) {
	cmd, args, _ := strings.Cut(rest, " ")
	if !l.allowed.api(cmd, args) {
		l.writeReply(replyPermissionDenied)
		return
	}
	out, _ := l.sim.runAPI(cmd, args, l.session)
	if out == "" {
		out = apiNoReply
	}
	l.writeAPI(out)
}

func (l *listener) cmdBgapi(rest string, c *command) {
	cmd, args, _ := strings.Cut(rest, " ")
	if !l.allowed.api(cmd, args) {
		l.writeReply(replyPermissionDenied)
		return
	}
	job := c.header("Job-UUID")
	if len(job) > 36 {
		job = job[:36]
	}
	if job == "" {
		job = newUUID()
	}
	l.writeReply("~Reply-Text: " + replyJobUUID + job + "\nJob-UUID: " + job + "\n\n")
	l.sim.bgapi(job, cmd, args, l.session)
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}

func (s *Sim) uptime() time.Duration { return s.clock.Now().Sub(s.started) }

func upTimeText(d time.Duration) string {
	us := d.Microseconds()
	yr := us / (365 * 86400e6)
	us -= yr * 365 * 86400e6
	day := us / 86400e6
	us -= day * 86400e6
	hr := us / 3600e6
	us -= hr * 3600e6
	mn := us / 60e6
	us -= mn * 60e6
	sec := us / 1e6
	us -= sec * 1e6
	ms := us / 1000
	us -= ms * 1000
	return plural(yr, "year") + ", " + plural(day, "day") + ", " + plural(hr, "hour") + ", " +
		plural(mn, "minute") + ", " + plural(sec, "second") + ", " + plural(ms, "millisecond") + ", " +
		plural(us, "microsecond")
}

func apiStatus(s *Sim, c *apiCall) (string, bool) {
	s.mu.Lock()
	n, since, peak := len(s.channels), s.sessions, s.peak
	s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "UP %s\n", upTimeText(s.uptime()))
	fmt.Fprintf(&b, "FreeSWITCH (Version %s  64bit) is ready\n", s.opts.Version)
	fmt.Fprintf(&b, "%d session(s) since startup\n", since)
	fmt.Fprintf(&b, "%d session(s) - peak %d, last 5min %d \n", n, peak, peak)
	fmt.Fprintf(&b, "0 session(s) per Sec out of max 100, peak 0, last 5min 0 \n")
	fmt.Fprintf(&b, "%d session(s) max\n", s.opts.MaxSessions)
	b.WriteString("min idle cpu 0.00/99.60\n")
	b.WriteString("Current Stack Size/Max 240K/8192K\n")
	return b.String(), true
}

func apiVersion(s *Sim, c *apiCall) (string, bool) {
	if c.args == "short" {
		return s.opts.Version, true
	}
	return "FreeSWITCH Version " + s.opts.Version + "~64bit ( 64bit)\n", true
}

func apiUptime(s *Sim, c *apiCall) (string, bool) {
	return strconv.FormatInt(int64(s.uptime()/time.Second), 10) + "\n", true
}

func apiHostname(s *Sim, c *apiCall) (string, bool) { return s.opts.Hostname, true }

func apiGlobalGetvar(s *Sim, c *apiCall) (string, bool) {
	if c.args == "" {
		var b strings.Builder
		for _, kv := range s.globals.all() {
			b.WriteString(kv.name + "=" + kv.value + "\n")
		}
		return b.String(), true
	}
	return s.globals.get(c.args), true
}

func apiGlobalSetvar(s *Sim, c *apiCall) (string, bool) {
	name, value, ok := strings.Cut(c.args, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "-USAGE: <var>=<value>\n", true
	}
	s.globals.set(name, value)
	return "+OK", true
}

func apiEval(s *Sim, c *apiCall) (string, bool) {
	args := c.args
	var ch *channel
	if strings.HasPrefix(args, "uuid:") {
		u, rest, _ := strings.Cut(args[5:], " ")
		ch = s.channel(u)
		args = rest
	}
	return s.expand(args, ch), true
}

func apiReloadXML(s *Sim, c *apiCall) (string, bool) {
	ev := s.newEvent(evReloadXML, "", origin{"switch_xml.c", "switch_xml_open_root", 2423})
	s.fire(ev)
	return "+OK [Success]\n", true
}

func apiFsctl(s *Sim, c *apiCall) (string, bool) {
	f := tokens(c.args)
	if len(f) == 0 {
		return "-USAGE: fsctl [hupall|pause|resume|shutdown|sps|sync_clock|reclaim_mem|max_sessions|last_sps|loglevel|debug_level|send_sighup]\n", true
	}
	switch strings.ToLower(f[0]) {
	case "shutdown":
		// A simulated activity like a background job, started once the
		// API event is fired: in FreeSWITCH the core goes down well after
		// switch_api_execute has fired it.
		s.sched.enter()
		s.wg.Add(1)
		c.then = func() {
			go func() {
				defer s.wg.Done()
				defer s.sched.leave()
				s.shutdown()
			}()
		}
		return "+OK\n", true
	case "hupall":
		s.hangupAll("MANAGER_REQUEST")
		return "+OK\n", true
	case "sps", "max_sessions", "loglevel", "send_sighup", "sync_clock", "reclaim_mem", "pause", "resume", "last_sps", "debug_level":
		return "+OK\n", true
	}
	return "-ERR INVALID COMMAND\n", true
}

// apiBgapiInner is the "bgapi" API command (api bgapi …): it runs the rest
// in the background and prints the job id.
func apiBgapiInner(s *Sim, c *apiCall) (string, bool) {
	if c.args == "" {
		return "-ERR Invalid syntax\n", true
	}
	name, args, _ := strings.Cut(c.args, " ")
	job := newUUID()
	s.bgapi(job, name, args, c.owner)
	return "+OK Job-UUID: " + job + "\n", true
}

// shutdown is "fsctl shutdown": SHUTDOWN is fired, every channel hangs up
// and every connection gets "The system is being shut down.". The
// simulator keeps its listener open (Close ends it), so tests can observe
// the notices.
func (s *Sim) shutdown() {
	ev := s.newEvent(evShutdown, "", origin{"switch_core.c", "switch_core_destroy", 3033})
	ev.add("Event-Info", "System Shutting Down")
	s.fire(ev)
	s.hangupAll("SYSTEM_SHUTDOWN")
	for _, l := range *s.listeners.Load() {
		l.killAfterQueue(noticeShutdown)
	}
}

// varList is an ordered variable table: the order is the order in which
// each name was last set (FreeSWITCH's unique-header event list).
type varList struct {
	mu    sync.Mutex
	names []string
	vals  map[string]string
}

type kv struct{ name, value string }

func newVarList() *varList { return &varList{vals: map[string]string{}} }

func (v *varList) get(name string) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.vals[name]
}

func (v *varList) set(name, value string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.vals[name]; ok {
		for i, n := range v.names {
			if n == name {
				v.names = append(v.names[:i], v.names[i+1:]...)
				break
			}
		}
	}
	if value == "" {
		delete(v.vals, name)
		return
	}
	v.vals[name] = value
	v.names = append(v.names, name)
}

func (v *varList) len() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.names)
}

func (v *varList) all() []kv {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]kv, 0, len(v.names))
	for _, n := range v.names {
		out = append(out, kv{n, v.vals[n]})
	}
	return out
}

// apiLoad, apiUnload and apiReload pretend to (un)load a module: the
// replies and the MODULE_LOAD/MODULE_UNLOAD events FreeSWITCH sends.
func apiLoad(s *Sim, c *apiCall) (string, bool) {
	if c.args == "" {
		return "-USAGE: <mod_name>\n", true
	}
	apiReloadXML(s, c)
	s.fireModule(evModuleLoad, c.args, "switch_loadable_module_process", 385)
	return "+OK Reloading XML\n+OK\n", true
}

func apiUnload(s *Sim, c *apiCall) (string, bool) {
	if c.args == "" {
		return "-USAGE: <mod_name>\n", true
	}
	s.fireModule(evModuleUnload, c.args, "switch_loadable_module_unprocess", 1301)
	return "+OK\n", true
}

func apiReload(s *Sim, c *apiCall) (string, bool) {
	apiUnload(s, c)
	return apiLoad(s, c)
}

func (s *Sim) fireModule(id int, mod, fn string, line int) {
	name := strings.TrimPrefix(mod, "mod_")
	ev := s.newEvent(id, "", origin{"switch_loadable_module.c", fn, line})
	ev.add("type", "application")
	ev.add("name", name)
	ev.add("description", name)
	ev.add("syntax", "")
	ev.add("key", mod)
	ev.add("filename", "/usr/local/freeswitch/mod/"+mod+".so")
	s.fire(ev)
}
