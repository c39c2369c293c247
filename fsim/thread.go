package fsim

import (
	"strconv"
	"strings"
	"time"
)

// app is one application call: a dialplan action or a sendmsg execute.
type app struct {
	name, arg string
	uuid      string // Application-UUID (sendmsg event-uuid), else fresh
	uuidName  string
}

// start launches the session thread. The state must already be CS_INIT.
func (c *channel) start(init func()) {
	c.sim.sched.enter()
	c.sim.wg.Add(1)
	go c.thread(init)
}

// thread is switch_core_session_run for one channel.
func (c *channel) thread(init func()) {
	defer c.sim.wg.Done()
	defer c.sim.sched.leave()
	defer c.handoff.set(&c.sim.sched) // whoever waits for the hand-over: the thread is gone
	c.enter(csInit)
	if init != nil {
		init()
	}
	c.mu.Lock()
	if c.state == csInit {
		c.state = csRouting
	}
	c.mu.Unlock()
	c.fire(evChannelCreate, origin{"switch_core_state_machine.c", "switch_core_session_run", 626}, nil, nil)
	if c.outbound {
		c.fire(evChannelOriginate, origin{"switch_core_state_machine.c", "switch_core_session_run", 632}, nil, nil)
	}
	if c.afterCreate != nil {
		c.afterCreate()
	}
	for {
		c.mu.Lock()
		s := c.state
		c.mu.Unlock()
		if s >= csHangup {
			break
		}
		switch s {
		case csRouting:
			c.routing()
		case csExecute:
			c.execute()
		case csPark:
			c.parkState()
		default:
			c.enter(s)
			c.mu.Lock()
			f := c.onConsume
			if s == csConsumeMedia {
				c.onConsume = nil
			} else {
				f = nil
			}
			c.mu.Unlock()
			if f != nil {
				f()
			}
			c.idle(s)
		}
	}
	c.hangupStates()
}

// routing is CS_ROUTING: inbound legs ring and look up the dialplan;
// originated legs wait in CS_CONSUME_MEDIA for their originator.
func (c *channel) routing() {
	c.mu.Lock()
	c.running = csRouting
	inbound := !c.outbound
	xfer := c.xfer
	c.xfer = nil
	c.mu.Unlock()
	if inbound {
		c.setCallState(ccsRinging)
	}
	c.fire(evChannelState, origin{"switch_channel.c", "switch_channel_perform_set_running_state", 2409}, nil, nil)
	c.mu.Lock()
	hasApps := len(c.apps) > c.appIdx
	dest, ctx := c.prof.dest, c.prof.context
	c.mu.Unlock()
	if xfer != nil {
		dest, ctx = xfer.dest, xfer.context
	}
	if inbound || xfer != nil {
		apps, ok := c.sim.lookup(ctx, dest)
		c.sim.logf(logInfo, origin{"mod_dialplan_xml.c", "dialplan_hunt", 648}, c.id,
			"Processing %s <%s>->%s in context %s", c.prof.cidName, c.prof.cidNumber, dest, ctx)
		if !ok {
			c.hangup("NO_ROUTE_DESTINATION")
			return
		}
		c.mu.Lock()
		c.apps, c.appIdx = apps, 0
		c.hitDP = true
		c.mu.Unlock()
		c.setState(csExecute)
		return
	}
	if hasApps {
		c.setState(csExecute)
		return
	}
	c.setState(csConsumeMedia)
}

// execute is CS_EXECUTE: run the extension's applications in order; when
// they are done the channel hangs up.
func (c *channel) execute() {
	c.enter(csExecute)
	// FreeSWITCH sets call_uuid again as execution starts (it moves to the
	// end of the variable list).
	c.setVar("call_uuid", c.getVar("call_uuid"))
	for {
		c.mu.Lock()
		if c.state != csExecute || c.xfer != nil {
			c.mu.Unlock()
			return
		}
		if c.appIdx >= len(c.apps) {
			c.mu.Unlock()
			c.processMessages()
			c.mu.Lock()
			more := c.appIdx < len(c.apps) || c.state != csExecute
			c.mu.Unlock()
			if more {
				continue
			}
			c.hangup("NORMAL_CLEARING")
			return
		}
		a := c.apps[c.appIdx]
		c.appIdx++
		c.mu.Unlock()
		c.exec(a)
		c.processMessages()
	}
}

// idle waits in a state that does nothing by itself (CS_CONSUME_MEDIA,
// CS_EXCHANGE_MEDIA, CS_SOFT_EXECUTE …) until the state changes, running
// queued sendmsg commands meanwhile.
func (c *channel) idle(s chanState) {
	for {
		c.waitFor(-1, func() bool { return c.state != s || len(c.msgs) > 0 })
		if !c.processMessages() {
			return
		}
		c.mu.Lock()
		changed := c.state != s
		c.mu.Unlock()
		if changed {
			return
		}
	}
}

// parkState is CS_PARK (uuid_park): CHANNEL_PARK until something moves it.
func (c *channel) parkState() {
	c.enter(csPark)
	c.parkLoop()
}

// exec is switch_core_session_exec: EXECUTE, the application,
// EXECUTE_COMPLETE.
func (c *channel) exec(a app) {
	if a.uuid == "" {
		a.uuid = newUUID()
	}
	if c.getVar("app_disable_expand_variables") != "true" {
		a.arg = c.sim.expand(a.arg, c)
	}
	f, ok := c.sim.application(a.name)
	if !ok {
		c.sim.logf(logErr, origin{"switch_core_session.c", "switch_core_session_execute_application_get_flags", 2800}, c.id,
			"Invalid Application %s", a.name)
		c.hangup("DESTINATION_OUT_OF_ORDER")
		return
	}
	c.vars.set("current_application", a.name)
	c.vars.set("current_application_data", a.arg)
	c.vars.set("current_application_response", "")
	c.fire(evChannelExecute, origin{"switch_core_session.c", "switch_core_session_exec", 2949}, nil, func(e *event) {
		e.add("Application", a.name)
		e.add("Application-Data", a.arg)
		e.add("Application-UUID", a.uuid)
		e.add("Application-UUID-Name", a.uuidName)
	})
	// FreeSWITCH sets current_application again once the application
	// starts (it moves after current_application_data).
	c.vars.set("current_application", a.name)
	f(c, a.arg)
	c.mu.Lock()
	c.lastApp, c.lastArg = a.name, a.arg
	c.mu.Unlock()
	resp := c.getVar("current_application_response")
	if resp == "" {
		resp = "_none_"
	}
	c.fire(evChannelExecuteComplete, origin{"switch_core_session.c", "switch_core_session_exec", 2972}, nil, func(e *event) {
		e.add("Application", a.name)
		e.add("Application-Data", a.arg)
		e.add("Application-Response", resp)
		e.add("Application-UUID", a.uuid)
		e.add("Application-UUID-Name", a.uuidName)
	})
	c.mu.Lock()
	c.breakReq = false
	c.mu.Unlock()
}

// processMessages runs queued sendmsg commands (switch_ivr_parse_all_events)
// and reports whether the channel is still up.
func (c *channel) processMessages() bool {
	for {
		c.mu.Lock()
		if len(c.msgs) == 0 {
			up := c.state < csHangup
			c.mu.Unlock()
			return up
		}
		m := c.msgs[0]
		c.msgs = c.msgs[1:]
		c.mu.Unlock()
		c.runMessage(m)
		c.firePrivate(m)
		if m.done != nil {
			close(m.done)
		}
	}
}

// runMessage is switch_ivr_parse_event for one message.
func (c *channel) runMessage(m *message) {
	cmd := m.header("call-command")
	if len(cmd) > 7 {
		cmd = cmd[:7] // FreeSWITCH compares only 7 bytes
	}
	switch cmd {
	case "execute":
		name := m.header("execute-app-name")
		arg := m.header("execute-app-arg")
		if arg == "" && strings.EqualFold(m.header("content-type"), "text/plain") {
			arg = m.body
		}
		loops := 1
		if l := m.header("loops"); l != "" {
			loops = catoi(l)
		}
		a := app{name: name, arg: arg, uuid: m.header("event-uuid"), uuidName: m.header("event-uuid-name")}
		for i := 0; loops < 0 || i < loops; i++ {
			if c.hungup() || name == "" {
				break
			}
			c.exec(a)
		}
	case "hangup":
		cause := m.header("hangup-cause")
		if cause == "" {
			cause = "NORMAL_CLEARING"
		}
		c.hangup(parseCause(cause))
	case "nomedia", "unicast", "xferext":
		// Accepted; media paths are not simulated.
	}
}

func (c *channel) firePrivate(m *message) {
	e := &event{id: evPrivateCommand, headers: make([]wireHeader, 0, len(m.headers)+40)}
	e.headers = append(e.headers, wireHeader{Name: "Command", Value: m.command})
	e.headers = append(e.headers, m.headers...)
	if m.hasBody {
		e.setBody(m.body)
	}
	c.sim.stdHeaders(e, "PRIVATE_COMMAND", origin{"switch_ivr.c", "switch_ivr_parse_next_event", 804})
	c.mu.Lock()
	c.basicDataLocked(e, "Caller")
	c.mu.Unlock()
	c.sim.fire(e)
}

// queueMessage queues a sendmsg for the session thread.
func (c *channel) queueMessage(m *message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
	c.poke()
}

// executeInline runs a sendmsg for a static (non-async) outbound socket
// and returns when it is done, as FreeSWITCH does in the connection
// thread.
func (c *channel) executeInline(m *message) {
	m.done = make(chan struct{})
	c.queueMessage(m)
	select {
	case <-m.done:
	case <-c.hupCh:
		// A hangup ends the socket application; what was not run yet never
		// will be.
	}
}

// queueEvent is a sendevent addressed to this session (Unique-ID): it goes
// to the session's private queue, which divert_events sockets read.
func (c *channel) queueEvent(e *event) {
	c.sim.stdHeaders(e, eventNames[e.id], origin{"mod_event_socket.c", "parse_command", 2283})
	c.deliverDiverted(e)
}

// deliverDiverted hands e to the sockets that diverted this session's
// events, bypassing subscriptions, filters and myevents (as long as their
// event output is on and the channel is below CS_HANGUP). It reports
// whether any socket diverts.
func (c *channel) deliverDiverted(e *event) bool {
	c.mu.Lock()
	ls := make([]*listener, 0, len(c.divert))
	for l := range c.divert {
		ls = append(ls, l)
	}
	up := c.state < csHangup
	c.mu.Unlock()
	e.hold() // until every diverting socket had its chance to queue it
	for _, l := range ls {
		l.mu.Lock()
		if l.eventsOn && up {
			e.hold()
			l.queue = append(l.queue, e)
		}
		l.mu.Unlock()
		l.signal()
	}
	e.release()
	return len(ls) > 0
}

// hangupStates runs CS_HANGUP, CS_REPORTING and CS_DESTROY.
func (c *channel) hangupStates() {
	c.enter(csHangup)
	c.setCallState(ccsHangup)
	c.mu.Lock()
	c.takeCalleeUpdateLocked()
	peer, cause := c.peer, c.cause
	startPeer := c.onConsume
	c.onConsume = nil
	c.mu.Unlock()
	if peer != nil {
		peer.hangup(cause)
	}
	if startPeer != nil {
		// A loopback A leg that hangs up before CS_CONSUME_MEDIA never
		// started its B leg: start it now so it runs its hangup states
		// and leaves the channel list, instead of staying there for ever.
		startPeer()
	}
	c.mu.Lock()
	c.state = csReporting
	c.mu.Unlock()
	c.enter(csReporting)
	c.cdrVars()
	c.fire(evChannelHangupComplete, origin{"switch_core_state_machine.c", "switch_core_session_reporting_state", 943},
		func(e *event) { e.add("Hangup-Cause", cause) }, nil)
	// Sockets bound to the session hold it: no DESTROY until they close.
	c.waitFor(-1, func() bool { return len(c.watch) == 0 })
	c.mu.Lock()
	c.state = csDestroy
	c.mu.Unlock()
	c.fire(evChannelDestroy, origin{"switch_core_session.c", "switch_core_session_perform_destroy", 1588}, nil, nil)
	c.sim.logf(logNotice, origin{"switch_core_session.c", "switch_core_session_perform_destroy", 1770}, c.id,
		"Close Channel %s [CS_DESTROY]", c.name)
	c.enter(csDestroy)
	c.sim.mu.Lock()
	delete(c.sim.channels, c.id)
	for i, x := range c.sim.order {
		if x == c {
			c.sim.order = append(c.sim.order[:i], c.sim.order[i+1:]...)
			break
		}
	}
	c.sim.mu.Unlock()
	close(c.destroyed)
}

// cdrVars sets the variables FreeSWITCH computes at the end of a call.
func (c *channel) cdrVars() {
	c.mu.Lock()
	t := c.times
	cause := c.cause
	c.mu.Unlock()
	end := c.sim.clock.Now()
	v := c.vars
	v.set("hangup_cause", cause)
	v.set("hangup_cause_q850", strconv.Itoa(causeQ850(cause)))
	v.set("digits_dialed", "none")
	stamp := func(name string, x time.Time) {
		if !x.IsZero() {
			v.set(name, x.In(c.sim.loc).Format("2006-01-02 15:04:05"))
		}
	}
	stamp("start_stamp", t.created)
	stamp("profile_start_stamp", t.created)
	stamp("answer_stamp", t.answered)
	stamp("progress_media_stamp", t.progressMedia)
	stamp("end_stamp", end)
	epoch := func(name string, x time.Time) {
		if x.IsZero() {
			v.set(name+"_epoch", "0")
			v.set(name+"_uepoch", "0")
			return
		}
		v.set(name+"_epoch", strconv.FormatInt(x.Unix(), 10))
		v.set(name+"_uepoch", strconv.FormatInt(x.UnixMicro(), 10))
	}
	epoch("start", t.created)
	epoch("profile_start", t.created)
	epoch("answer", t.answered)
	epoch("bridge", t.bridged)
	epoch("last_hold", time.Time{})
	v.set("hold_accum_seconds", "0")
	v.set("hold_accum_usec", "0")
	v.set("hold_accum_ms", "0")
	epoch("resurrect", time.Time{})
	epoch("progress", time.Time{})
	epoch("progress_media", t.progressMedia)
	epoch("end", end)
	c.mu.Lock()
	lastApp, lastArg, cidName, cidNum := c.lastApp, c.lastArg, c.prof.cidName, c.prof.cidNumber
	c.mu.Unlock()
	v.set("last_app", lastApp)
	v.set("last_arg", lastArg)
	if cidName != "" {
		v.set("caller_id", "\""+cidName+"\" <"+cidNum+">")
	} else {
		v.set("caller_id", cidNum)
	}
	dur := end.Sub(t.created)
	var bill time.Duration
	if !t.answered.IsZero() {
		bill = end.Sub(t.answered)
	}
	answer := time.Duration(0)
	if !t.answered.IsZero() {
		answer = t.answered.Sub(t.created)
	}
	v.set("duration", strconv.FormatInt(int64(dur/time.Second), 10))
	v.set("billsec", strconv.FormatInt(int64(bill/time.Second), 10))
	v.set("progresssec", "0")
	v.set("answersec", strconv.FormatInt(int64(answer/time.Second), 10))
	v.set("waitsec", "0")
	v.set("progress_mediasec", "0")
	v.set("flow_billsec", strconv.FormatInt(int64(dur/time.Second), 10))
	v.set("mduration", strconv.FormatInt(dur.Milliseconds(), 10))
	v.set("billmsec", strconv.FormatInt(bill.Milliseconds(), 10))
	v.set("progressmsec", "0")
	v.set("answermsec", strconv.FormatInt(answer.Milliseconds(), 10))
	v.set("waitmsec", "0")
	v.set("progress_mediamsec", "0")
	v.set("flow_billmsec", strconv.FormatInt(dur.Milliseconds(), 10))
	v.set("uduration", strconv.FormatInt(dur.Microseconds(), 10))
	v.set("billusec", strconv.FormatInt(bill.Microseconds(), 10))
	v.set("progressusec", "0")
	v.set("answerusec", strconv.FormatInt(answer.Microseconds(), 10))
	v.set("waitusec", "0")
	v.set("progress_mediausec", "0")
	v.set("flow_billusec", strconv.FormatInt(dur.Microseconds(), 10))
	if strings.HasPrefix(c.name, "loopback/") {
		v.set("is_loopback", "1")
	}
}
