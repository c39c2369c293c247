package esl_test

import (
	"encoding/json"
	"fmt"

	"github.com/eslkit/esl"
)

func ExampleParseEvent() {
	body := []byte("Event-Name: BACKGROUND_JOB\n" +
		"Job-UUID: 7f4db0f2-b848-4f41-b5d4-1c4e2e5a7b21\n" +
		"Job-Command-Arg: loopback/1000%20%26park\n" +
		"Content-Length: 4\n\n+OK\n")
	ev, err := esl.ParseEvent(esl.ContentEventPlain, body)
	if err != nil {
		panic(err)
	}
	fmt.Println(ev.Get("event-name"), ev.JobUUID())
	fmt.Printf("%q %q\n", ev.Get("Job-Command-Arg"), ev.Body())
	// Output:
	// BACKGROUND_JOB 7f4db0f2-b848-4f41-b5d4-1c4e2e5a7b21
	// "loopback/1000 &park" "+OK\n"
}

func ExampleParseEvent_json() {
	// JSON events may repeat a key; every occurrence is kept in order.
	ev, err := esl.ParseEvent(esl.ContentEventJSON,
		[]byte(`{"Event-Name":"CHANNEL_HANGUP_COMPLETE","Hangup-Cause":"USER_BUSY","X":["a","b"],"Hangup-Cause":"USER_BUSY"}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(ev.Len(), ev.Values("Hangup-Cause"), ev.Values("X"))
	// Output: 4 [USER_BUSY USER_BUSY] [a b]
}

func ExampleEvent_AppendPlain() {
	ev := esl.NewEvent([]esl.Header{
		{Name: "Event-Name", Value: "CUSTOM"},
		{Name: "Event-Subclass", Value: "example::test"},
		{Name: "X-Multi", Value: "a", Array: []string{"a", "b c"}},
	}, "hi")
	fmt.Printf("%s", ev.AppendPlain(nil))
	// Output:
	// Event-Name: CUSTOM
	// Event-Subclass: example%3A%3Atest
	// X-Multi: ARRAY%3A%3Aa%7C%3Ab%20c
	// Content-Length: 2
	//
	// hi
}

func ExampleEvent_MarshalJSON() {
	ev := esl.NewEvent([]esl.Header{{Name: "Event-Name", Value: "HEARTBEAT"}, {Name: "Event-Info", Value: "System Ready"}}, "")
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output: {"Event-Name":"HEARTBEAT","Event-Info":"System Ready"}
}

func ExampleEvent_AppendXML() {
	ev := esl.NewEvent([]esl.Header{{Name: "Event-Name", Value: "API"}}, "é\n")
	fmt.Printf("%s", ev.AppendXML(nil))
	// Output:
	// <event>
	//   <headers>
	//     <Event-Name>API</Event-Name>
	//   </headers>
	//   <Content-Length>3</Content-Length>
	//   <body>&#xE9;
	//   </body>
	// </event>
}
