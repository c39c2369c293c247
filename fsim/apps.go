package fsim

import (
	"strconv"
	"strings"
	"time"
)

// appFunc is a dialplan application: it runs on the channel's session
// thread and returns when done (or when the channel is interrupted).
type appFunc func(c *channel, arg string)

var appTable map[string]appFunc

func init() {
	appTable = map[string]appFunc{
		"answer":              appAnswer,
		"pre_answer":          appPreAnswer,
		"ring_ready":          func(c *channel, arg string) { c.ringReady() },
		"hangup":              appHangup,
		"playback":            appPlayback,
		"park":                appPark,
		"bridge":              appBridge,
		"set":                 appSet,
		"export":              appExport,
		"unset":               func(c *channel, arg string) { c.setVar(strings.TrimSpace(arg), "") },
		"sleep":               appSleep,
		"echo":                appEcho,
		"socket":              appSocket,
		"play_and_get_digits": appPlayAndGetDigits,
		"record":              appRecord,
		"transfer":            appTransfer,
		"event":               appEvent,
		"log":                 func(c *channel, arg string) {},
		"info":                func(c *channel, arg string) {},
	}
}

func (s *Sim) application(name string) (appFunc, bool) {
	f, ok := appTable[strings.ToLower(name)]
	return f, ok
}

// answer marks the channel answered; a loopback leg answers its other half
// first, as mod_loopback does.
func (c *channel) answer() { c.answerFrom(true) }

// answerFrom answers c and its loopback partner; counted says whether the
// caller is a counted activity (a session thread or a background job).
func (c *channel) answerFrom(counted bool) {
	if p := c.peer; p != nil {
		p.awaitHandoff(counted)
		p.markAnswered()
	}
	c.markAnswered()
}

// awaitHandoff orders a loopback A leg's answer after its originate's
// hand-over. The originate API succeeds on the leg's early media
// (originate_early_media) and then flips the caller ID and hands the leg
// to its application or extension; in FreeSWITCH that takes far less
// than the B leg's bridge needs to reach its own answer (a whole new call
// to set up), so the A leg's CALL_UPDATE, CS_EXECUTE and first
// application (CHANNEL_PARK) come with Answer-State "early" and its
// CHANNEL_ANSWER after them (the call-xml and call-json captures). Here
// both run at once, so the answer waits until the originate has handed
// the leg over and the leg's thread has run up to its next wait (or
// ended). Only an early-media success is waited for: an answer that is
// itself what the originate waits for goes straight through.
func (c *channel) awaitHandoff(counted bool) {
	c.mu.Lock()
	wait := c.origAPI && !c.answered && c.state < csHangup
	c.mu.Unlock()
	if wait && c.answeredGate.isOpen() {
		c.handoff.wait(&c.sim.sched, counted, c.sim.closing)
	}
}

func (c *channel) preAnswer() {
	c.mu.Lock()
	done := c.answered || c.early
	c.mu.Unlock()
	if done {
		return
	}
	if p := c.peer; p != nil {
		p.markPreAnswered()
	}
	c.markPreAnswered()
}

func appAnswer(c *channel, arg string)    { c.answer() }
func appPreAnswer(c *channel, arg string) { c.preAnswer() }

func appHangup(c *channel, arg string) {
	cause := "NORMAL_CLEARING"
	if strings.TrimSpace(arg) != "" {
		cause = parseCause(arg)
	}
	c.hangup(cause)
}

func appSet(c *channel, arg string) {
	name, value, _ := strings.Cut(arg, "=")
	c.setVar(strings.TrimSpace(name), value)
}

// appExport sets the variable here and on the bridged or loopback
// partner (nolocal: only there).
func appExport(c *channel, arg string) {
	name, value, _ := strings.Cut(arg, "=")
	name = strings.TrimSpace(name)
	local := true
	if strings.HasPrefix(name, "nolocal:") {
		name, local = name[8:], false
	}
	if local {
		c.setVar(name, value)
	}
	c.mu.Lock()
	other := c.bridged
	c.mu.Unlock()
	if other != nil {
		other.setVar(name, value)
	}
	exp := c.getVar("export_vars")
	if exp != "" {
		exp += ","
	}
	c.setVar("export_vars", exp+name)
}

func appSleep(c *channel, arg string) {
	ms := catoi(arg)
	c.waitFor(time.Duration(ms)*time.Millisecond, c.interruptedLocked)
}

func appEcho(c *channel, arg string) {
	c.waitFor(-1, c.interruptedLocked)
}

func appTransfer(c *channel, arg string) {
	f := tokens(arg)
	if len(f) == 0 {
		return
	}
	ctx := c.prof.context
	if len(f) >= 3 {
		ctx = f[2]
	}
	c.transfer(f[0], ctx)
}

// transfer moves the channel to another extension (switch_ivr_session_transfer).
func (c *channel) transfer(dest, ctx string) {
	c.mu.Lock()
	if c.state >= csHangup {
		c.mu.Unlock()
		return
	}
	c.xfer = &transferReq{dest: dest, context: ctx}
	now := c.sim.clock.Now()
	// A transfer makes a new caller profile (switch_ivr_session_transfer).
	p := c.prof
	p.rdnis = p.dest
	p.transferSource = strconv.FormatInt(now.Unix(), 10) + ":" + newUUID() + ":bl_xfer:" + dest + "/" + ctx + "/XML"
	p.dest, p.context = dest, ctx
	p.dialplan, p.logicalDirection = "XML", "inbound"
	p.index++
	p.created = now
	c.prof = p
	c.state = csRouting
	c.mu.Unlock()
	c.poke()
}

// appEvent fires a custom event: "Event-Name=X,Event-Subclass=a::b,H=v".
func appEvent(c *channel, arg string) {
	name, sub := "CUSTOM", ""
	var hs [][2]string
	for _, kv := range strings.Split(arg, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		switch {
		case strings.EqualFold(k, "Event-Name"):
			name = v
		case strings.EqualFold(k, "Event-Subclass"):
			sub = v
		default:
			hs = append(hs, [2]string{k, v})
		}
	}
	id, ok := eventID(name)
	if !ok || id == evAll {
		id = evCustom
	}
	if id != evCustom {
		sub = ""
	}
	e := c.sim.newEvent(id, sub, origin{"mod_dptools.c", "event_function", 1188})
	c.mu.Lock()
	c.basicDataLocked(e, "Caller")
	c.mu.Unlock()
	for _, kv := range c.vars.all() {
		e.add("variable_"+kv.name, kv.value)
	}
	for _, h := range hs {
		e.add(h[0], h[1])
	}
	c.sim.fire(e)
}

// playDuration says how long a playback lasts: tone_stream and
// silence_stream their real length, files Options.FileDuration.
func (s *Sim) playDuration(path string) (time.Duration, string) {
	switch {
	case strings.HasPrefix(path, "tone_stream://"):
		return toneDuration(path[len("tone_stream://"):]), "tone_stream"
	case strings.HasPrefix(path, "silence_stream://"):
		ms := catoi(strings.SplitN(path[len("silence_stream://"):], ",", 2)[0])
		if ms <= 0 {
			return -1, "silence_stream"
		}
		return time.Duration(ms) * time.Millisecond, "silence_stream"
	}
	return s.opts.FileDuration, ""
}

// toneDuration sums the on/off times of every %(on,off,freq) segment and
// multiplies by ;loops=N (loops=-1 plays forever: -1).
func toneDuration(spec string) time.Duration {
	loops := 1
	if i := strings.Index(spec, "loops="); i >= 0 {
		loops = catoi(spec[i+6:])
	}
	total := 0
	for rest := spec; ; {
		i := strings.Index(rest, "%(")
		if i < 0 {
			break
		}
		rest = rest[i+2:]
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			break
		}
		f := strings.Split(rest[:end], ",")
		if len(f) >= 2 {
			total += catoi(f[0]) + catoi(f[1])
		}
		rest = rest[end+1:]
	}
	if loops < 0 {
		return -1
	}
	if loops == 0 {
		loops = 1
	}
	return time.Duration(total*loops) * time.Millisecond
}

func appPlayback(c *channel, arg string) { c.play(arg) }

// play is switch_ivr_play_file: PLAYBACK_START, the file's duration (or
// until interrupted), PLAYBACK_STOP. It reports whether it played to the
// end.
func (c *channel) play(path string) bool {
	c.preAnswer()
	d, typ := c.sim.playDuration(path)
	c.mu.Lock()
	if c.held {
		d = -1 // a held (suspended) channel reads no frames: it never ends
	}
	c.mu.Unlock()
	c.fire(evPlaybackStart, origin{"switch_ivr_play_say.c", "switch_ivr_play_file", 1649}, nil, func(e *event) {
		e.add("Playback-File-Type", typ)
		e.add("Playback-File-Path", path)
	})
	start := c.sim.clock.Now()
	interrupted := c.waitFor(d, func() bool { return c.interruptedLocked() || len(c.dtmf) > 0 && c.dtmfBreaks })
	played := c.sim.clock.Now().Sub(start)
	if !interrupted && d > 0 {
		played = d
	}
	samples := played.Milliseconds() * 8
	c.setVar("playback_last_offset_pos", strconv.FormatInt(samples, 10))
	c.setVar("playback_seconds", strconv.FormatInt(int64(played/time.Second), 10))
	c.setVar("playback_ms", strconv.FormatInt(played.Milliseconds(), 10))
	c.setVar("playback_samples", strconv.FormatInt(samples, 10))
	// Only a break (uuid_break, a terminating digit) says "break"; a
	// hangup still reports "done", as FreeSWITCH does.
	c.mu.Lock()
	status := "done"
	if interrupted && (c.breakReq || c.dtmfBreaks && len(c.dtmf) > 0) {
		status = "break"
	}
	c.mu.Unlock()
	c.fire(evPlaybackStop, origin{"switch_ivr_play_say.c", "switch_ivr_play_file", 2023}, nil, func(e *event) {
		e.add("Playback-File-Type", typ)
		e.add("Playback-File-Path", path)
		e.add("Playback-Status", status)
	})
	c.setVar("current_application_response", "FILE PLAYED")
	return !interrupted
}

// appPark is switch_ivr_park: CHANNEL_PARK, wait (running queued
// commands), CHANNEL_UNPARK.
func appPark(c *channel, arg string) {
	c.fire(evChannelPark, origin{"switch_ivr.c", "switch_ivr_park", 1002}, nil, nil)
	c.parkLoop()
	c.fire(evChannelUnpark, origin{"switch_ivr.c", "switch_ivr_park", 1213}, nil, nil)
}

// parkLoop parks until the channel leaves the state it parks in, hangs up,
// transfers or is bridged. The hangup test is explicit: a hangup that
// lands before the loop reads the state would otherwise become the state
// it waits to leave, and the leg would stay parked for ever.
func (c *channel) parkLoop() {
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	for {
		c.waitFor(-1, func() bool {
			return c.state != st || c.state >= csHangup || c.xfer != nil || c.bridgeTo != nil || len(c.msgs) > 0
		})
		c.mu.Lock()
		leave := c.state != st || c.state >= csHangup || c.xfer != nil || c.bridgeTo != nil
		c.mu.Unlock()
		if leave {
			return
		}
		c.processMessages()
	}
}

// appPlayAndGetDigits: min max tries timeout terminators file invalid_file
// var_name [regexp [digit_timeout]]. Digits come from uuid_send_dtmf.
func appPlayAndGetDigits(c *channel, arg string) {
	f := tokens(arg)
	if len(f) < 8 {
		return
	}
	minD, maxD, tries := catoi(f[0]), catoi(f[1]), catoi(f[2])
	timeout := time.Duration(catoi(f[3])) * time.Millisecond
	terms, file, varName := f[4], f[5], f[7]
	if tries <= 0 {
		tries = 1
	}
	for try := 0; try < tries; try++ {
		c.setDTMFBreak(true)
		c.play(file)
		digits := ""
		for {
			got := c.waitFor(timeout, func() bool { return len(c.dtmf) > 0 || c.interruptedLocked() })
			if !got || c.hungup() {
				break
			}
			c.mu.Lock()
			if len(c.dtmf) == 0 {
				c.mu.Unlock()
				break
			}
			d := c.dtmf[0]
			c.dtmf = c.dtmf[1:]
			c.mu.Unlock()
			if strings.Contains(terms, d) {
				break
			}
			digits += d
			if len(digits) >= maxD {
				break
			}
		}
		c.setDTMFBreak(false)
		if c.hungup() {
			return
		}
		if len(digits) >= minD && digits != "" {
			c.setVar(varName, digits)
			c.setVar("read_result", "success")
			return
		}
	}
	c.setVar("read_result", "failure")
}

func (c *channel) setDTMFBreak(on bool) {
	c.mu.Lock()
	c.dtmfBreaks = on
	c.mu.Unlock()
}

// appRecord: path [time_limit_secs]. RECORD_START, until the limit or an
// interruption, RECORD_STOP.
func appRecord(c *channel, arg string) {
	f := tokens(arg)
	if len(f) == 0 {
		return
	}
	path := f[0]
	limit := time.Duration(-1)
	if len(f) > 1 && catoi(f[1]) > 0 {
		limit = time.Duration(catoi(f[1])) * time.Second
	}
	c.preAnswer()
	c.fire(evRecordStart, origin{"switch_ivr_async.c", "record_callback", 1218}, nil, func(e *event) {
		e.add("Record-File-Path", path)
	})
	start := c.sim.clock.Now()
	c.waitFor(limit, c.interruptedLocked)
	ms := c.sim.clock.Now().Sub(start).Milliseconds()
	c.setVar("record_ms", strconv.FormatInt(ms, 10))
	c.setVar("record_seconds", strconv.FormatInt(ms/1000, 10))
	c.setVar("record_samples", strconv.FormatInt(ms*8, 10))
	c.fire(evRecordStop, origin{"switch_ivr_async.c", "record_callback", 1273}, nil, func(e *event) {
		e.add("Record-File-Path", path)
		e.add("Record-Completion-Cause", "success-silence")
	})
}
