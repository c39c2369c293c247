package ivr_test

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/examples/ivr/ivr"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const uuid = "11111111-2222-4333-8444-555555555555"

// call plays FreeSWITCH's socket application against addr for one call:
// digit is what the caller presses ("" for nothing). It answers every
// sendmsg and returns what was asked, as "app arg" or "hangup CAUSE".
func call(t *testing.T, addr, digit string) []string {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	write := func(s string) {
		if _, err := nc.Write([]byte(s)); err != nil {
			t.Error(err)
		}
	}
	reply := func(text string) { write("Content-Type: command/reply\nReply-Text: " + text + "\n\n") }
	event := func(kv ...string) {
		var b strings.Builder
		for i := 0; i < len(kv); i += 2 {
			b.WriteString(kv[i] + ": " + url.PathEscape(kv[i+1]) + "\n")
		}
		b.WriteString("\n")
		write("Content-Length: " + strconv.Itoa(b.Len()) + "\nContent-Type: text/event-plain\n\n" + b.String())
	}
	var asked []string
	for {
		cmd, ok := readCommand(br)
		if !ok {
			return asked
		}
		h := headers(cmd)
		switch line, _, _ := strings.Cut(cmd, "\n"); line {
		case "connect":
			write("Event-Name: CHANNEL_DATA\nUnique-ID: " + uuid + "\nChannel-Caller-ID-Number: 1001\n" +
				"Channel-Destination-Number: 7777\nContent-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n")
		case "myevents":
			reply("+OK Events Enabled")
		case "sendmsg":
			reply("+OK")
			if h["call-command"] == "hangup" {
				asked = append(asked, "hangup "+h["hangup-cause"])
				event("Event-Name", "CHANNEL_HANGUP", "Unique-ID", uuid, "Hangup-Cause", h["hangup-cause"])
				continue
			}
			app, arg := h["execute-app-name"], h["execute-app-arg"]
			asked = append(asked, strings.TrimSpace(app+" "+arg))
			kv := []string{"Event-Name", "CHANNEL_EXECUTE_COMPLETE", "Unique-ID", uuid, "Application", app}
			if app == "play_and_get_digits" {
				kv = append(kv, "variable_ivr_choice", digit)
			}
			event(append(kv, "Application-UUID", h["event-uuid"])...)
		default:
			t.Errorf("unexpected command %q", cmd)
			reply("-ERR command not found")
		}
	}
}

func readCommand(br *bufio.Reader) (string, bool) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return "", false
		}
		if line == "\n" {
			return b.String(), true
		}
		b.WriteString(line)
	}
}

func headers(cmd string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(cmd, "\n")[1:] {
		if k, v, ok := strings.Cut(line, ": "); ok {
			out[strings.ToLower(k)] = v
		}
	}
	return out
}

func serve(t *testing.T, h esl.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &esl.Server{Handler: h}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := <-done; !errors.Is(err, esl.ErrServerClosed) {
			t.Error(err)
		}
	})
	return l.Addr().String()
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestIVRTransfersOnMenuDigit(t *testing.T) {
	cfg := ivr.DefaultConfig()
	cfg.Logger = quiet()
	addr := serve(t, ivr.New(cfg))
	got := call(t, addr, "2")
	want := []string{
		"answer",
		`play_and_get_digits 1 1 3 5000 none tone_stream://%(200,100,440,480);loops=2 tone_stream://%(100,50,300);loops=3 ivr_choice ^[12]$ 5000`,
		"transfer 8888 XML default",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("asked\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestIVRHangsUpWithoutInput(t *testing.T) {
	addr := serve(t, ivr.New(ivr.Config{Menu: map[string]string{"5": "5555"}, Timeout: 2 * time.Second, Tries: 1, Logger: quiet()}))
	got := call(t, addr, "")
	want := []string{
		"answer",
		`play_and_get_digits 1 1 1 2000 none tone_stream://%(200,100,440,480);loops=2 tone_stream://%(100,50,300);loops=3 ivr_choice ^[5]$ 2000`,
		"playback tone_stream://%(400,0,350)",
		"hangup NORMAL_CLEARING",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("asked\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
