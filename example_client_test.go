package esl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/fsim"
)

// startSim stands in for a FreeSWITCH at 127.0.0.1:8021 so that the
// examples run; with a real one, dial its address instead.
func startSim() *fsim.Sim {
	sim := fsim.New(fsim.Options{})
	if err := sim.Start(); err != nil {
		log.Fatal(err)
	}
	return sim
}

// Dial FreeSWITCH and run API commands; a refusal keeps FreeSWITCH's text.
func ExampleDial() {
	sim := startSim()
	defer sim.Close()
	ctx := context.Background()

	c, err := esl.Dial(ctx, sim.Addr(), esl.WithPassword("ClueCon"))
	if err != nil {
		log.Fatal(err) // errors.Is(err, esl.ErrAuthFailed) for a wrong password
	}
	defer c.Close()

	out, err := c.API(ctx, "echo hello")
	fmt.Printf("%q %v\n", out, err)

	_, err = c.API(ctx, "no_such_command")
	var ce *esl.CommandError
	if errors.As(err, &ce) {
		fmt.Println("refused:", ce.Text())
	}
	// Output:
	// "hello" <nil>
	// refused: no_such_command Command not found!
}

// Start a background job and wait for its result.
func ExampleClient_BgAPI() {
	sim := startSim()
	defer sim.Close()
	ctx := context.Background()
	c, err := esl.Dial(ctx, sim.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	job, err := c.BgAPI(ctx, "echo done in the background")
	if err != nil {
		log.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := job.Wait(wctx)
	fmt.Println(out, err, len(job.ID()))
	// Output: done in the background <nil> 36
}

// Subscribe to channel events and range over them.
func ExampleClient_Listen() {
	sim := startSim()
	defer sim.Close()
	ctx := context.Background()
	c, err := esl.Dial(ctx, sim.Addr(), esl.WithEventFormat(esl.FormatJSON))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	sub := c.Listen(esl.ForEvents(esl.EventChannelAnswer, esl.EventChannelHangupComplete))
	defer sub.Close()
	if err := c.Subscribe(ctx, esl.EventChannelAnswer, esl.EventChannelHangupComplete); err != nil {
		log.Fatal(err)
	}
	out, _ := c.API(ctx, "originate loopback/8888/default &park")
	uuid := strings.TrimSpace(strings.TrimPrefix(out, "+OK "))

	answered := 0
	for m := range sub.Messages() {
		switch m.Kind {
		case esl.KindEvent:
			fmt.Println(strings.TrimSpace(m.Event.Get("Event-Name") + " " + m.Event.Get("Hangup-Cause")))
			if m.Event.Get("Event-Name") == "CHANNEL_ANSWER" {
				if answered++; answered == 2 { // both loopback legs
					c.Hangup(ctx, uuid, "NORMAL_CLEARING")
				}
			}
			if m.Event.Get("Event-Name") == "CHANNEL_HANGUP_COMPLETE" {
				return
			}
		case esl.KindGap:
			fmt.Println("lost", m.Lost, "events: resynchronise")
		case esl.KindDisconnected:
			fmt.Println("connection lost:", m.Err)
			return
		}
	}
	// Output:
	// CHANNEL_ANSWER
	// CHANNEL_ANSWER
	// CHANNEL_HANGUP_COMPLETE NORMAL_CLEARING
}

// Fire a custom event and receive it back.
func ExampleClient_SendEvent() {
	sim := startSim()
	defer sim.Close()
	ctx := context.Background()
	c, err := esl.Dial(ctx, sim.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	sub := c.Listen(esl.ForSubclasses("example::test"))
	defer sub.Close()
	if err := c.SubscribeCustom(ctx, "example::test"); err != nil {
		log.Fatal(err)
	}
	id, err := c.SendEvent(ctx, esl.EventCustom, []esl.Header{
		{Name: "Event-Subclass", Value: "example::test"},
		{Name: "X-Greeting", Value: "hello"},
	}, "a body\nover two lines\n")
	if err != nil {
		log.Fatal(err)
	}
	m, _ := sub.Next(ctx)
	fmt.Println(id == m.Event.Get("Event-UUID"), m.Event.Get("X-Greeting"))
	fmt.Print(m.Event.Body())
	// Output:
	// true hello
	// a body
	// over two lines
}

// Reconnect automatically: subscriptions and filters come back by
// themselves, and the stream says where the gap was.
func ExampleWithReconnect() {
	sim := startSim()
	defer sim.Close()
	ctx := context.Background()
	c, err := esl.Dial(ctx, sim.Addr(),
		esl.WithReconnect(10*time.Millisecond, time.Second),
		esl.WithLiveness(45*time.Second), // HEARTBEAT comes every 20 s
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.SubscribeCustom(ctx, "example::ping"); err != nil {
		log.Fatal(err)
	}
	sub := c.Listen()
	defer sub.Close()

	sim.InjectFault(fsim.FaultDrop) // the connection breaks
	for m := range sub.Messages() {
		fmt.Println(m.Kind)
		if m.Kind == esl.KindReconnected {
			break // resynchronise here (e.g. "show channels")
		}
	}
	// The subscription was restored on the new connection.
	c.SendEvent(ctx, esl.EventCustom, []esl.Header{{Name: "Event-Subclass", Value: "example::ping"}}, "")
	m, _ := sub.Next(ctx)
	fmt.Println(m.Kind, m.Event.Subclass())
	// Output:
	// disconnected
	// reconnected
	// event example::ping
}
