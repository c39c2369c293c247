package fsim

import (
	"strconv"
	"strings"
	"time"
)

const originateUsage = "-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n"

// parseDialString splits "{a=b,c=d}endpoint/..." into variables and the
// endpoint string.
func parseDialString(dial string) ([]kv, string) {
	dial = strings.TrimSpace(dial)
	var vars []kv
	for len(dial) > 0 && (dial[0] == '{' || dial[0] == '[' || dial[0] == '<') {
		closeCh := map[byte]byte{'{': '}', '[': ']', '<': '>'}[dial[0]]
		end := strings.IndexByte(dial, closeCh)
		if end < 0 {
			break
		}
		for _, p := range strings.Split(dial[1:end], ",") {
			if k, v, ok := strings.Cut(p, "="); ok {
				vars = append(vars, kv{strings.TrimSpace(k), v})
			}
		}
		dial = dial[end+1:]
	}
	// Only the first of several targets (",", "|" or ":_:") is dialled.
	for _, sep := range []string{":_:", "|", ","} {
		if i := strings.Index(dial, sep); i >= 0 {
			dial = dial[:i]
		}
	}
	return vars, dial
}

// dial creates the outbound leg for one endpoint and starts it: the
// caller then waits for it to answer. originator is the bridging channel,
// or nil for the originate API. It returns the leg, or nil and a cause.
func (s *Sim) dial(dialString string, originator *channel) (*channel, string) {
	vars, target := parseDialString(dialString)
	tech, rest, _ := strings.Cut(target, "/")
	switch strings.ToLower(tech) {
	case "error":
		c, ok := causeKnown(strings.TrimSpace(rest))
		if !ok {
			c = parseCause(rest)
		}
		return nil, c
	case "loopback":
	default:
		return nil, "CHAN_NOT_IMPLEMENTED"
	}
	parts := strings.Split(rest, "/")
	ext := parts[0]
	if ext == "" {
		return nil, "INVALID_NUMBER_FORMAT"
	}
	ctx := "default"
	if len(parts) > 1 && parts[1] != "" {
		ctx = parts[1]
	}
	get := func(name string) string {
		for _, v := range vars {
			if v.name == name {
				return v.value
			}
		}
		return ""
	}
	cidNum := get("origination_caller_id_number")
	if cidNum == "" {
		cidNum = "0000000000"
	}
	cidName := get("origination_caller_id_name")

	a := s.newChannel("loopback/"+rest+"-a", true)
	a.fireCodecs()
	a.mu.Lock()
	a.name = "loopback/" + ext + "-a"
	a.prof = profile{direction: "outbound", logicalDirection: "outbound", dialplan: "xml",
		cidName: cidName, cidNumber: cidNum, origCidName: cidName, origCidNumber: cidNum,
		calleeName: "Outbound Call", calleeNumber: ctx, ani: cidNum, dest: ext, uuid: a.id,
		source: "mod_loopback", context: ctx, chanName: "loopback/" + ext + "-a", index: 1}
	if a.state < csHangup { // a hupall may already have reached the new channel
		a.state = csInit
	}
	a.originator = originator
	a.origAPI = originator == nil
	a.handoffArmed = a.origAPI
	if originator != nil {
		originator.mu.Lock()
		op := originator.prof
		originator.mu.Unlock()
		a.other, a.otherType = &op, "originator"
	}
	a.mu.Unlock()
	s.logf(logNotice, origin{"switch_channel.c", "switch_channel_set_name", 1143}, a.id, "New Channel %s [%s]", a.name, a.id)
	v := a.vars
	v.set("direction", "outbound")
	v.set("is_outbound", "true")
	v.set("uuid", a.id)
	v.set("call_uuid", a.id)
	v.set("session_id", itoa(a.sessionID))
	v.set("read_codec", "L16")
	v.set("read_rate", "8000")
	v.set("write_codec", "L16")
	v.set("write_rate", "8000")
	v.set("channel_name", a.name)
	for _, kv := range vars {
		if kv.name != "origination_uuid" {
			v.set(kv.name, kv.value)
		}
	}
	if originator != nil {
		ou := originator.uuid()
		v.set("originator", ou)
		v.set("signal_bond", ou)
		v.set("originating_leg_uuid", ou)
	}
	if u := get("origination_uuid"); u != "" && s.channel(u) == nil {
		a.setUUID(u)
		v.set("origination_uuid", u)
	}
	v.set("originate_early_media", "true")
	v.set("originate_endpoint", "loopback")
	a.fire(evChannelOutgoing, origin{"switch_core_session.c", "switch_core_session_outgoing_channel", 768}, nil, nil)

	var b *channel
	init := func() {
		b = s.newChannel("loopback/"+ext+"-b", false)
		b.fireCodecs()
		b.mu.Lock()
		b.prof = profile{direction: "inbound", logicalDirection: "inbound", dialplan: "xml",
			cidName: cidName, cidNumber: cidNum, origCidName: cidName, origCidNumber: cidNum,
			calleeName: "Outbound Call", calleeNumber: ctx, ani: cidNum, dest: ext, uuid: b.id,
			source: "mod_loopback", context: ctx, chanName: b.name, index: 1}
		if b.state < csHangup { // a hupall may already have reached the new channel
			b.state = csInit
		}
		b.peer = a
		b.mu.Unlock()
		s.logf(logNotice, origin{"switch_channel.c", "switch_channel_set_name", 1143}, b.id, "New Channel %s [%s]", b.name, b.id)
		bv := b.vars
		bv.set("direction", "inbound")
		bv.set("uuid", b.id)
		bv.set("call_uuid", b.id)
		bv.set("session_id", itoa(b.sessionID))
		bv.set("channel_name", b.name)
		bv.set("read_codec", "L16")
		bv.set("read_rate", "8000")
		bv.set("write_codec", "L16")
		bv.set("write_rate", "8000")
		bv.set("other_loopback_leg_uuid", a.uuid())
		if originator != nil {
			bv.set("other_loopback_from_uuid", originator.uuid())
		}
		bv.set("loopback_leg", "B")
		a.mu.Lock()
		a.peer = b
		a.onConsume = func() { b.start(nil) }
		a.mu.Unlock()
		v.set("other_loopback_leg_uuid", b.uuid())
		v.set("loopback_leg", "A")
	}
	a.start(init)
	return a, ""
}

func itoa(n int) string { return strconv.Itoa(n) }

// fireCodecs fires the two CODEC events a new session sends while its
// codecs are set (before it has a caller profile).
func (c *channel) fireCodecs() {
	c.mu.Lock()
	c.codec = 1
	c.mu.Unlock()
	c.fire(evCodec, origin{"switch_core_codec.c", "switch_core_session_set_read_codec", 300}, nil, func(e *event) {
		e.add("channel-read-codec-name", "L16")
		e.add("channel-read-codec-rate", "8000")
		e.add("channel-read-codec-bit-rate", "128000")
	})
	c.mu.Lock()
	c.codec = 2
	c.mu.Unlock()
	c.fire(evCodec, origin{"switch_core_codec.c", "switch_core_session_set_write_codec", 471}, nil, func(e *event) {
		e.add("Channel-Write-Codec-Name", "L16")
		e.add("Channel-Write-Codec-Rate", "8000")
		e.add("Channel-Write-codec-bit-rate", "128000")
	})
}

// setUUID is switch_core_session_set_uuid: CHANNEL_UUID with the old id.
func (c *channel) setUUID(u string) {
	s := c.sim
	s.mu.Lock()
	c.mu.Lock()
	old := c.id
	delete(s.channels, old)
	c.id = u
	c.prof.uuid = u
	s.channels[u] = c
	c.mu.Unlock()
	s.mu.Unlock()
	c.vars.set("uuid", u)
	c.vars.set("call_uuid", u)
	c.fire(evChannelUUID, origin{"switch_core_session.c", "switch_core_session_set_uuid", 2056},
		func(e *event) { e.add("Old-Unique-ID", old) }, nil)
}

// waitAnswer waits for an originated leg to answer, hang up or time out.
// counted says whether the caller is a counted activity.
func (s *Sim) waitAnswer(a *channel, timeout time.Duration, counted bool) bool {
	stop := make(chan struct{})
	t := s.clock.AfterFunc(timeout, func() { close(stop) })
	defer t.Stop()
	a.answeredGate.wait(&s.sched, counted, stop)
	a.mu.Lock()
	// Loopback legs carry originate_early_media=true: early media is
	// success too.
	ok := (a.answered || a.early) && a.state < csHangup
	a.mu.Unlock()
	return ok
}

// cidFlip is switch_channel_flip_cid on an answered originated leg:
// CALL_UPDATE with the caller and callee swapped.
func (c *channel) cidFlip() {
	c.mu.Lock()
	oldNum := c.prof.cidNumber
	c.mu.Unlock()
	c.setVar("pre_transfer_caller_id_number", oldNum)
	c.setVar("channel_cid_flipped", "yes")
	c.mu.Lock()
	p := &c.prof
	p.cidName, p.calleeName = p.calleeName, p.cidName
	p.cidNumber, p.calleeNumber = p.calleeNumber, p.cidNumber
	p.origCidName = ""
	c.hitDP = true
	c.mu.Unlock()
	c.fire(evCallUpdate, origin{"switch_channel.c", "switch_channel_flip_cid", 3279},
		func(e *event) { e.add("Direction", "RECV") }, nil)
}

// apiOriginate: originate <url> <exten>|&<app>(<args>) [dialplan] [context]
// [cid_name] [cid_num] [timeout_sec].
func apiOriginate(s *Sim, c *apiCall) (string, bool) {
	args := tokens(c.args)
	if len(args) < 2 {
		return originateUsage, true
	}
	url, target := args[0], args[1]
	ctx := "default"
	if len(args) > 3 {
		ctx = args[3]
	}
	timeout := 60 * time.Second
	if len(args) > 6 && catoi(args[6]) > 0 {
		timeout = time.Duration(catoi(args[6])) * time.Second
	}
	vars, _ := parseDialString(url)
	for _, v := range vars {
		if v.name == "originate_timeout" && catoi(v.value) > 0 {
			timeout = time.Duration(catoi(v.value)) * time.Second
		}
	}
	if strings.HasPrefix(target, "&") && strings.Contains(target, "(") && !strings.HasSuffix(target, ")") {
		// An &app(args) with spaces in its arguments: rejoin what tokens split.
		for i := 2; i < len(args); i++ {
			target += " " + args[i]
			if strings.HasSuffix(args[i], ")") {
				ctx = "default"
				if i+2 < len(args) {
					ctx = args[i+2]
				}
				break
			}
		}
	}
	a, cause := s.dial(url, nil)
	if a == nil {
		return "-ERR " + cause + "\n", true
	}
	counted := c.counted
	if !s.waitAnswer(a, timeout, counted) {
		a.hangup("NO_ANSWER")
		a.mu.Lock()
		cause := a.cause
		a.mu.Unlock()
		return "-ERR " + cause + "\n", true
	}
	a.cidFlip()
	if strings.HasPrefix(target, "&") {
		name, arg := target[1:], ""
		if i := strings.IndexByte(name, '('); i >= 0 {
			arg = strings.TrimSuffix(name[i+1:], ")")
			name = name[:i]
		}
		a.mu.Lock()
		a.apps = append(a.apps, app{name: name, arg: arg})
		a.mu.Unlock()
		a.setState(csExecute)
	} else {
		a.transfer(target, ctx)
	}
	return "+OK " + a.uuid() + "\n", true
}
