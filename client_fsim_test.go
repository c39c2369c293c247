package esl_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/fsim"
)

// Integration tests: the Client against fsim over 127.0.0.1, every
// command once.

func dialSim(t *testing.T, sim *fsim.Sim, opts ...esl.Option) *esl.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := esl.Dial(ctx, sim.Addr(), append([]esl.Option{esl.WithPassword(sim.Password())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// nextEvent returns the next event of sub (skipping other messages).
func nextEvent(t *testing.T, ctx context.Context, sub *esl.Subscription) *esl.Event {
	t.Helper()
	for {
		m, ok := sub.Next(ctx)
		if !ok {
			t.Fatalf("stream ended: %v (ctx %v)", sub.Err(), ctx.Err())
		}
		if m.Kind == esl.KindEvent {
			return m.Event
		}
	}
}

func TestFsimAuth(t *testing.T) {
	sim := fsim.Run(t, fsim.Options{Users: map[string]fsim.User{"1000@example.com": {Password: "secret"}}})
	ctx := testCtx(t)
	_, err := esl.Dial(ctx, sim.Addr(), esl.WithPassword("WrongPassword"))
	if !errors.Is(err, esl.ErrAuthFailed) || strings.Contains(err.Error(), "WrongPassword") {
		t.Fatalf("wrong password: %v", err)
	}
	c, err := esl.Dial(ctx, sim.Addr(), esl.WithUserAuth("1000@example.com", "secret"))
	if err != nil {
		t.Fatalf("userauth: %v", err)
	}
	c.Close()
	if _, err := esl.Dial(ctx, sim.Addr(), esl.WithUserAuth("1000@example.com", "nope")); !errors.Is(err, esl.ErrAuthFailed) {
		t.Fatalf("bad userauth: %v", err)
	}
	acl := fsim.Run(t, fsim.Options{ACL: []string{"10.0.0.0/8"}})
	if _, err := esl.Dial(ctx, acl.Addr()); !errors.Is(err, esl.ErrAccessDenied) {
		t.Fatalf("acl: %v", err)
	}
}

func TestFsimAPIAndBgAPI(t *testing.T) {
	sim := fsim.Run(t)
	c := dialSim(t, sim)
	ctx := testCtx(t)
	if out, err := c.API(ctx, "echo hello world"); err != nil || out != "hello world" {
		t.Fatalf("echo: %q %v", out, err)
	}
	var ce *esl.CommandError
	if _, err := c.API(ctx, "no_such_command"); !errors.As(err, &ce) {
		t.Fatalf("unknown api: %v", err)
	}
	// No subscription: BgAPI subscribes BACKGROUND_JOB itself and hides it.
	sub := c.Listen()
	defer sub.Close()
	job, err := c.BgAPI(ctx, "echo in the background")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := job.Wait(ctx); err != nil || out != "in the background" {
		t.Fatalf("job: %q %v", out, err)
	}
	if _, err := c.SendEvent(ctx, esl.EventCustom, []esl.Header{{Name: "Event-Subclass", Value: "t::probe"}}, ""); err != nil {
		t.Fatal(err)
	}
	// Nothing was subscribed by the user: the stream stays empty.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if m, ok := sub.Next(short); ok {
		t.Fatalf("unexpected %v %v", m.Kind, m.Event)
	}
	// Many pipelined callers at once.
	errs := make(chan error, 32)
	for i := range 32 {
		go func() {
			want := "n" + string(rune('a'+i%26))
			out, err := c.API(ctx, "echo "+want)
			if err == nil && out != want {
				err = errors.New("crossed reply: " + out + " for " + want)
			}
			errs <- err
		}()
	}
	for range 32 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestFsimBgAPIWithUserFilters(t *testing.T) {
	sim := fsim.Run(t)
	c := dialSim(t, sim)
	ctx := testCtx(t)
	if err := c.Subscribe(ctx, esl.EventAll); err != nil {
		t.Fatal(err)
	}
	// A filter that BACKGROUND_JOB does not pass: the client's own Job-UUID
	// filter must let the result through.
	if err := c.Filter(ctx, "Unique-ID", "00000000-0000-0000-0000-000000000000"); err != nil {
		t.Fatal(err)
	}
	sub := c.Listen(esl.ForEvents(esl.EventBackgroundJob))
	defer sub.Close()
	job, err := c.BgAPI(ctx, "echo filtered")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := job.Wait(ctx); err != nil || out != "filtered" {
		t.Fatalf("job: %q %v", out, err)
	}
	// The user's filters would have dropped it: it is not shown.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, ok := sub.Next(short); ok {
		t.Fatal("job result leaked to a filtered subscriber")
	}
}

func TestFsimSubscriptionsAndCalls(t *testing.T) {
	for _, format := range []esl.EventFormat{esl.FormatPlain, esl.FormatJSON, esl.FormatXML} {
		t.Run(string(format), func(t *testing.T) {
			sim := fsim.Run(t)
			c := dialSim(t, sim, esl.WithEventFormat(format))
			ctx := testCtx(t)
			if err := c.Subscribe(ctx, esl.EventChannelCreate, esl.EventChannelAnswer, esl.EventChannelHangupComplete, esl.EventChannelExecuteComplete); err != nil {
				t.Fatal(err)
			}
			sub := c.Listen(esl.ForEvents(esl.EventChannelCreate))
			defer sub.Close()
			out, err := c.API(ctx, "originate loopback/8888/default &park")
			if err != nil {
				t.Fatal(err)
			}
			uuid := strings.TrimSpace(strings.TrimPrefix(out, "+OK "))
			ev := nextEvent(t, ctx, sub)
			if ev.Get("Event-Name") != "CHANNEL_CREATE" || ev.UniqueID() == "" {
				t.Fatalf("event: %v", ev.Get("Event-Name"))
			}
			call := c.Listen(esl.ForUniqueID(uuid))
			defer call.Close()
			id, err := c.Execute(ctx, uuid, "playback", "silence_stream://10", esl.ExecEventLock())
			if err != nil {
				t.Fatal(err)
			}
			app := c.Listen(esl.ForApplicationUUID(id))
			defer app.Close()
			if ev := nextEvent(t, ctx, app); ev.Get("Event-Name") != "CHANNEL_EXECUTE_COMPLETE" || ev.Get("Application") != "playback" {
				t.Fatalf("execute complete: %s %s", ev.Get("Event-Name"), ev.Get("Application"))
			}
			if err := c.Hangup(ctx, uuid, "USER_BUSY"); err != nil {
				t.Fatal(err)
			}
			for {
				ev := nextEvent(t, ctx, call)
				if ev.Get("Event-Name") == "CHANNEL_HANGUP_COMPLETE" {
					if ev.Get("Hangup-Cause") != "USER_BUSY" {
						t.Fatalf("cause %s", ev.Get("Hangup-Cause"))
					}
					break
				}
			}
			var ce *esl.CommandError
			if err := c.Hangup(ctx, "00000000-0000-0000-0000-000000000000", ""); !errors.As(err, &ce) {
				t.Fatalf("hangup unknown: %v", err)
			}
			if err := c.Unsubscribe(ctx, esl.EventChannelCreate); err != nil {
				t.Fatal(err)
			}
			if err := c.NoEvents(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.NoEvents(ctx); !errors.As(err, &ce) {
				t.Fatalf("second noevents: %v", err)
			}
		})
	}
}

func TestFsimCustomEvents(t *testing.T) {
	sim := fsim.Run(t)
	c := dialSim(t, sim, esl.WithEventFormat(esl.FormatJSON))
	ctx := testCtx(t)
	sub := c.Listen(esl.ForSubclasses("example::test"))
	defer sub.Close()
	if err := c.SubscribeCustom(ctx, "example::test"); err != nil {
		t.Fatal(err)
	}
	id, err := c.SendEvent(ctx, esl.EventCustom, []esl.Header{
		{Name: "Event-Subclass", Value: "example::test"},
		{Name: "X-Utf8", Value: "grüße ✓"},
	}, "two\nlines\n")
	if err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, ctx, sub)
	if ev.Get("Event-UUID") != id || ev.Get("X-Utf8") != "grüße ✓" || ev.Body() != "two\nlines\n" {
		t.Fatalf("custom event: %q %q %q", ev.Get("Event-UUID"), ev.Get("X-Utf8"), ev.Body())
	}
	if err := c.UnsubscribeCustom(ctx, "example::test"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendEvent(ctx, esl.EventCustom, []esl.Header{{Name: "X", Value: "a\r\nEvent-Name: HEARTBEAT"}}, ""); !errors.Is(err, esl.ErrInvalidArgument) {
		t.Fatalf("injection: %v", err)
	}
	if err := c.Subscribe(ctx, "NO_SUCH_EVENT"); !errors.Is(err, esl.ErrInvalidArgument) {
		t.Fatalf("unknown name: %v", err)
	}
}

func TestFsimSessionCommandsAndLogs(t *testing.T) {
	sim := fsim.Run(t)
	c := dialSim(t, sim)
	ctx := testCtx(t)
	var ce *esl.CommandError
	// Without a bound call FreeSWITCH refuses these.
	if err := c.Linger(ctx, 0); !errors.As(err, &ce) {
		t.Fatalf("linger unbound: %v", err)
	}
	if err := c.DivertEvents(ctx, true); !errors.As(err, &ce) {
		t.Fatalf("divert unbound: %v", err)
	}
	if err := c.MyEvents(ctx, "00000000-0000-0000-0000-000000000000"); !errors.As(err, &ce) {
		t.Fatalf("myevents unknown: %v", err)
	}
	logs := c.Listen()
	defer logs.Close()
	if err := c.Log(ctx, esl.LogDebug); err != nil {
		t.Fatal(err)
	}
	out, err := c.API(ctx, "originate loopback/8888/default &park")
	if err != nil {
		t.Fatal(err)
	}
	uuid := strings.TrimSpace(strings.TrimPrefix(out, "+OK "))
	for {
		m, ok := logs.Next(ctx)
		if !ok {
			t.Fatal("no log line")
		}
		if m.Kind == esl.KindLog {
			if m.Log.Text == "" || m.Log.Level < esl.LogConsole || m.Log.Level > esl.LogDebug {
				t.Fatalf("log record %+v", m.Log)
			}
			break
		}
	}
	if err := c.NoLog(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.MyEvents(ctx, uuid); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{c.DivertEvents(ctx, true), c.Linger(ctx, 5*time.Second), c.NoLinger(ctx), c.Linger(ctx, 0), c.Resume(ctx)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	sub := c.Listen()
	defer sub.Close()
	if _, err := sim.API("uuid_kill "+uuid), error(nil); err != nil {
		t.Fatal(err)
	}
	sawLinger := false
	for !sawLinger {
		m, ok := sub.Next(ctx)
		if !ok {
			t.Fatalf("ended before linger: %v", sub.Err())
		}
		sawLinger = m.Kind == esl.KindLinger && m.Event.Get("Controlled-Session-UUID") == uuid
	}
	if err := c.Exit(ctx); err != nil {
		t.Fatal(err)
	}
	for range sub.Messages() {
	}
	var de *esl.DisconnectError
	if !errors.As(sub.Err(), &de) || de.Reason != esl.ReasonNotice {
		t.Fatalf("end: %v", sub.Err())
	}
}

func TestFsimReconnectRestores(t *testing.T) {
	sim := fsim.Run(t)
	c := dialSim(t, sim, esl.WithReconnect(time.Millisecond, 10*time.Millisecond))
	ctx := testCtx(t)
	if err := c.SubscribeCustom(ctx, "example::a"); err != nil {
		t.Fatal(err)
	}
	if err := c.Filter(ctx, "X-Keep", "yes"); err != nil {
		t.Fatal(err)
	}
	sub := c.Listen()
	defer sub.Close()
	sim.InjectFault(fsim.FaultDrop)
	var kinds []esl.MessageKind
	for len(kinds) < 2 {
		m, ok := sub.Next(ctx)
		if !ok {
			t.Fatal("ended")
		}
		kinds = append(kinds, m.Kind)
	}
	if kinds[0] != esl.KindDisconnected || kinds[1] != esl.KindReconnected {
		t.Fatalf("notices: %v", kinds)
	}
	// Subscription and filter are back: only the kept event arrives.
	sim.InjectEvent("CUSTOM", "example::a", []fsim.Header{{Name: "X-Keep", Value: "no"}}, "")
	sim.InjectEvent("CUSTOM", "example::a", []fsim.Header{{Name: "X-Keep", Value: "yes"}}, "")
	if ev := nextEvent(t, ctx, sub); ev.Get("X-Keep") != "yes" {
		t.Fatalf("filter not restored: %q", ev.Get("X-Keep"))
	}
	// A malformed frame ends the connection with a read error; the client
	// comes back again.
	sim.InjectFault(fsim.FaultMalformed)
	m, _ := sub.Next(ctx)
	var de *esl.DisconnectError
	if m.Kind != esl.KindDisconnected || !errors.As(m.Err, &de) || de.Reason != esl.ReasonReadError {
		t.Fatalf("malformed: %v %v", m.Kind, m.Err)
	}
	if m, _ := sub.Next(ctx); m.Kind != esl.KindReconnected {
		t.Fatalf("got %v", m.Kind)
	}
	if out, err := c.API(ctx, "echo back"); err != nil || out != "back" {
		t.Fatalf("after reconnect: %q %v", out, err)
	}
}

// TestFsimUnfilteredStreamDecodesEveryFormat covers the path where the
// reader hands events over undecoded (no subscription filters on headers)
// and the consumer decodes them.
func TestFsimUnfilteredStreamDecodesEveryFormat(t *testing.T) {
	for _, format := range []esl.EventFormat{esl.FormatPlain, esl.FormatJSON, esl.FormatXML} {
		t.Run(string(format), func(t *testing.T) {
			sim := fsim.Run(t)
			c := dialSim(t, sim, esl.WithEventFormat(format))
			ctx := testCtx(t)
			sub := c.Listen()
			defer sub.Close()
			if err := c.SubscribeCustom(ctx, "example::lazy"); err != nil {
				t.Fatal(err)
			}
			id, err := c.SendEvent(ctx, esl.EventCustom, []esl.Header{
				{Name: "Event-Subclass", Value: "example::lazy"},
				{Name: "X-Text", Value: "a <b> & \"c\" 100%"},
			}, "line 1\nline 2\n")
			if err != nil {
				t.Fatal(err)
			}
			ev := nextEvent(t, ctx, sub)
			if ev.Get("Event-UUID") != id || ev.Subclass() != "example::lazy" || ev.Get("X-Text") != "a <b> & \"c\" 100%" || ev.Body() != "line 1\nline 2\n" {
				t.Fatalf("decoded: %q %q %q %q", ev.Get("Event-UUID"), ev.Subclass(), ev.Get("X-Text"), ev.Body())
			}
		})
	}
}
