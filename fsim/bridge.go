package fsim

import "time"

// appBridge is the bridge application: originate a leg, pass its early
// media and answer, then CHANNEL_BRIDGE until one side hangs up.
func appBridge(c *channel, arg string) {
	c.preAnswer()
	c.mu.Lock()
	wasAnswered := c.answered
	c.mu.Unlock()
	if wasAnswered {
		c.setCallState(ccsRingWait)
	}
	leg, cause := c.sim.dial(arg, c)
	if leg == nil {
		c.setVar("originate_disposition", cause)
		c.setVar("DIALSTATUS", cause)
		c.setVar("current_application_response", "")
		return
	}
	timeout := 60 * time.Second
	if t := catoi(c.getVar("call_timeout")); t > 0 {
		timeout = time.Duration(t) * time.Second
	}
	answered := c.waitFor(timeout, func() bool {
		return leg.upGate.isOpen() || leg.doneGate.isOpen() || c.interruptedLocked()
	})
	leg.mu.Lock()
	legUp := leg.answered && leg.state < csHangup
	legCause := leg.cause
	leg.mu.Unlock()
	if !answered || !legUp || c.hungup() {
		if c.hungup() {
			leg.hangup("ORIGINATOR_CANCEL")
		} else if !legUp {
			if !answered {
				leg.hangup("NO_ANSWER")
				legCause = "NO_ANSWER"
			}
			c.setVar("originate_disposition", legCause)
			c.setVar("DIALSTATUS", legCause)
		}
		if wasAnswered {
			c.setCallState(ccsActive)
		}
		return
	}
	legID := leg.uuid()
	c.setVar("originated_legs", "ARRAY::"+legID+";"+leg.name+";"+leg.prof.dest)
	if !wasAnswered {
		c.answer()
	} else {
		c.setCallState(ccsActive)
	}
	c.setVar("originate_disposition", "SUCCESS")
	c.setVar("DIALSTATUS", "SUCCESS")
	c.setVar("originate_causes", "ARRAY::"+legID+";NONE")
	leg.setState(csExchangeMedia)
	c.bridgeWith(leg, true)
	c.waitFor(-1, func() bool { return leg.doneGate.isOpen() || c.interruptedLocked() })
	if leg.hungupNow() {
		leg.mu.Lock()
		cause := leg.cause
		leg.mu.Unlock()
		c.setVar("last_bridge_hangup_cause", cause)
		c.setVar("bridge_hangup_cause", cause)
	}
	c.unbridge(leg)
	if c.hungup() {
		c.mu.Lock()
		cause := c.cause
		c.mu.Unlock()
		leg.hangup(cause)
		return
	}
	if leg.hungupNow() && switchTrue(c.getVar("hangup_after_bridge")) {
		leg.mu.Lock()
		cause := leg.cause
		leg.mu.Unlock()
		c.hangup(cause)
	}
}

func (c *channel) hungupNow() bool { return c.doneGate.isOpen() }

// bridgeWith links c (the A side) and leg and fires CHANNEL_BRIDGE for c.
func (c *channel) bridgeWith(leg *channel, viaApp bool) {
	now := c.sim.clock.Now()
	leg.mu.Lock()
	lp := leg.prof
	lp.logicalDirection = "inbound" // the originatee copy FreeSWITCH keeps
	legPeer := leg.peer
	leg.bridged = c
	leg.times.bridged = now
	legID := leg.id
	leg.mu.Unlock()
	c.mu.Lock()
	c.bridged = leg
	c.times.bridged = now
	c.other, c.otherType = &lp, "originatee"
	cid := c.id
	cidNum := c.prof.cidNumber
	c.mu.Unlock()
	if legPeer != nil && viaApp {
		// The far loopback half learns who it is talking to (a display
		// update): its callee becomes the bridging caller.
		// FreeSWITCH delivers it as a message that half's own thread takes
		// when it next waits (the capture shows it from PLAYBACK_STOP on),
		// so set it there, not here: here it raced the half's events.
		legPeer.mu.Lock()
		legPeer.calleeUpdate = &[2]string{cidNum, cidNum}
		legPeer.mu.Unlock()
		legPeer.poke()
	}
	c.setVar("last_bridge_to", legID)
	c.setVar("bridge_channel", leg.name)
	c.setVar("bridge_uuid", legID)
	c.setVar("signal_bond", legID)
	leg.setVar("bridge_to", cid)
	leg.setVar("last_bridge_to", cid)
	leg.setVar("bridge_channel", c.name)
	leg.setVar("bridge_uuid", cid)
	leg.setVar("last_bridge_role", "originatee")
	c.fire(evChannelBridge, origin{"switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1689}, func(e *event) {
		e.add("Bridge-A-Unique-ID", cid)
		e.add("Bridge-B-Unique-ID", legID)
	}, nil)
}

// unbridge fires CHANNEL_UNBRIDGE for c (the A side) and unlinks.
func (c *channel) unbridge(leg *channel) {
	cid, legID := c.uuid(), leg.uuid()
	c.fire(evChannelUnbridge, origin{"switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1879}, func(e *event) {
		e.add("Bridge-A-Unique-ID", cid)
		e.add("Bridge-B-Unique-ID", legID)
	}, nil)
	c.mu.Lock()
	c.bridged = nil
	c.mu.Unlock()
	leg.mu.Lock()
	if leg.bridged == c {
		leg.bridged = nil
	}
	leg.mu.Unlock()
}
