package esl

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/eslkit/esl/internal/wire"
)

// outboundEventNames lists the Event-Names of a capture's events, in order.
func outboundEventNames(t *testing.T, name string) []string {
	t.Helper()
	var out []string
	for _, f := range loadCapture(t, name).frames {
		if frameType(f) != "text/event-plain" {
			continue
		}
		i := bytes.Index(f, []byte("\n\n"))
		ev, err := wire.DecodePlain(f[i+2:])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev.Headers.Get("Event-Name"))
	}
	return out
}

// TestSessionReplaysOutbound7777 drives a session through the real
// outbound-7777 conversation (unanswered call: the session answers, plays,
// queries, hangs up with linger on, exits) and checks that it writes
// exactly the bytes the capture's application wrote and sees what
// FreeSWITCH sent.
func TestSessionReplaysOutbound7777(t *testing.T) {
	testOutboundCapture(t, "outbound-7777", "7777", true)
}

// TestSessionReplaysOutbound7778 does the same for the call the dialplan
// answered before the socket application.
func TestSessionReplaysOutbound7778(t *testing.T) {
	testOutboundCapture(t, "outbound-7778", "7778", false)
}

func testOutboundCapture(t *testing.T, name, ext string, answer bool) {
	replay, app := startOutboundReplay(t, name)
	ctx := testCtx(t)
	s, err := newSession(context.Background(), app, sessionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	sub := s.Events()
	defer sub.Close()

	// The channel data: URL-decoded, Content-Type late in the block.
	data := s.ChannelData()
	uuid := data.Get("Unique-ID")
	if s.UUID() != uuid || uuid == "" {
		t.Fatalf("UUID %q, channel data Unique-ID %q", s.UUID(), uuid)
	}
	if got := data.Get("Event-Name"); got != "CHANNEL_DATA" {
		t.Errorf("Event-Name %q", got)
	}
	if got := data.Get("Channel-Name"); got != "loopback/"+ext+"-b" {
		t.Errorf("Channel-Name %q", got)
	}
	if got := data.Get("Caller-Destination-Number"); got != ext {
		t.Errorf("Caller-Destination-Number %q", got)
	}
	if got := data.Var("current_application_data"); got != "127.0.0.1:8084 async full" {
		t.Errorf("variable_current_application_data %q (want decoded)", got)
	}
	for _, h := range []string{"Content-Type", "Reply-Text", "Socket-Mode", "Control"} {
		if _, ok := data.Lookup(h); ok {
			t.Errorf("channel data keeps reply header %s", h)
		}
	}
	if !s.Async() || !s.Full() || s.SocketMode() != "async" {
		t.Errorf("mode %q full %v", s.SocketMode(), s.Full())
	}

	if err := s.Linger(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if answer {
		resp, err := s.Execute(ctx, "answer", "", ExecEventLock(), ExecEventUUID("a0a0a0a0-7777-4777-8777-00000000000a"))
		if err != nil || resp != "_none_" {
			t.Fatalf("answer: %q, %v", resp, err)
		}
	}
	play, err := s.ExecuteAsync(ctx, "playback", "tone_stream://%(1000,0,440);loops=1",
		ExecEventLock(), ExecEventUUID("b0b0b0b0-"+ext+"-4000-8000-00000000000b"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := s.API(ctx, "uuid_getvar "+uuid+" destination_number"); err != nil || out != ext {
		t.Errorf("api uuid_getvar: %q, %v", out, err)
	}
	if v, err := s.GetVar(ctx, "destination_number"); err != nil || v != ext {
		t.Errorf("getvar: %q, %v", v, err)
	}
	if resp, err := play.Wait(ctx); err != nil || resp != "FILE PLAYED" {
		t.Fatalf("playback: %q, %v", resp, err)
	}
	if ev := play.Event(); ev.Get("Application") != "playback" || ev.Get("Application-UUID") != play.UUID() {
		t.Errorf("completion event %s/%s", ev.Get("Application"), ev.Get("Application-UUID"))
	}
	if err := s.Hangup(ctx, "NORMAL_CLEARING"); err != nil {
		t.Fatal(err)
	}

	// The hang-up cancels the session context with the cause.
	<-s.Context().Done()
	var he *HangupError
	if cause := context.Cause(s.Context()); !errors.As(cause, &he) || he.Cause != "NORMAL_CLEARING" {
		t.Fatalf("context cause %v", cause)
	}
	// A hung-up channel runs nothing: no bytes are sent for this.
	if _, err := s.Execute(context.Background(), "playback", "x.wav"); !errors.Is(err, ErrHangup) {
		t.Fatalf("execute after hangup: %v", err)
	}
	// Lingering: the connection is still up and answers.
	if err := s.Exit(context.Background()); err != nil {
		t.Fatalf("exit: %v", err)
	}
	<-s.Disconnected()
	var de *DisconnectError
	if err := s.DisconnectErr(); !errors.As(err, &de) || de.Reason != ReasonNotice || de.Disposition != "disconnect" {
		t.Fatalf("disconnect: %v", err)
	}
	<-replay.done // the session closed the socket itself

	want, err := os.ReadFile(filepath.Join("testdata", "freeswitch", name, "client.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if got := replay.written(); !bytes.Equal(got, want) {
		t.Errorf("session wrote\n%s\nwant (client.bin)\n%s", got, want)
	}

	// Every event of the capture was delivered, in order, the linger
	// notice after CHANNEL_HANGUP_COMPLETE, then the end.
	var names []string
	var kinds []MessageKind
	for m := range sub.Messages() {
		kinds = append(kinds, m.Kind)
		if m.Kind == KindEvent {
			names = append(names, m.Event.Get("Event-Name"))
		}
		if m.Kind == KindLinger && m.Event.Get("Controlled-Session-UUID") != uuid {
			t.Errorf("linger notice for %q", m.Event.Get("Controlled-Session-UUID"))
		}
	}
	if wantNames := outboundEventNames(t, name); !equalStrings(names, wantNames) {
		t.Errorf("events %v\nwant %v", names, wantNames)
	}
	n := len(kinds)
	if n < 3 || kinds[n-3] != KindEvent || kinds[n-2] != KindLinger || kinds[n-1] != KindDisconnected {
		t.Errorf("stream ends with %v, want event, linger, disconnected", kinds[max(0, n-3):])
	}
	if names[len(names)-1] != "CHANNEL_HANGUP_COMPLETE" {
		t.Errorf("last event %s", names[len(names)-1])
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
