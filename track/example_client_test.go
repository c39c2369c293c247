package track_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/track"
)

// A live table of channels from FreeSWITCH: Run loads what is up, applies
// events, resyncs after a reconnect and expires channels whose destroy was
// lost, while the program reads snapshots and the change feed.
func ExampleTracker_Run() {
	ctx := context.Background()
	c, err := esl.Dial(ctx, "127.0.0.1:8021", esl.WithPassword("ClueCon"), esl.WithReconnect(time.Second, 30*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	sub := c.Listen() // listen before subscribing: no event is missed
	defer sub.Close()
	if err := c.Subscribe(ctx, track.Events()...); err != nil {
		log.Fatal(err)
	}

	tr := track.New(track.Options{Variables: []string{"sip_call_id"}})
	go tr.Run(ctx, sub, c, 10*time.Second)

	feed := tr.Subscribe(1024)
	defer feed.Close()
	for {
		ch, err := feed.Next(ctx)
		if err != nil {
			return
		}
		if ch.Missed > 0 { // the feed overflowed: start again from a snapshot
			s := tr.Snapshot()
			fmt.Println(len(s.Channels), "channels,", len(s.Calls), "calls")
		}
		fmt.Println(ch.Kind, ch.Channel.UniqueID, ch.Channel.State)
	}
}
