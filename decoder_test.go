package esl

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// Frame and event counts as measured in testdata/freeswitch/README.md.
func TestDecoderCaptureCounts(t *testing.T) {
	want := map[string][2]int{
		"auth-ok": {4, 0}, "auth-bad": {3, 0}, "api": {16, 0}, "pipelined-api": {65, 1},
		"bgapi": {11, 3}, "call-plain": {100, 93}, "call-json": {100, 93}, "call-xml": {102, 95},
		"call-park-hold": {79, 66}, "filters": {93, 57}, "sendevent": {13, 3}, "sendmsg": {68, 58},
		"log": {118, 0}, "linger-exit": {23, 6}, "system-events": {168, 159},
		"outbound-7777": {23, 12}, "outbound-7778": {19, 9}, "load": {5006, 4899}, "load-json": {5007, 4900},
	}
	for _, sc := range captureScenarios(t) {
		w, ok := want[sc]
		if !ok {
			t.Errorf("no expectation for scenario %s", sc)
			continue
		}
		frames := decodeAll(t, readCapture(t, sc))
		events := 0
		for _, f := range frames {
			if f.Event != nil {
				events++
				if f.Event.Get("Event-Name") == "" {
					t.Errorf("%s: event at %d has no Event-Name", sc, f.Offset)
				}
			}
			if f.ContentType == "" {
				t.Errorf("%s: frame at %d has no Content-Type", sc, f.Offset)
			}
		}
		if len(frames) != w[0] || events != w[1] {
			t.Errorf("%s: %d frames, %d events; want %d, %d", sc, len(frames), events, w[0], w[1])
		}
	}
}

// frameWhere returns the first frame for which ok holds.
func frameWhere(t *testing.T, frames []capturedFrame, ok func(capturedFrame) bool) capturedFrame {
	t.Helper()
	for _, f := range frames {
		if ok(f) {
			return f
		}
	}
	t.Fatal("no such frame")
	return capturedFrame{}
}

func headerGet(hs []Header, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// The outbound connect reply is a serialised CHANNEL_DATA event: ~100
// URL-encoded headers, Content-Type near the end, Reply-Text "%2BOK%0A".
func TestDecoderOutboundConnectReply(t *testing.T) {
	frames := decodeAll(t, readCapture(t, "outbound-7777"))
	f := frames[0]
	if f.ContentType != ContentCommandReply || f.Event != nil || f.Body != nil {
		t.Fatalf("first frame: type %q event %v body %q", f.ContentType, f.Event, f.Body)
	}
	if len(f.Headers) != 103 || f.Headers[0].Name != "Event-Name" || f.Headers[0].Value != "CHANNEL_DATA" {
		t.Fatalf("%d headers, first %+v", len(f.Headers), f.Headers[0])
	}
	ct := slices.IndexFunc(f.Headers, func(h Header) bool { return h.Name == "Content-Type" })
	if ct < 90 {
		t.Errorf("Content-Type at %d", ct)
	}
	if got := headerGet(f.Headers, "Reply-Text"); got != "+OK\n" {
		t.Errorf("Reply-Text %q", got)
	}
	if got := headerGet(f.Headers, "Event-Date-Local"); strings.Contains(got, "%") || !strings.Contains(got, " ") {
		t.Errorf("Event-Date-Local not decoded: %q", got)
	}
	if got := headerGet(f.Headers, "Unique-ID"); got != "e80df529-3c46-48e0-a663-fe51db05bd96" {
		t.Errorf("Unique-ID %q", got)
	}
}

// sendevent echoes the client's Content-Length, so the plain event carries
// Content-Length twice: the echoed one is a header, the last one is the
// body marker. The values are multibyte UTF-8, percent-encoded.
func TestDecoderSendeventDoubleContentLength(t *testing.T) {
	frames := decodeAll(t, readCapture(t, "sendevent"))
	f := frameWhere(t, frames, func(f capturedFrame) bool {
		return f.Event != nil && f.Event.Subclass() == "example::test"
	})
	ev := f.Event
	if got := ev.Values("Content-Length"); !slices.Equal(got, []string{"26"}) {
		t.Errorf("Content-Length headers %q, want the echoed one only", got)
	}
	if ev.Body() != "line one\nline two: äöü\n" || len(ev.Body()) != 26 {
		t.Errorf("body %q (%d bytes)", ev.Body(), len(ev.Body()))
	}
	if got := ev.Get("X-Utf8"); got != "grüße 你好 ✓" {
		t.Errorf("X-Utf8 %q", got)
	}
	if ev.Get("Event-Subclass") != "example::test" || ev.Get("Command") != "sendevent CUSTOM" {
		t.Errorf("subclass %q command %q", ev.Get("Event-Subclass"), ev.Get("Command"))
	}
	if h := slices.Collect(ev.Headers()); h[0].Name != "Event-Subclass" {
		t.Errorf("first header %q", h[0].Name)
	}
}

// BACKGROUND_JOB carries its own inner Content-Length and body, in all
// three formats.
func TestDecoderInnerBody(t *testing.T) {
	for _, sc := range []string{"call-plain", "call-json", "call-xml"} {
		f := frameWhere(t, decodeAll(t, readCapture(t, sc)), func(f capturedFrame) bool {
			return f.Event != nil && f.Event.Get("Event-Name") == "BACKGROUND_JOB"
		})
		ev := f.Event
		if !strings.HasPrefix(ev.Body(), "+OK ") || !strings.HasSuffix(ev.Body(), "\n") || len(ev.Body()) != 41 {
			t.Errorf("%s: body %q", sc, ev.Body())
		}
		if _, ok := ev.Lookup("Content-Length"); ok {
			t.Errorf("%s: the body marker became a header", sc)
		}
		if ev.Get("Job-Command") != "originate" || ev.Get("Job-Command-Arg") != "loopback/5555/default &park" {
			t.Errorf("%s: job %q %q", sc, ev.Get("Job-Command"), ev.Get("Job-Command-Arg"))
		}
	}
}

// JSON events repeat keys (CHANNEL_HANGUP_COMPLETE has Hangup-Cause twice);
// every occurrence is kept, in order.
func TestDecoderJSONDuplicateKeys(t *testing.T) {
	f := frameWhere(t, decodeAll(t, readCapture(t, "call-json")), func(f capturedFrame) bool {
		return f.Event != nil && f.Event.Get("Event-Name") == "CHANNEL_HANGUP_COMPLETE"
	})
	var idx []int
	i := 0
	for h := range f.Event.Headers() {
		if h.Name == "Hangup-Cause" {
			idx = append(idx, i)
		}
		i++
	}
	if len(idx) != 2 || idx[1]-idx[0] < 2 {
		t.Fatalf("Hangup-Cause at %v", idx)
	}
	if got := f.Event.Values("Hangup-Cause"); len(got) != 2 || got[0] != got[1] || got[0] != "NORMAL_CLEARING" {
		t.Errorf("Hangup-Cause values %q", got)
	}
	// The duplicate survives re-encoding byte for byte.
	if !bytes.Equal(f.Event.AppendJSON(nil), f.Body) {
		t.Error("JSON re-encoding differs")
	}
}

// api/response bodies are counted in bytes, not characters.
func TestDecoderMultibyteBody(t *testing.T) {
	f := frameWhere(t, decodeAll(t, readCapture(t, "api")), func(f capturedFrame) bool {
		return bytes.Contains(f.Body, []byte("héllo"))
	})
	if string(f.Body) != "héllo wörld 你好" || headerGet(f.Headers, "Content-Length") != "20" || len([]rune(string(f.Body))) != 14 {
		t.Errorf("body %q, Content-Length %s", f.Body, headerGet(f.Headers, "Content-Length"))
	}
}

// Every content type FreeSWITCH sends comes through, and an unknown one is
// returned as a plain frame rather than dropped.
func TestDecoderContentTypes(t *testing.T) {
	seen := map[string]bool{}
	for _, sc := range captureScenarios(t) {
		for _, f := range decodeAll(t, readCapture(t, sc)) {
			seen[f.ContentType] = true
		}
	}
	for _, ct := range []string{ContentAuthRequest, ContentCommandReply, ContentAPIResponse, ContentEventPlain,
		ContentEventJSON, ContentEventXML, ContentLogData, ContentDisconnectNotice} {
		if !seen[ct] {
			t.Errorf("no %s frame decoded", ct)
		}
	}
	stream := "Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n" +
		"Content-Type: x-future/thing\nX-A: 1\nContent-Length: 3\n\nabc" +
		"Content-Type: text/disconnect-notice\nContent-Disposition: linger\nContent-Length: 0\n\n"
	frames := decodeAll(t, []byte(stream))
	if len(frames) != 3 || frames[0].ContentType != ContentRudeRejection || string(frames[1].Body) != "abc" ||
		frames[1].ContentType != "x-future/thing" || headerGet(frames[2].Headers, "Content-Disposition") != "linger" ||
		frames[2].Body == nil || len(frames[2].Body) != 0 {
		t.Fatalf("%+v", frames)
	}
}

// The connect reply is a serialised event: its decoded frame headers,
// encoded as a plain event, give back FreeSWITCH's bytes exactly (so the
// simulator can produce it with AppendPlain).
func TestConnectReplyIsPlainEvent(t *testing.T) {
	for _, sc := range []string{"outbound-7777", "outbound-7778"} {
		raw := readCapture(t, sc)
		f := decodeAll(t, raw)[0]
		end := bytes.Index(raw, []byte("\n\n")) + 2
		got := NewEvent(f.Headers, "").AppendPlain(nil)
		if !bytes.Equal(got, raw[:end]) {
			t.Errorf("%s: re-encoded connect reply differs:\n%s", sc, got)
		}
	}
}
