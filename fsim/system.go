package fsim

import "strconv"

// simulatedModules are announced by MODULE_LOAD at start, like the module
// set the captures were made with.
var simulatedModules = []struct{ typ, name, key, file string }{
	{"endpoint", "loopback", "mod_loopback", "mod_loopback"},
	{"application", "socket", "mod_event_socket", "mod_event_socket"},
	{"api", "originate", "mod_commands", "mod_commands"},
	{"application", "playback", "mod_dptools", "mod_dptools"},
	{"dialplan", "XML", "mod_dialplan_xml", "mod_dialplan_xml"},
}

// fireStartup fires what a starting FreeSWITCH fires that a listener could
// see: MODULE_LOAD per module and the first heartbeat.
func (s *Sim) fireStartup() {
	for _, m := range simulatedModules {
		ev := s.newEvent(evModuleLoad, "", origin{"switch_loadable_module.c", "switch_loadable_module_process", 449})
		ev.add("type", m.typ)
		ev.add("name", m.name)
		ev.add("description", m.name)
		ev.add("syntax", "")
		ev.add("key", m.key)
		ev.add("filename", "/usr/local/freeswitch/mod/"+m.file+".so")
		s.fire(ev)
	}
	if s.opts.HeartbeatInterval > 0 {
		s.heartbeat()
	}
}

// heartbeat fires HEARTBEAT and the scheduler's RE_SCHEDULE, then
// schedules itself again (switch_core.c send_heartbeat, heartbeat task).
func (s *Sim) heartbeat() {
	select {
	case <-s.closing:
		return
	default:
	}
	up := s.uptime()
	s.mu.Lock()
	n, since, peak := len(s.channels), s.sessions, s.peak
	s.mu.Unlock()
	ev := s.newEvent(evHeartbeat, "", origin{"switch_core.c", "send_heartbeat", 95})
	ev.add("Event-Info", "System Ready")
	ev.add("Up-Time", upTimeText(up))
	ev.add("FreeSWITCH-Version", s.opts.Version+"~64bit")
	ev.add("Uptime-msec", strconv.FormatInt(up.Milliseconds(), 10))
	ev.add("Session-Count", strconv.Itoa(n))
	ev.add("Max-Sessions", strconv.Itoa(s.opts.MaxSessions))
	ev.add("Session-Per-Sec", "30")
	ev.add("Session-Per-Sec-Last", "0")
	ev.add("Session-Per-Sec-Max", "0")
	ev.add("Session-Per-Sec-FiveMin", "0")
	ev.add("Session-Since-Startup", strconv.FormatUint(since, 10))
	ev.add("Session-Peak-Max", strconv.Itoa(peak))
	ev.add("Session-Peak-FiveMin", strconv.Itoa(peak))
	ev.add("Idle-CPU", "99.000000")
	s.fire(ev)
	next := s.clock.Now().Add(s.opts.HeartbeatInterval)
	rs := s.newEvent(evReSchedule, "", origin{"switch_scheduler.c", "switch_scheduler_execute", 73})
	rs.add("Task-ID", "1")
	rs.add("Task-Desc", "heartbeat")
	rs.add("Task-Group", "core")
	rs.add("Task-Runtime", strconv.FormatInt(next.Unix(), 10))
	s.fire(rs)
	s.mu.Lock()
	select {
	case <-s.closing:
	default:
		s.hb = s.clock.AfterFunc(s.opts.HeartbeatInterval, s.heartbeat)
	}
	s.mu.Unlock()
}
