package track_test

import (
	"context"
	"fmt"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/track"
)

// event builds a channel event for the examples; a real program gets them
// from an esl.Client subscription.
func event(name, uuid string, kv ...string) *esl.Event {
	hs := []esl.Header{{Name: "Event-Name", Value: name}, {Name: "Unique-ID", Value: uuid}}
	for i := 0; i+1 < len(kv); i += 2 {
		hs = append(hs, esl.Header{Name: kv[i], Value: kv[i+1]})
	}
	return esl.NewEvent(hs, "")
}

func Example() {
	tr := track.New(track.Options{Variables: []string{"sip_call_id"}})

	// Events as FreeSWITCH sends them: CHANNEL_STATE before CHANNEL_CREATE.
	tr.Apply(event("CHANNEL_STATE", "a1", "Channel-State", "CS_INIT", "Channel-Name", "sofia/internal/1000@pbx"))
	tr.Apply(event("CHANNEL_CREATE", "a1", "Channel-State", "CS_INIT", "Call-Direction", "inbound",
		"Caller-Caller-ID-Number", "1000", "Caller-Destination-Number", "2000", "variable_sip_call_id", "xyz@pbx"))
	tr.Apply(event("CHANNEL_STATE", "a1", "Channel-State", "CS_EXECUTE"))
	tr.Apply(event("CHANNEL_EXECUTE", "a1", "Channel-State", "CS_EXECUTE", "Application", "park"))

	c, _ := tr.Channel("a1")
	fmt.Println(c.Name, c.Direction, c.CallerNumber, "->", c.Destination, c.State, c.Application, c.Vars["sip_call_id"])

	s := tr.Snapshot()
	fmt.Println(len(s.Channels), "channel,", s.ByState[esl.CSExecute], "executing")
	// Output:
	// sofia/internal/1000@pbx inbound 1000 -> 2000 CS_EXECUTE park xyz@pbx
	// 1 channel, 1 executing
}

func ExampleTracker_Subscribe() {
	tr := track.New(track.Options{})
	feed := tr.Subscribe(128)
	defer feed.Close()

	tr.Apply(event("CHANNEL_CREATE", "a", "Channel-State", "CS_INIT"))
	tr.Apply(event("CHANNEL_CREATE", "b", "Channel-State", "CS_INIT"))
	tr.Apply(event("CHANNEL_BRIDGE", "a", "Channel-State", "CS_EXECUTE", "Bridge-A-Unique-ID", "a", "Bridge-B-Unique-ID", "b"))
	tr.Apply(event("CHANNEL_DESTROY", "b", "Channel-State", "CS_REPORTING"))
	tr.Apply(event("CHANNEL_DESTROY", "a", "Channel-State", "CS_REPORTING"))

	ctx := context.Background()
	for range 8 {
		ch, _ := feed.Next(ctx)
		switch ch.Kind {
		case track.CallAdded, track.CallRemoved:
			fmt.Println(ch.Kind, ch.Call.A, ch.Call.B)
		default:
			fmt.Println(ch.Kind, ch.Channel.UniqueID, ch.Cause)
		}
	}
	// Output:
	// ChannelAdded a CHANNEL_CREATE
	// ChannelAdded b CHANNEL_CREATE
	// CallAdded a b
	// ChannelChanged a CHANNEL_BRIDGE
	// ChannelChanged b CHANNEL_BRIDGE
	// ChannelRemoved b CHANNEL_DESTROY
	// ChannelRemoved a CHANNEL_DESTROY
	// CallRemoved a b
}

// fs stands in for an esl.Client, whose API method has this shape.
type fs struct{}

func (fs) API(_ context.Context, cmd string) (string, error) {
	switch cmd {
	case "show channels as json":
		return `{"row_count":1,"rows":[{"uuid":"a1","direction":"inbound","created_epoch":"1795645328","name":"sofia/internal/1000@pbx","state":"CS_EXECUTE","cid_num":"1000","dest":"2000","application":"park","callstate":"ACTIVE"}]}` + "\n", nil
	default:
		return `{"row_count":1,"rows":[{"uuid":"a1","b_uuid":""}]}` + "\n", nil
	}
}

func ExampleTracker_Sync() {
	tr := track.New(track.Options{})
	// A late join: load what is up now, then apply events as they come.
	if err := tr.Sync(context.Background(), fs{}); err != nil {
		fmt.Println(err)
		return
	}
	c, _ := tr.Channel("a1")
	fmt.Println(c.Name, c.State, c.CallState, c.AnswerState, c.Application)
	// Output:
	// sofia/internal/1000@pbx CS_EXECUTE ACTIVE answered park
}
