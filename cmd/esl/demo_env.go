package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/fsim"
)

// demoEnv is everything the demo runs in-process: the simulator, the IVR
// server its socket calls reach, and the client the demo watches through.
type demoEnv struct {
	sim     *fsim.Sim
	ivr     *demoIVR
	link    link
	api     func(ctx context.Context, cmd string) (string, error)
	simAddr string
	ivrAddr string
}

func startDemoEnv(stats *demoStats) (*demoEnv, error) {
	// The IVR presses digits through the demo's connection, which exists
	// only once the simulator runs: bind it late.
	var api atomic.Pointer[link]
	dtmf := func(uuid, digit string) {
		if l := api.Load(); l != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			(*l).API(ctx, "uuid_send_dtmf "+uuid+" "+digit)
		}
	}
	ivr, err := startDemoIVR(stats, dtmf)
	if err != nil {
		return nil, fmt.Errorf("starting the IVR: %w", err)
	}
	sim := fsim.New(fsim.Options{SocketAddr: ivr.addr, Dialplan: demoDialplan()})
	if err := sim.Start(); err != nil {
		ivr.close()
		return nil, fmt.Errorf("starting fsim: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := esl.Dial(ctx, sim.Addr(), esl.WithPassword(sim.Password()))
	if err != nil {
		sim.Close()
		ivr.close()
		return nil, fmt.Errorf("connecting to fsim: %w", err)
	}
	var l link = newClientLink(c, false)
	api.Store(&l)
	return &demoEnv{sim: sim, ivr: ivr, link: l, api: l.API, simAddr: sim.Addr(), ivrAddr: ivr.addr}, nil
}

// demoBusy is the extension of the busy calls. The called leg refuses
// with USER_BUSY before answering, so busy calls have channels in the
// view and their cause in the summary, as a real busy callee does (the
// error/user_busy endpoint would fail the originate without any channel).
const demoBusy = "6666"

// demoDialplan is fsim's built-in dialplan plus the busy extension.
func demoDialplan() *fsim.Dialplan {
	dp := fsim.DefaultDialplan()
	// Add fails only for a bad regular expression; this number is plain.
	_ = dp.Add("default", demoBusy, fsim.Action{App: "hangup", Data: "USER_BUSY"})
	return dp
}

func (d *demoEnv) close() {
	d.link.Close()
	d.sim.Close()
	d.ivr.close()
}
