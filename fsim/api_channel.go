package fsim

import (
	"github.com/eslkit/esl/internal/wire"

	"strconv"
	"strings"
	"time"
)

const noSuchChannel = "-ERR No such channel!\n"

func registerChannelAPIs(t map[string]apiFunc) {
	t["originate"] = apiOriginate
	t["uuid_kill"] = apiUUIDKill
	t["uuid_answer"] = apiUUIDAnswer
	t["uuid_pre_answer"] = apiUUIDPreAnswer
	t["uuid_bridge"] = apiUUIDBridge
	t["uuid_hold"] = apiUUIDHold
	t["uuid_transfer"] = apiUUIDTransfer
	t["uuid_setvar"] = apiUUIDSetvar
	t["uuid_getvar"] = apiUUIDGetvar
	t["uuid_dump"] = apiUUIDDump
	t["uuid_exists"] = apiUUIDExists
	t["uuid_send_dtmf"] = apiUUIDSendDTMF
	t["uuid_park"] = apiUUIDPark
	t["uuid_break"] = apiUUIDBreak
	t["hupall"] = apiHupall
}

func apiUUIDKill(s *Sim, c *apiCall) (string, bool) {
	f := tokens(c.args)
	if len(f) == 0 {
		return "-USAGE: <uuid> [cause]\n", true
	}
	ch := s.channel(f[0])
	if ch == nil {
		return noSuchChannel, true
	}
	cause := "NORMAL_CLEARING"
	if len(f) > 1 {
		cause = parseCause(f[1])
	}
	ch.hangup(cause)
	return "+OK\n", true
}

func apiUUIDAnswer(s *Sim, c *apiCall) (string, bool) {
	ch := s.channel(strings.TrimSpace(c.args))
	if ch == nil {
		return noSuchChannel, true
	}
	ch.answerFrom(c.counted)
	return "+OK\n", true
}

func apiUUIDPreAnswer(s *Sim, c *apiCall) (string, bool) {
	ch := s.channel(strings.TrimSpace(c.args))
	if ch == nil {
		return noSuchChannel, true
	}
	ch.preAnswer()
	return "+OK\n", true
}

// apiUUIDBridge bridges two live channels; both leave what they were doing.
func apiUUIDBridge(s *Sim, c *apiCall) (string, bool) {
	f := tokens(c.args)
	if len(f) < 2 {
		return "-USAGE: <uuid> <other_uuid>\n", true
	}
	a, b := s.channel(f[0]), s.channel(f[1])
	if a == nil || b == nil {
		return "-ERR Invalid uuid\n", true
	}
	a.requestBridge(b)
	b.requestBridge(a)
	a.bridgeWith(b, false)
	s.wg.Add(1)
	go func() {
		// signal_bridge_on_hangup: when either side ends, UNBRIDGE for A and
		// the other side hangs up.
		defer s.wg.Done()
		first := waitEither(a, b, s)
		other := b
		if first == b {
			other = a
		}
		a.unbridge(b)
		first.mu.Lock()
		cause := first.cause
		first.mu.Unlock()
		other.hangup(cause)
	}()
	return "+OK\n", true
}

// requestBridge is uuid_bridge's request to c: the partner and the state
// change are made together. A parked c leaves its park as soon as either
// shows; seeing the partner without the new state, it would end its
// application list and hang up (NORMAL_CLEARING) instead of bridging.
func (c *channel) requestBridge(other *channel) {
	c.mu.Lock()
	c.bridgeTo = other
	if c.state < csHangup {
		c.state = csExchangeMedia
	}
	c.mu.Unlock()
	c.poke()
}

// waitEither returns whichever of a and b hangs up first.
func waitEither(a, b *channel, s *Sim) *channel {
	da, db := make(chan struct{}), make(chan struct{})
	s.wg.Add(2)
	go func() { defer s.wg.Done(); a.doneGate.wait(&s.sched, false, s.closing); close(da) }()
	go func() { defer s.wg.Done(); b.doneGate.wait(&s.sched, false, s.closing); close(db) }()
	select {
	case <-da:
		return a
	case <-db:
		return b
	}
}

func apiUUIDHold(s *Sim, c *apiCall) (string, bool) {
	f := tokens(c.args)
	mode := ""
	if len(f) > 0 && (f[0] == "off" || f[0] == "toggle") {
		mode, f = f[0], f[1:]
	}
	if len(f) == 0 {
		return "-USAGE: [off|toggle] <uuid> [<display>]\n", true
	}
	ch := s.channel(f[0])
	if ch == nil {
		return "-ERR Operation failed\n", true
	}
	ch.mu.Lock()
	cs := ch.callState
	ch.mu.Unlock()
	switch mode {
	case "off":
		// Loopback legs never reach HELD, so this fails as it does in
		// FreeSWITCH (use toggle).
		if cs != ccsHeld {
			return "-ERR Operation failed\n", true
		}
		ch.unhold()
	case "toggle":
		ch.mu.Lock()
		held := ch.held
		ch.mu.Unlock()
		if held {
			ch.unhold()
		} else {
			ch.hold()
		}
	default:
		if cs == ccsHeld {
			return "-ERR Operation failed\n", true
		}
		ch.hold()
	}
	return "+OK Success\n", true
}

func (c *channel) hold() {
	c.mu.Lock()
	c.held = true
	c.mu.Unlock()
	c.fire(evChannelHold, origin{"switch_ivr.c", "switch_ivr_hold", 1558}, nil, nil)
}

func (c *channel) unhold() {
	c.mu.Lock()
	c.held = false
	c.mu.Unlock()
	c.fire(evChannelUnhold, origin{"switch_ivr.c", "switch_ivr_unhold", 1601}, nil, nil)
	c.poke()
}

func apiUUIDTransfer(s *Sim, c *apiCall) (string, bool) {
	f := tokens(c.args)
	if len(f) < 2 {
		return "-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n", true
	}
	ch := s.channel(f[0])
	if ch == nil {
		return noSuchChannel, true
	}
	f = f[1:]
	if f[0] == "-bleg" || f[0] == "-both" {
		f = f[1:]
	}
	if len(f) == 0 {
		return "-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n", true
	}
	ch.mu.Lock()
	ctx := ch.prof.context
	ch.mu.Unlock()
	if len(f) > 2 {
		ctx = f[2]
	}
	ch.transfer(f[0], ctx)
	return "+OK\n", true
}

func apiUUIDSetvar(s *Sim, c *apiCall) (string, bool) {
	f := strings.SplitN(c.args, " ", 3)
	if len(f) < 2 {
		return "-USAGE: <uuid> <var> [value]\n", true
	}
	ch := s.channel(f[0])
	if ch == nil {
		return noSuchChannel, true
	}
	v := ""
	if len(f) > 2 {
		v = f[2]
	}
	ch.setVar(f[1], v)
	return "+OK\n", true
}

func apiUUIDGetvar(s *Sim, c *apiCall) (string, bool) {
	f := tokens(c.args)
	if len(f) < 2 {
		return "-USAGE: <uuid> <var>\n", true
	}
	ch := s.channel(f[0])
	if ch == nil {
		return noSuchChannel, true
	}
	v := ch.getVar(f[1])
	if v == "" {
		switch f[1] {
		case "destination_number":
			ch.mu.Lock()
			v = ch.prof.dest
			ch.mu.Unlock()
		case "uuid":
			v = ch.uuid()
		}
	}
	if v == "" {
		return "_undef_", true
	}
	return v, true
}

func apiUUIDDump(s *Sim, c *apiCall) (string, bool) {
	f := tokens(c.args)
	if len(f) == 0 {
		return "-USAGE: <uuid> [format]\n", true
	}
	ch := s.channel(f[0])
	if ch == nil {
		return "-ERR No such channel!\n", true
	}
	e := ch.dataEvent(origin{"mod_commands.c", "uuid_dump_function", 6495}, "Caller")
	if len(f) > 1 && f[1] == "json" {
		return string(appendJSONEvent(nil, e)), true
	}
	if len(f) > 1 && f[1] == "xml" {
		return string(wire.AppendXML(nil, &wire.Event{Headers: e.headers, Body: e.body})), true
	}
	return string(wire.AppendPlain(nil, &wire.Event{Headers: e.headers, Body: e.body})), true
}

func apiUUIDExists(s *Sim, c *apiCall) (string, bool) {
	return tf(s.channel(strings.TrimSpace(c.args)) != nil), true
}

// apiUUIDSendDTMF queues digits. On a loopback leg they come out of the
// other half (that is where FreeSWITCH dequeues them and fires DTMF).
func apiUUIDSendDTMF(s *Sim, c *apiCall) (string, bool) {
	f := tokens(c.args)
	if len(f) < 2 {
		return "-USAGE: <uuid> <dtmf_data>\n", true
	}
	ch := s.channel(f[0])
	if ch == nil {
		return noSuchChannel, true
	}
	digits := f[1]
	dur := 2000
	if i := strings.IndexByte(digits, '@'); i >= 0 {
		dur = catoi(digits[i+1:]) * 8
		digits = digits[:i]
	}
	ch.setVar("last_dtmf_duration", "1500")
	target := ch
	ch.mu.Lock()
	if ch.peer != nil {
		target = ch.peer
	}
	ch.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for _, d := range digits {
			target.receiveDTMF(string(d), dur)
		}
	}()
	return "+OK " + f[0] + " sent DTMF " + digits + ".\n", true
}

// receiveDTMF is switch_channel_dequeue_dtmf: DTMF fires and the digit is
// available to the running application.
func (c *channel) receiveDTMF(d string, dur int) {
	if c.hungup() {
		return
	}
	e := c.chanEvent(evDTMF, origin{"switch_channel.c", "switch_channel_dequeue_dtmf", 678}, nil, func(e *event) {
		e.add("DTMF-Digit", d)
		e.add("DTMF-Duration", strconv.Itoa(dur))
		e.add("DTMF-Source", "UNKNOWN")
	})
	// With divert_events on, the event goes to the session's own queue
	// (the diverting sockets) instead of the event system.
	if !c.deliverDiverted(e) {
		c.sim.fire(e)
	}
	c.mu.Lock()
	c.dtmf = append(c.dtmf, d)
	c.mu.Unlock()
	c.poke()
}

func apiUUIDPark(s *Sim, c *apiCall) (string, bool) {
	ch := s.channel(strings.TrimSpace(c.args))
	if ch == nil {
		return noSuchChannel, true
	}
	ch.setState(csPark)
	return "+OK\n", true
}

func apiUUIDBreak(s *Sim, c *apiCall) (string, bool) {
	f := tokens(c.args)
	if len(f) == 0 {
		return "-USAGE: <uuid> [all]\n", true
	}
	ch := s.channel(f[0])
	if ch == nil {
		return noSuchChannel, true
	}
	ch.mu.Lock()
	ch.breakReq = true
	ch.mu.Unlock()
	ch.poke()
	return "+OK\n", true
}

func apiHupall(s *Sim, c *apiCall) (string, bool) {
	f := tokens(c.args)
	cause := "MANAGER_REQUEST"
	if len(f) > 0 {
		cause = parseCause(f[0])
	}
	if len(f) < 3 {
		s.hangupAll(cause)
		return "+OK hangup all channels with cause " + cause + "\n", true
	}
	for _, ch := range s.liveChannels() {
		if ch.getVar(f[1]) == f[2] {
			ch.hangup(cause)
		}
	}
	return "+OK hangup all channels matching [" + f[1] + "]=[" + f[2] + "] with cause: " + cause + "\n", true
}

func (s *Sim) hangupAll(cause string) {
	for _, ch := range s.liveChannels() {
		ch.hangup(cause)
	}
}

// showRow is one row of "show channels".
func (c *channel) showRow() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	created := c.times.created
	row := map[string]string{
		"uuid": c.id, "direction": c.direction(),
		"created":       created.In(c.sim.loc).Format("2006-01-02 15:04:05"),
		"created_epoch": strconv.FormatInt(created.Unix(), 10),
		"name":          c.name, "state": c.state.String(),
		"cid_name": c.prof.cidName, "cid_num": c.prof.cidNumber, "dest": c.prof.dest,
		"application":      c.vars.get("current_application"),
		"application_data": c.vars.get("current_application_data"),
		"dialplan":         c.prof.dialplan, "context": c.prof.context,
		"read_codec": "L16", "read_rate": "8000", "read_bit_rate": "128000",
		"write_codec": "L16", "write_rate": "8000", "write_bit_rate": "128000",
		"hostname": c.sim.opts.Hostname, "callstate": c.callState.String(),
		"callee_name": c.prof.calleeName, "callee_num": c.prof.calleeNumber,
		"call_uuid":        c.id,
		"initial_cid_name": c.prof.origCidName, "initial_cid_num": c.prof.origCidNumber,
		"initial_dest": c.prof.dest, "initial_dialplan": c.prof.dialplan, "initial_context": c.prof.context,
	}
	out := make([]string, len(channelColumns))
	for i, col := range channelColumns {
		out[i] = row[col]
	}
	return out
}

// callRows joins bridged pairs (and loopback pairs) as "show calls" does.
func (s *Sim) callRows() [][]string {
	chans := s.liveChannels()
	seen := map[*channel]bool{}
	var rows [][]string
	for _, c := range chans {
		if seen[c] {
			continue
		}
		c.mu.Lock()
		b := c.bridged
		c.mu.Unlock()
		a := c.showRow()
		row := map[string]string{}
		for i, col := range channelColumns {
			row[col] = a[i]
		}
		if b != nil {
			seen[b] = true
			br := b.showRow()
			for i, col := range channelColumns {
				row["b_"+col] = br[i]
			}
		}
		row["call_created_epoch"] = row["created_epoch"]
		out := make([]string, len(callColumns))
		for i, col := range callColumns {
			out[i] = row[col]
		}
		rows = append(rows, out)
		seen[c] = true
	}
	return rows
}

var _ = time.Second
