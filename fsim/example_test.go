package fsim_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/eslkit/esl/fsim"
)

// A three second call on a manual clock takes no real time.
func Example() {
	sim := fsim.New(fsim.Options{Clock: fsim.NewManualClock(time.Time{}), HeartbeatInterval: -1})
	if err := sim.Start(); err != nil {
		panic(err)
	}
	defer sim.Close()

	out := sim.API("originate loopback/9999/default &park")
	fmt.Println(strings.HasPrefix(out, "+OK "))
	fmt.Print(sim.API("show channels count"))
	sim.Advance(3 * time.Second) // the tone ends and 9999 hangs up
	fmt.Print(sim.API("show channels count"))
	// Output:
	// true
	//
	// 2 total.
	//
	// 0 total.
}

// A dialplan of your own, from Go or from a file (esl sim --dialplan).
func ExampleParseDialplan() {
	dp, err := fsim.ParseDialplan(strings.NewReader(`
context default
extension 2000
  answer
  playback silence_stream://500
  hangup USER_BUSY
`))
	if err != nil {
		panic(err)
	}
	actions, _ := dp.Lookup("default", "2000")
	fmt.Println(actions)
	// Output: [{answer } {playback silence_stream://500} {hangup USER_BUSY}]
}

// Scripted API answers let a test drive its error paths.
func ExampleSim_HandleAPI() {
	sim := fsim.New(fsim.Options{HeartbeatInterval: -1})
	if err := sim.Start(); err != nil {
		panic(err)
	}
	defer sim.Close()
	sim.HandleAPI("sofia", func(args string) string { return "-ERR no such profile\n" })
	fmt.Print(sim.API("sofia status profile internal"))
	// Output: -ERR no such profile
}
