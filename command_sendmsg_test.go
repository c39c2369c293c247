package esl

import (
	"errors"
	"strings"
	"testing"
)

func encodeMsg(t *testing.T, m *Msg) string {
	t.Helper()
	cmd, err := m.command("sendmsg u1")
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.validate(); err != nil {
		t.Fatal(err)
	}
	return string(cmd.appendTo(nil))
}

func TestSendMsgEncodings(t *testing.T) {
	cases := []struct {
		msg  *Msg
		want string
	}{
		{ExecuteMsg("playback", "/tmp/a.wav", ExecLoops(3), ExecEventLock(), ExecAsync(), ExecEventUUID("e1")),
			"sendmsg u1\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: /tmp/a.wav\nloops: 3\nevent-lock: true\nasync: true\nEvent-UUID: e1\n\n"},
		{ExecuteMsg("set", "multi\nline"),
			"sendmsg u1\ncall-command: execute\nexecute-app-name: set\ncontent-type: text/plain\nContent-Length: 10\n\nmulti\nline"},
		{ExecuteMsg("set", strings.Repeat("x", maxArgHeader+1)),
			"sendmsg u1\ncall-command: execute\nexecute-app-name: set\ncontent-type: text/plain\nContent-Length: 1025\n\n" + strings.Repeat("x", maxArgHeader+1)},
		{ExecuteMsg("answer", ""), "sendmsg u1\ncall-command: execute\nexecute-app-name: answer\n\n"},
		{HangupMsg("USER_BUSY"), "sendmsg u1\ncall-command: hangup\nhangup-cause: USER_BUSY\n\n"},
		{HangupMsg(""), "sendmsg u1\ncall-command: hangup\n\n"},
		{UnicastMsg("127.0.0.1", 8025, "10.0.0.2", 9000, "udp", "native"),
			"sendmsg u1\ncall-command: unicast\nlocal-ip: 127.0.0.1\nlocal-port: 8025\nremote-ip: 10.0.0.2\nremote-port: 9000\ntransport: udp\nflags: native\n\n"},
		{UnicastMsg("", 0, "", 0, "", ""), "sendmsg u1\ncall-command: unicast\n\n"},
		{NoMediaMsg("u2"), "sendmsg u1\ncall-command: nomedia\nnomedia-uuid: u2\n\n"},
	}
	for _, c := range cases {
		if got := encodeMsg(t, c.msg); got != c.want {
			t.Errorf("got\n%q\nwant\n%q", got, c.want)
		}
	}
	// A line break in a header-borne value is refused, never sent.
	cmd, _ := HangupMsg("USER_BUSY\nhangup-cause: CALL_REJECTED").command("sendmsg u1")
	if err := cmd.validate(); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("injection: %v", err)
	}
	if _, err := (&Msg{}).command("sendmsg"); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("empty call-command: %v", err)
	}
}
