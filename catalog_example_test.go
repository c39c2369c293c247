package esl_test

import (
	"fmt"

	"github.com/eslkit/esl"
)

func ExampleParseEventName() {
	n, ok := esl.ParseEventName("channel_answer")
	fmt.Println(n, ok, n == esl.EventChannelAnswer, n.ID())
	// Output: CHANNEL_ANSWER true true 6
}

func ExampleParseHangupCause() {
	byName, _ := esl.ParseHangupCause("user_busy")
	byCode, _ := esl.ParseHangupCause("17")
	fmt.Println(byName, byCode == esl.CauseUserBusy, int(byName))
	fmt.Println(esl.CauseOriginatorCancel, int(esl.CauseOriginatorCancel), esl.CauseOriginatorCancel.Q850())
	// Output:
	// USER_BUSY true 17
	// ORIGINATOR_CANCEL 487 16
}

// The typed accessors read an event's state headers. On CHANNEL_HANGUP the
// running state (Channel-State) still lags behind Channel-State-Number.
func ExampleEvent_ChannelState() {
	ev := esl.NewEvent([]esl.Header{
		{Name: "Event-Name", Value: "CHANNEL_HANGUP"},
		{Name: "Channel-State", Value: "CS_EXECUTE"},
		{Name: "Channel-Call-State", Value: "ACTIVE"},
		{Name: "Channel-State-Number", Value: "10"},
		{Name: "Answer-State", Value: "hangup"},
		{Name: "Hangup-Cause", Value: "NORMAL_CLEARING"},
	}, "")
	fmt.Println(ev.Name() == esl.EventChannelHangup)
	fmt.Println(ev.ChannelState(), ev.ChannelStateNumber())
	fmt.Println(ev.CallState(), ev.AnswerState(), ev.HangupCause(), ev.HangupCause().Q850())
	// Output:
	// true
	// CS_EXECUTE CS_HANGUP
	// ACTIVE hangup NORMAL_CLEARING 16
}

func ExampleExplain() {
	for _, e := range esl.Explain("CS_EXECUTE", esl.English) {
		fmt.Printf("%s (%s %d): %s\n", e.Name, e.Kind, e.Number, e.Summary)
	}
	for _, e := range esl.Explain("CS_EXECUTE", esl.Chinese) {
		fmt.Println(e.Summary)
	}
	// Output:
	// CS_EXECUTE (channel-state 4): The channel is running dialplan applications one after another.
	// 通道正在依次执行拨号计划中的应用。
}

func ExampleEventName_Entry() {
	e, _ := esl.EventChannelHangupComplete.Entry(esl.English)
	fmt.Println(e.Summary)
	fmt.Println(e.Headers[0])
	// Output:
	// A channel has finished hanging up; it carries the final cause and billing data.
	// Hangup-Cause
}
