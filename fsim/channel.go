package fsim

import (
	"strconv"
	"sync"
	"time"
)

// channel is one simulated call leg (a switch_core_session with its
// switch_channel): a state machine run by its own goroutine (the session
// thread), variables in set order, a caller profile, and queues fed by
// sendmsg, uuid_send_dtmf and the API.
type channel struct {
	sim *Sim

	mu        sync.Mutex
	id        string
	name      string
	outbound  bool      // Call-Direction outbound (originated legs)
	state     chanState // requested state (Channel-State-Number)
	running   chanState // running state (Channel-State)
	callState callState
	answered  bool
	early     bool
	ringing   bool
	hitDP     bool
	codec     int // 0 none, 1 read, 2 read+write
	cause     string
	prof      profile
	other     *profile // Other-Leg profile
	otherType string
	vars      *varList
	sessionID int

	times struct {
		created, answered, progressMedia, hangup, bridged, transfer time.Time
	}

	peer    *channel // the other half of a loopback pair
	bridged *channel // bridge partner
	held    bool

	// Session thread plumbing.
	wake     chan struct{}
	sleeping bool
	pending  bool
	msgs     []*message
	dtmf     []string
	apps     []app // what to run in CS_EXECUTE
	appIdx   int
	xfer     *transferReq
	parkReq  bool
	breakReq bool
	evq      []*event

	answeredGate gate // answered, or early media with originate_early_media
	upGate       gate // really answered
	doneGate     gate // hung up (state >= CS_HANGUP)
	destroyed    chan struct{}
	hupCh        chan struct{} // closed when the hangup starts

	afterCreate   func()
	lastApp       string
	lastArg       string
	sock          *listener // the outbound socket while the socket app runs
	connectedFlag bool
	onConsume     func()
	dtmfBreaks    bool
	bridgeTo      *channel // uuid_bridge request
	originator    *channel // who waits on this leg (bridge/originate)

	watch   []*listener
	divert  map[*listener]bool
	hupSent bool

	calleeUpdate *[2]string // display update (name, number) not yet taken

	// The originate API's hand-over of its leg (see awaitHandoff).
	origAPI      bool // the originate API waits on this leg
	handoffArmed bool // the thread opens handoff when it next waits past CS_CONSUME_MEDIA
	handoff      gate
}

// takeCalleeUpdateLocked applies a pending display update (c.mu held).
func (c *channel) takeCalleeUpdateLocked() {
	if u := c.calleeUpdate; u != nil {
		c.prof.calleeName, c.prof.calleeNumber = u[0], u[1]
		c.calleeUpdate = nil
	}
}

type transferReq struct{ dest, context string }

// profile is a caller profile (switch_caller_profile_t).
type profile struct {
	direction, logicalDirection      string
	username, dialplan               string
	cidName, cidNumber               string
	origCidName, origCidNumber       string
	calleeName, calleeNumber         string
	ani, dest, uuid, source, context string
	chanName                         string
	transferSource, rdnis            string
	index                            int
	created                          time.Time
}

// message is a queued sendmsg (switch_ivr_parse_event's input).
type message struct {
	headers []wireHeader
	body    string
	hasBody bool
	command string
	done    chan struct{} // closed when executed (static outbound mode)
}

func (m *message) header(name string) string {
	for _, h := range m.headers {
		if equalFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// gate is a one-shot condition that goroutines wait for. Opening it counts
// each waiting counted goroutine as runnable again before waking it, so
// Sim.Advance never sees a false quiet moment.
type gate struct {
	mu      sync.Mutex
	open    bool
	waiters []gateWaiter
}

type gateWaiter struct {
	ch      chan struct{}
	counted bool
}

func (g *gate) set(s *scheduler) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open {
		return
	}
	g.open = true
	for _, w := range g.waiters {
		if w.counted {
			s.enter()
		}
		close(w.ch)
	}
	g.waiters = nil
}

func (g *gate) isOpen() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open
}

// wait blocks until the gate opens or stop closes. counted says whether the
// caller is a counted activity (a session thread or a background job).
func (g *gate) wait(s *scheduler, counted bool, stop <-chan struct{}) bool {
	g.mu.Lock()
	if g.open {
		g.mu.Unlock()
		return true
	}
	w := gateWaiter{ch: make(chan struct{}), counted: counted}
	g.waiters = append(g.waiters, w)
	g.mu.Unlock()
	if counted {
		s.leave()
	}
	select {
	case <-w.ch:
		return true
	case <-stop:
		g.mu.Lock()
		still := false
		for i, x := range g.waiters {
			if x.ch == w.ch {
				g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
				still = true
				break
			}
		}
		g.mu.Unlock()
		if !still {
			// Opened meanwhile: set already counted us as runnable.
			return true
		}
		if counted {
			s.enter()
		}
		return false
	}
}

func (s *Sim) newChannel(name string, outbound bool) *channel {
	c := &channel{sim: s, id: newUUID(), name: name, outbound: outbound, vars: newVarList(),
		wake: make(chan struct{}, 1), destroyed: make(chan struct{}), hupCh: make(chan struct{}),
		state: csNew, running: csNone}
	c.times.created = s.clock.Now()
	s.mu.Lock()
	s.sessions++
	c.sessionID = int(s.sessions)
	s.channels[c.id] = c
	s.order = append(s.order, c)
	if len(s.channels) > s.peak {
		s.peak = len(s.channels)
	}
	s.mu.Unlock()
	return c
}

func (c *channel) uuid() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.id
}

func (c *channel) setVar(name, value string) { c.vars.set(name, value) }

// getVar is switch_channel_get_variable: channel variables first, then the
// caller-profile fields FreeSWITCH exposes under variable names.
func (c *channel) getVar(name string) string {
	if v := c.vars.get(name); v != "" {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p := &c.prof
	switch name {
	case "destination_number":
		return p.dest
	case "caller_id_name":
		return p.cidName
	case "caller_id_number":
		return p.cidNumber
	case "callee_id_name":
		return p.calleeName
	case "callee_id_number":
		return p.calleeNumber
	case "ani":
		return p.ani
	case "context":
		return p.context
	case "dialplan":
		return p.dialplan
	case "source":
		return p.source
	case "rdnis":
		return p.rdnis
	case "state":
		return c.state.String()
	}
	return ""
}

// attach binds a socket to the channel; the channel is not destroyed
// while one is attached (the session read lock of mes.c).
func (c *channel) attach(l *listener) {
	c.mu.Lock()
	c.watch = append(c.watch, l)
	c.mu.Unlock()
}

func (c *channel) detach(l *listener) {
	c.mu.Lock()
	for i, x := range c.watch {
		if x == l {
			c.watch = append(c.watch[:i], c.watch[i+1:]...)
			break
		}
	}
	delete(c.divert, l)
	c.mu.Unlock()
	c.poke()
}

func (c *channel) setDivert(l *listener, on bool) {
	c.mu.Lock()
	if c.divert == nil {
		c.divert = map[*listener]bool{}
	}
	if on {
		c.divert[l] = true
	} else {
		delete(c.divert, l)
	}
	c.mu.Unlock()
}

// channel returns the live channel with that UUID.
func (s *Sim) channel(uuid string) *channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.channels[uuid]
}

// poke wakes the session thread to re-check its conditions.
func (c *channel) poke() {
	c.mu.Lock()
	c.pending = true
	if c.sleeping {
		c.sleeping = false
		c.sim.sched.enter()
		c.wake <- struct{}{}
	}
	c.mu.Unlock()
}

// waitFor blocks the session thread until cond() holds (checked with c.mu
// held) or d passes (d < 0: no limit). It reports whether cond held.
func (c *channel) waitFor(d time.Duration, cond func() bool) bool {
	var fired bool
	var t Timer
	if d >= 0 {
		t = c.sim.clock.AfterFunc(d, func() {
			c.mu.Lock()
			fired = true
			c.mu.Unlock()
			c.poke()
		})
		defer t.Stop()
	}
	closing := false
	c.mu.Lock()
	for {
		if cond() {
			c.mu.Unlock()
			return true
		}
		if fired {
			c.mu.Unlock()
			return false
		}
		c.takeCalleeUpdateLocked()
		handedOff := c.handoffArmed && c.state != csConsumeMedia
		if handedOff {
			c.handoffArmed = false
		}
		if closing {
			// The simulator is closing: whatever this thread waits for may
			// never come; hang up so every loop above ends.
			c.mu.Unlock()
			c.hangup("SYSTEM_SHUTDOWN")
			return false
		}
		c.pending = false
		c.sleeping = true
		c.mu.Unlock()
		if handedOff {
			c.handoff.set(&c.sim.sched)
		}
		c.sim.sched.leave()
		select {
		case <-c.wake:
			c.mu.Lock()
		case <-c.sim.closing:
			c.mu.Lock()
			if c.sleeping {
				c.sleeping = false
				c.sim.sched.enter()
			} else {
				<-c.wake // poke counted us and sent under c.mu: take it
			}
			closing = true
		}
	}
}

// interrupted reports (c.mu held) whether the running application must
// stop: hangup, transfer, park or break.
func (c *channel) interruptedLocked() bool {
	return c.state >= csHangup || c.xfer != nil || c.parkReq || c.breakReq
}

// hangupFired reports whether CHANNEL_HANGUP has been fired (and so queued
// to every socket that will see it).
func (c *channel) hangupFired() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hupSent
}

func (c *channel) hungup() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state >= csHangup
}

// Event building ------------------------------------------------------------

// extendedTypes carry variable_* headers by default (§3.7).
var extendedTypes = func() (t [numEvents]bool) {
	for _, id := range []int{evChannelCreate, evChannelOriginate, evChannelUUID, evChannelAnswer,
		evChannelPark, evChannelUnpark, evChannelBridge, evChannelUnbridge, evChannelProgress,
		evChannelProgressMedia, evChannelHangup, evChannelHangupComplete, evChannelData,
		evChannelExecute, evChannelExecuteComplete, evChannelDestroy, evAPI, evRecordStart,
		evRecordStop, evPlaybackStart, evPlaybackStop, evCallUpdate, evChannelHold,
		evChannelUnhold, evCustom} {
		t[id] = true
	}
	return
}()

// chanEvent builds a channel event: standard headers, pre (event headers
// that come first), the channel data, then post. Caller holds no lock.
func (c *channel) chanEvent(id int, o origin, pre func(e *event), post func(e *event)) *event {
	e := c.sim.newEventCap(id, "", o, 60+c.vars.len())
	if pre != nil {
		pre(e)
	}
	c.mu.Lock()
	c.basicDataLocked(e, "Caller")
	c.mu.Unlock()
	if extendedTypes[id] || c.getVar("verbose_events") == "true" {
		for _, kv := range c.vars.all() {
			e.add("variable_"+kv.name, kv.value)
		}
	}
	if post != nil {
		post(e)
	}
	return e
}

func (c *channel) fire(id int, o origin, pre, post func(e *event)) {
	c.sim.fire(c.chanEvent(id, o, pre, post))
}

func (c *channel) answerStateLocked() string {
	switch {
	case c.state >= csHangup:
		return "hangup"
	case c.answered:
		return "answered"
	case c.early:
		return "early"
	}
	return "ringing"
}

func tf(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (c *channel) direction() string {
	if c.outbound {
		return "outbound"
	}
	return "inbound"
}

// basicDataLocked is switch_channel_event_set_basic_data.
func (c *channel) basicDataLocked(e *event, prefix string) {
	e.add("Channel-State", c.running.String())
	e.add("Channel-Call-State", c.callState.String())
	e.add("Channel-State-Number", strconv.Itoa(int(c.state)))
	e.add("Channel-Name", c.name)
	e.add("Unique-ID", c.id)
	e.add("Call-Direction", c.direction())
	e.add("Presence-Call-Direction", c.direction())
	e.add("Channel-HIT-Dialplan", tf(c.hitDP || !c.outbound))
	callUUID := c.vars.get("call_uuid")
	if callUUID == "" {
		callUUID = c.id
	}
	e.add("Channel-Call-UUID", callUUID)
	e.add("Answer-State", c.answerStateLocked())
	if c.cause != "" {
		e.add("Hangup-Cause", c.cause)
	}
	if c.codec >= 1 {
		e.add("Channel-Read-Codec-Name", "L16")
		e.add("Channel-Read-Codec-Rate", "8000")
		e.add("Channel-Read-Codec-Bit-Rate", "128000")
	}
	if c.codec >= 2 {
		e.add("Channel-Write-Codec-Name", "L16")
		e.add("Channel-Write-Codec-Rate", "8000")
		e.add("Channel-Write-Codec-Bit-Rate", "128000")
	}
	if c.prof.uuid != "" {
		c.profileLocked(e, prefix, &c.prof, true)
	}
	if c.other != nil {
		e.add("Other-Type", c.otherType)
		c.profileLocked(e, "Other-Leg", c.other, false)
	}
}

func usec(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixMicro(), 10)
}

// profileLocked is switch_caller_profile_event_set_data; times only for the
// channel's own profile (an Other-Leg copy has an empty timetable).
func (c *channel) profileLocked(e *event, p string, pr *profile, own bool) {
	e.add(p+"-Direction", pr.direction)
	e.add(p+"-Logical-Direction", pr.logicalDirection)
	e.add(p+"-Username", pr.username)
	e.add(p+"-Dialplan", pr.dialplan)
	e.add(p+"-Caller-ID-Name", pr.cidName)
	e.add(p+"-Caller-ID-Number", pr.cidNumber)
	if pr.cidName != "" || pr.origCidName != "" {
		e.add(p+"-Orig-Caller-ID-Name", pr.origCidName)
	}
	e.add(p+"-Orig-Caller-ID-Number", pr.origCidNumber)
	e.add(p+"-Callee-ID-Name", pr.calleeName)
	e.add(p+"-Callee-ID-Number", pr.calleeNumber)
	e.add(p+"-ANI", pr.ani)
	e.add(p+"-Destination-Number", pr.dest)
	e.add(p+"-Unique-ID", pr.uuid)
	e.add(p+"-Source", pr.source)
	e.add(p+"-Transfer-Source", pr.transferSource)
	e.add(p+"-Context", pr.context)
	e.add(p+"-RDNIS", pr.rdnis)
	e.add(p+"-Channel-Name", pr.chanName)
	if own {
		e.add(p+"-Profile-Index", strconv.Itoa(pr.index))
		pc := pr.created
		if pc.IsZero() {
			pc = c.times.created
		}
		e.add(p+"-Profile-Created-Time", usec(pc))
		e.add(p+"-Channel-Created-Time", usec(c.times.created))
		e.add(p+"-Channel-Answered-Time", usec(c.times.answered))
		e.add(p+"-Channel-Progress-Time", "0")
		e.add(p+"-Channel-Progress-Media-Time", usec(c.times.progressMedia))
		e.add(p+"-Channel-Hangup-Time", usec(c.times.hangup))
		e.add(p+"-Channel-Transfer-Time", usec(c.times.transfer))
		e.add(p+"-Channel-Resurrect-Time", "0")
		e.add(p+"-Channel-Bridged-Time", usec(c.times.bridged))
		e.add(p+"-Channel-Last-Hold", "0")
		e.add(p+"-Channel-Hold-Accum", "0")
	} else {
		for _, n := range []string{"Profile-Created-Time", "Channel-Created-Time", "Channel-Answered-Time",
			"Channel-Progress-Time", "Channel-Progress-Media-Time", "Channel-Hangup-Time",
			"Channel-Transfer-Time", "Channel-Resurrect-Time", "Channel-Bridged-Time",
			"Channel-Last-Hold", "Channel-Hold-Accum"} {
			e.add(p+"-"+n, "0")
		}
	}
	e.add(p+"-Screen-Bit", "true")
	e.add(p+"-Privacy-Hide-Name", "false")
	e.add(p+"-Privacy-Hide-Number", "false")
}

// dataEvent is the CHANNEL_DATA event (connect reply, uuid_dump): unique
// headers. A prefix other than "Caller" (the connect reply's "Channel")
// puts the caller profile under that prefix first, then the channel data
// with its usual Caller-* block, as the outbound-7777 capture shows.
func (c *channel) dataEvent(o origin, prefix string) *event {
	e := c.sim.newEvent(evChannelData, "", o)
	c.mu.Lock()
	if prefix != "Caller" && c.prof.uuid != "" {
		c.profileLocked(e, prefix, &c.prof, true)
	}
	c.basicDataLocked(e, "Caller")
	c.mu.Unlock()
	for _, kv := range c.vars.all() {
		e.set("variable_"+kv.name, kv.value)
	}
	return e
}

// State machine ----------------------------------------------------------

// setState requests a state (switch_channel_perform_set_state): only the
// number moves; the session thread runs it.
func (c *channel) setState(s chanState) {
	c.mu.Lock()
	if c.state >= csHangup && s < c.state {
		c.mu.Unlock()
		return
	}
	c.state = s
	c.mu.Unlock()
	c.poke()
}

// enter runs a state: the running state changes, CHANNEL_STATE fires.
func (c *channel) enter(s chanState) {
	c.mu.Lock()
	c.running = s
	c.mu.Unlock()
	c.sim.logf(logDebug, origin{"switch_core_state_machine.c", "switch_core_session_run", 581}, c.id,
		"(%s) Running State Change %s", c.name, s)
	c.fire(evChannelState, origin{"switch_channel.c", "switch_channel_perform_set_running_state", 2409}, nil, nil)
}

// setCallState fires CHANNEL_CALLSTATE on a real change; HANGUP is final.
func (c *channel) setCallState(cs callState) {
	c.mu.Lock()
	old := c.callState
	if old == cs || old == ccsHangup {
		c.mu.Unlock()
		return
	}
	c.callState = cs
	name := c.name
	c.mu.Unlock()
	c.sim.logf(logDebug, origin{"switch_channel.c", "switch_channel_perform_set_callstate", 2400}, c.id,
		"(%s) Callstate Change %s -> %s", name, old, cs)
	c.fire(evChannelCallstate, origin{"switch_channel.c", "switch_channel_perform_set_callstate", 302}, func(e *event) {
		e.add("Original-Channel-Call-State", old.String())
		e.add("Channel-Call-State-Number", strconv.Itoa(int(cs)))
	}, nil)
}

// markAnswered is switch_channel_perform_mark_answered.
func (c *channel) markAnswered() bool {
	c.mu.Lock()
	if c.answered || c.state >= csHangup {
		c.mu.Unlock()
		return false
	}
	c.answered = true
	c.times.answered = c.sim.clock.Now()
	name := c.name
	c.mu.Unlock()
	c.sim.logf(logNotice, origin{"switch_channel.c", "switch_channel_perform_mark_answered", 3820}, c.id,
		"Channel [%s] has been answered", name)
	c.fire(evChannelAnswer, origin{"switch_channel.c", "switch_channel_perform_mark_answered", 3848}, nil, nil)
	c.setVar("endpoint_disposition", "ANSWER")
	c.setCallState(ccsActive)
	c.answeredGate.set(&c.sim.sched)
	c.upGate.set(&c.sim.sched)
	c.poke()
	c.notifyOthers()
	return true
}

// ringReady is switch_channel_perform_mark_ring_ready: CHANNEL_PROGRESS
// and the RINGING call state, once.
func (c *channel) ringReady() {
	c.mu.Lock()
	if c.ringing || c.answered || c.early || c.state >= csHangup {
		c.mu.Unlock()
		return
	}
	c.ringing = true
	c.mu.Unlock()
	c.fire(evChannelProgress, origin{"switch_channel.c", "switch_channel_perform_mark_ring_ready_value", 3464}, nil, nil)
	c.setCallState(ccsRinging)
}

// markPreAnswered is switch_channel_perform_mark_pre_answered.
func (c *channel) markPreAnswered() bool {
	c.mu.Lock()
	if c.early || c.answered || c.state >= csHangup {
		c.mu.Unlock()
		return false
	}
	c.early = true
	c.times.progressMedia = c.sim.clock.Now()
	c.mu.Unlock()
	c.setVar("endpoint_disposition", "EARLY MEDIA")
	c.fire(evChannelProgressMedia, origin{"switch_channel.c", "switch_channel_perform_mark_pre_answered", 3562}, nil, nil)
	c.setCallState(ccsEarly)
	if c.outbound && c.getVar("originate_early_media") == "true" {
		c.answeredGate.set(&c.sim.sched)
	}
	c.poke()
	c.notifyOthers()
	return true
}

// hangup is switch_channel_perform_hangup: from any goroutine, once.
func (c *channel) hangup(cause string) {
	c.mu.Lock()
	if c.state >= csHangup {
		c.mu.Unlock()
		return
	}
	if cause == "" {
		cause = "NORMAL_CLEARING"
	}
	c.state = csHangup
	c.cause = cause
	c.times.hangup = c.sim.clock.Now()
	close(c.hupCh)
	name := c.name
	run := c.running
	c.mu.Unlock()
	c.sim.logf(logNotice, origin{"switch_channel.c", "switch_channel_perform_hangup", 3400}, c.id,
		"Hangup %s [%s] [%s]", name, run, cause)
	c.fire(evChannelHangup, origin{"switch_channel.c", "switch_channel_perform_hangup", 3447}, nil, nil)
	c.mu.Lock()
	c.hupSent = true
	c.mu.Unlock()
	c.doneGate.set(&c.sim.sched)
	c.answeredGate.set(&c.sim.sched)
	c.poke()
	c.notifyOthers()
}

// notifyOthers wakes whoever watches this channel: bound sockets, the
// bridge partner and the originator.
func (c *channel) notifyOthers() {
	c.mu.Lock()
	ls := append([]*listener(nil), c.watch...)
	others := []*channel{c.bridged, c.originator}
	c.mu.Unlock()
	for _, l := range ls {
		l.signal()
	}
	for _, o := range others {
		if o != nil {
			o.poke()
		}
	}
}
