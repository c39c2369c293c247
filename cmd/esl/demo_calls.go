package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// callKind is one kind of call the demo places.
type callKind string

const (
	kindAnswered callKind = "answered" // loopback 9999: answer, 3 s tone, hang up
	kindBridged  callKind = "bridged"  // loopback 5555: bridge to 9999 (four legs)
	kindBusy     callKind = "busy"     // loopback 6666: refused with USER_BUSY before answer
	kindHeld     callKind = "held"     // parked call put on hold, then taken off
	kindParked   callKind = "parked"   // loopback 8888: answer and park
	kindIVR      callKind = "ivr"      // loopback 7777: socket to the in-process IVR
)

var demoKinds = []callKind{kindAnswered, kindBridged, kindBusy, kindHeld, kindParked, kindIVR}

// generator places the mix of calls, one every tick, in a fixed rotation
// so every kind is represented early.
type generator struct {
	ctx   context.Context
	api   func(ctx context.Context, cmd string) (string, error)
	stats *demoStats
	wg    sync.WaitGroup
}

func (g *generator) run(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		k := demoKinds[i%len(demoKinds)]
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			g.place(k)
		}()
		select {
		case <-g.ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (g *generator) wait() { g.wg.Wait() }

// place runs one call of kind k to its end (or until the demo stops).
func (g *generator) place(k callKind) {
	g.stats.placed.Add(1)
	// Commands use their own short deadline so that stopping the demo
	// does not count as a failure of calls in flight.
	api := func(cmd string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return g.api(ctx, cmd)
	}
	originate := func(dest string) (string, bool) {
		body, err := api("originate " + dest + " &park()")
		if err != nil {
			if k == kindBusy && strings.Contains(err.Error(), "USER_BUSY") {
				return "", true
			}
			g.stats.fail("%s: originate %s: %v", k, dest, err)
			return "", false
		}
		uuid, ok := strings.CutPrefix(strings.TrimSpace(body), "+OK ")
		if !ok {
			if k == kindBusy && strings.Contains(body, "USER_BUSY") {
				return "", true
			}
			g.stats.fail("%s: originate %s: %s", k, dest, strings.TrimSpace(body))
			return "", false
		}
		return uuid, true
	}
	// pause waits d unless the demo stops first.
	pause := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-g.ctx.Done():
			return false
		}
	}
	run := func(cmd string) {
		if body, err := api(cmd); err != nil {
			// A call that ended meanwhile is no failure of the demo.
			if !strings.Contains(fmt.Sprint(err), "No such channel") {
				g.stats.fail("%s: %s: %v", k, cmd, err)
			}
		} else if strings.HasPrefix(body, "-ERR") && !strings.Contains(body, "No such channel") {
			g.stats.fail("%s: %s: %s", k, cmd, strings.TrimSpace(body))
		}
	}
	switch k {
	case kindBusy:
		if uuid, ok := originate("loopback/" + demoBusy + "/default"); ok {
			if uuid != "" {
				g.stats.fail("busy: originate loopback/%s answered", demoBusy)
				return
			}
			g.stats.done(k)
		}
	case kindAnswered:
		if _, ok := originate("loopback/9999/default"); ok {
			g.stats.done(k)
		}
	case kindBridged:
		if _, ok := originate("loopback/5555/default"); ok {
			g.stats.done(k)
		}
	case kindParked:
		uuid, ok := originate("loopback/8888/default")
		if !ok {
			return
		}
		g.stats.done(k)
		pause(3 * time.Second)
		run("uuid_kill " + uuid)
	case kindHeld:
		uuid, ok := originate("loopback/8888/default")
		if !ok {
			return
		}
		run("uuid_hold " + uuid)
		g.stats.done(k)
		if pause(1500 * time.Millisecond) {
			// "uuid_hold off" fails on loopback legs (their call state
			// never becomes HELD); toggle takes them off hold.
			run("uuid_hold toggle " + uuid)
			pause(time.Second)
		}
		run("uuid_kill " + uuid)
	case kindIVR:
		uuid, ok := originate("loopback/7777/default")
		if !ok {
			return
		}
		g.stats.done(k)
		pause(6 * time.Second)
		run("uuid_kill " + uuid)
	}
}
