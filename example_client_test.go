package esl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/eslkit/esl"
)

// Dial FreeSWITCH and run an API command.
func ExampleDial() {
	ctx := context.Background()
	c, err := esl.Dial(ctx, "127.0.0.1:8021", esl.WithPassword("ClueCon"))
	if err != nil {
		log.Fatal(err) // errors.Is(err, esl.ErrAuthFailed) for a wrong password
	}
	defer c.Close()

	out, err := c.API(ctx, "status")
	var ce *esl.CommandError
	if errors.As(err, &ce) {
		log.Fatalf("FreeSWITCH refused: %s", ce.Text())
	}
	fmt.Print(out)
}

// Start a background job and wait for its result.
func ExampleClient_BgAPI() {
	ctx := context.Background()
	c, err := esl.Dial(ctx, "127.0.0.1:8021")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	job, err := c.BgAPI(ctx, "originate loopback/9999/default &park")
	if err != nil {
		log.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := job.Wait(wctx)
	fmt.Println(job.ID(), out, err)
}

// Subscribe to channel events and range over them.
func ExampleClient_Listen() {
	ctx := context.Background()
	c, err := esl.Dial(ctx, "127.0.0.1:8021", esl.WithEventFormat(esl.FormatJSON))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	sub := c.Listen(esl.ForEvents(esl.EventChannelAnswer, esl.EventChannelHangupComplete))
	defer sub.Close()
	if err := c.Subscribe(ctx, esl.EventChannelAnswer, esl.EventChannelHangupComplete); err != nil {
		log.Fatal(err)
	}
	for m := range sub.Messages() {
		switch m.Kind {
		case esl.KindEvent:
			fmt.Println(m.Event.Get("Event-Name"), m.Event.UniqueID())
		case esl.KindGap:
			fmt.Println("lost", m.Lost, "events: resynchronise")
		case esl.KindDisconnected:
			fmt.Println("connection lost:", m.Err)
		}
	}
}

// Fire a custom event and receive it back.
func ExampleClient_SendEvent() {
	ctx := context.Background()
	c, err := esl.Dial(ctx, "127.0.0.1:8021")
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
}

// Reconnect automatically; subscriptions and filters come back by
// themselves, and the stream says when to resynchronise.
func ExampleWithReconnect() {
	ctx := context.Background()
	c, err := esl.Dial(ctx, "127.0.0.1:8021",
		esl.WithReconnect(100*time.Millisecond, 10*time.Second),
		esl.WithLiveness(45*time.Second), // HEARTBEAT comes every 20 s
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe(ctx, esl.EventHeartbeat, esl.EventChannelCreate); err != nil {
		log.Fatal(err)
	}
	for m := range c.Listen().Messages() {
		switch m.Kind {
		case esl.KindDisconnected:
			fmt.Println("down:", m.Err)
		case esl.KindReconnected:
			fmt.Println("back; subscriptions restored") // resync state here
		}
	}
}
