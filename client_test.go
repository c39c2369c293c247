package esl

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func mustDial(t *testing.T, s *scriptServer, opts ...Option) *Client {
	t.Helper()
	c, err := dialScript(t, s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// finish sends exit, waits for the end of the stream and the server.
func finish(t *testing.T, c *Client, s *scriptServer, sub *Subscription) []Message {
	t.Helper()
	if err := c.Exit(context.Background()); err != nil {
		t.Fatalf("exit: %v", err)
	}
	var msgs []Message
	for m := range sub.Messages() {
		msgs = append(msgs, m)
	}
	<-s.done
	c.Close()
	return msgs
}

func TestClientAuthOK(t *testing.T) {
	s := newScript(t, "auth-ok")
	c := mustDial(t, s)
	sub := c.Listen()
	msgs := finish(t, c, s, sub)
	if len(msgs) != 1 || msgs[0].Kind != KindDisconnected {
		t.Fatalf("stream: %+v", msgs)
	}
	var de *DisconnectError
	if !errors.As(msgs[0].Err, &de) || de.Reason != ReasonNotice || !strings.Contains(de.Notice, "See you at ClueCon!") {
		t.Fatalf("disconnect: %v", msgs[0].Err)
	}
	if !errors.Is(sub.Err(), ErrDisconnected) {
		t.Fatalf("sub.Err = %v", sub.Err())
	}
	if _, err := c.API(context.Background(), "status"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}

func TestClientAuthBad(t *testing.T) {
	s := newScript(t, "auth-bad")
	_, err := dialScript(t, s, WithPassword("WrongPassword"))
	if !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "WrongPassword") {
		t.Fatalf("password leaked: %v", err)
	}
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Reply != "-ERR invalid" || ce.Command != "auth" {
		t.Fatalf("command error: %#v", ce)
	}
	<-s.done
}

func TestClientAPICapture(t *testing.T) {
	s := newScript(t, "api")
	c := mustDial(t, s)
	ctx := context.Background()
	want := map[string]string{
		"global_getvar hostname": "fs-lab",
		"uptime":                 "1\n",
		"show channels":          "\n0 total.\n",
		"eval ${domain}":         "127.0.0.1",
		"echo héllo wörld 你好":    "héllo wörld 你好",
	}
	for _, cmd := range []string{"status", "version", "uptime", "global_getvar hostname", "show channels",
		"show channels as json", "show calls as json"} {
		out, err := c.API(ctx, cmd)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if w, ok := want[cmd]; ok && out != w {
			t.Fatalf("%s = %q, want %q", cmd, out, w)
		}
	}
	out, err := c.API(ctx, "no_such_command")
	var ce *CommandError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCommand) || ce.Reply != out || ce.Text() != "no_such_command Command not found!" {
		t.Fatalf("no_such_command: %q %v", out, err)
	}
	if _, err := c.API(ctx, "uuid_kill 00000000-0000-0000-0000-000000000000"); !errors.As(err, &ce) || ce.Text() != "No such channel!" {
		t.Fatalf("uuid_kill: %v", err)
	}
	for _, cmd := range []string{"eval ${domain}", "echo héllo wörld 你好"} {
		if out, err := c.API(ctx, cmd); err != nil || out != want[cmd] {
			t.Fatalf("%s = %q %v", cmd, out, err)
		}
	}
	if _, err := c.API(ctx, "originate"); !errors.As(err, &ce) || !ce.Usage() {
		t.Fatalf("originate: %v", err)
	}
	finish(t, c, s, c.Listen())
	if h := s.helpers(); len(h) != 0 {
		t.Fatalf("helpers: %v", h)
	}
}

func TestClientPipelinedAPI(t *testing.T) {
	s := newScript(t, "pipelined-api")
	// Only the 50 pipelined api status; the mixed batch is the conn test's.
	for i := 51; i < len(s.cmds)-1; i++ {
		s.skip[i] = true
	}
	c := mustDial(t, s)
	ctx := context.Background()
	errs := make(chan error, 50)
	outs := make(chan string, 50)
	for range 50 {
		go func() {
			out, err := c.API(ctx, "status")
			outs <- out
			errs <- err
		}()
	}
	for range 50 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		if out := <-outs; !strings.HasPrefix(out, "UP 0 years") {
			t.Fatalf("out %q", out)
		}
	}
	finish(t, c, s, c.Listen())
}

func TestClientBgAPICapture(t *testing.T) {
	s := newScript(t, "bgapi")
	c := mustDial(t, s)
	ctx := context.Background()
	sub := c.Listen(ForEvents(EventBackgroundJob))
	if err := c.Subscribe(ctx, EventBackgroundJob); err != nil {
		t.Fatal(err)
	}
	var jobs []*Job
	for _, cmd := range []string{"status", "version", "no_such_command"} {
		j, err := c.BgAPI(ctx, cmd)
		if err != nil {
			t.Fatalf("bgapi %s: %v", cmd, err)
		}
		jobs = append(jobs, j)
	}
	msgs := finish(t, c, s, sub)
	out, err := jobs[0].Wait(ctx)
	if err != nil || !strings.HasPrefix(out, "UP 0 years") {
		t.Fatalf("status job: %q %v", out, err)
	}
	if out, err := jobs[1].Wait(ctx); err != nil || out != "FreeSWITCH Version 1.11.3-dev~64bit ( 64bit)\n" {
		t.Fatalf("version job: %q %v", out, err)
	}
	var ce *CommandError
	if _, err := jobs[2].Wait(ctx); !errors.As(err, &ce) || ce.Text() != "no_such_command Command not found!" {
		t.Fatalf("no_such_command job: %v", err)
	}
	if jobs[1].Event().JobUUID() != jobs[1].ID() {
		t.Fatalf("job event id")
	}
	// The user subscribed BACKGROUND_JOB, so the events are visible too.
	n := 0
	for _, m := range msgs {
		if m.Kind == KindEvent {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("visible BACKGROUND_JOB events: %d", n)
	}
	if h := s.helpers(); len(h) != 0 {
		t.Fatalf("helpers: %v", h)
	}
}

func TestClientBgAPISubscribesAndHides(t *testing.T) {
	// The log capture runs a bgapi with no subscription: the client adds
	// "event plain BACKGROUND_JOB" itself, and hides the result from
	// subscribers who never asked for it.
	s := newScript(t, "log")
	for i := 5; i < len(s.cmds)-1; i++ {
		s.skip[i] = true // log nosuchlevel, log, log info, nolog: not typed API
	}
	c := mustDial(t, s)
	ctx := context.Background()
	sub := c.Listen()
	if err := c.Log(ctx, LogDebug); err != nil {
		t.Fatal(err)
	}
	j, err := c.BgAPI(ctx, "originate loopback/9999/default &park")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.NoLog(ctx); err != nil {
		t.Fatal(err)
	}
	var ce *CommandError
	if err := c.NoLog(ctx); !errors.As(err, &ce) || ce.Reply != "-ERR not loging" {
		t.Fatalf("second nolog: %v", err)
	}
	msgs := finish(t, c, s, sub)
	if h := s.helpers(); len(h) != 1 || h[0] != "event plain BACKGROUND_JOB" {
		t.Fatalf("helpers: %v", h)
	}
	var logs []*LogRecord
	for _, m := range msgs {
		switch m.Kind {
		case KindLog:
			logs = append(logs, m.Log)
		case KindEvent:
			t.Fatalf("unexpected event %s", m.Event.Get("Event-Name"))
		}
	}
	if len(logs) != 106 {
		t.Fatalf("logs: %d", len(logs))
	}
	l := logs[1]
	if l.Level != LogNotice || l.TextChannel != 3 || l.File != "switch_channel.c" || l.Func != "switch_channel_set_name" ||
		l.Line != 1143 || l.UserData != "65b11eca-1b1a-4b8f-88f4-7d4780f7907c" || !strings.Contains(l.Text, "New Channel") {
		t.Fatalf("log record: %+v", l)
	}
	// The capture has no BACKGROUND_JOB: the connection ended first.
	if _, err := j.Wait(ctx); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("job: %v", err)
	}
}

func TestClientSendEventCapture(t *testing.T) {
	s := newScript(t, "sendevent")
	c := mustDial(t, s)
	ctx := context.Background()
	sub := c.Listen()
	if err := c.SubscribeCustom(ctx, "example::test"); err != nil {
		t.Fatal(err)
	}
	id, err := c.SendEvent(ctx, EventCustom, []Header{
		{Name: "Event-Subclass", Value: "example::test"},
		{Name: "X-Foo", Value: "bar"},
		{Name: "X-Utf8", Value: "grüße 你好 ✓"},
		{Name: "Content-Type", Value: "text/plain"},
	}, "line one\nline two: äöü\n")
	if err != nil || id != "760b0d60-e29d-41fc-a372-ad496ed01bbb" {
		t.Fatalf("sendevent: %q %v", id, err)
	}
	if err := c.Subscribe(ctx, "notify"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendEvent(ctx, "NOTIFY", []Header{
		{Name: "profile", Value: "internal"},
		{Name: "event-string", Value: "check-sync"},
		{Name: "user", Value: "1000"},
		{Name: "host", Value: "example.invalid"},
		{Name: "content-type", Value: "application/simple-message-summary"},
	}, "Messages-Waiting: no\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe(ctx, EventAll); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendEvent(ctx, "", []Header{{Name: "X-Foo", Value: "no-event-name"}}, ""); err != nil {
		t.Fatal(err)
	}
	msgs := finish(t, c, s, sub)
	var evs []*Event
	for _, m := range msgs {
		if m.Kind == KindEvent {
			evs = append(evs, m.Event)
		}
	}
	if len(evs) != 3 || evs[0].Subclass() != "example::test" || evs[0].Get("X-Utf8") != "grüße 你好 ✓" ||
		evs[0].Body() != "line one\nline two: äöü\n" || evs[1].Get("Event-Name") != "NOTIFY" {
		t.Fatalf("events: %d", len(evs))
	}
	// Newline injection is refused before anything is written.
	if _, err := c.SendEvent(ctx, EventCustom, []Header{{Name: "X", Value: "a\nEvent-Name: HEARTBEAT"}}, ""); !errors.Is(err, ErrInvalidArgument) && !errors.Is(err, ErrClosed) {
		t.Fatalf("injection: %v", err)
	}
}

func TestClientSendMsgCapture(t *testing.T) {
	s := newScript(t, "sendmsg")
	c := mustDial(t, s)
	ctx := context.Background()
	const uuid = "12121212-3434-4565-8787-909090909090"
	sub := c.Listen(ForApplicationUUID("e1e1e1e1-0000-4000-8000-000000000001", "e2e2e2e2-0000-4000-8000-000000000002"))
	if err := c.Subscribe(ctx, EventAll); err != nil {
		t.Fatal(err)
	}
	if out, err := c.API(ctx, "originate {origination_uuid="+uuid+"}loopback/8888/default &park"); err != nil || out != "+OK "+uuid+"\n" {
		t.Fatalf("originate: %q %v", out, err)
	}
	id, err := c.Execute(ctx, uuid, "playback", "tone_stream://%(500,0,440);loops=1", ExecEventLock(), ExecEventUUID("e1e1e1e1-0000-4000-8000-000000000001"))
	if err != nil || id != "e1e1e1e1-0000-4000-8000-000000000001" {
		t.Fatal(id, err)
	}
	if _, err := c.Execute(ctx, uuid, "playback", "tone_stream://%(300,0,660);loops=1", ExecArgInBody(), ExecEventUUID("e2e2e2e2-0000-4000-8000-000000000002")); err != nil {
		t.Fatal(err)
	}
	if err := c.Hangup(ctx, uuid, "USER_BUSY"); err != nil {
		t.Fatal(err)
	}
	var ce *CommandError
	if err := c.Hangup(ctx, "00000000-0000-0000-0000-000000000000", "NORMAL_CLEARING"); !errors.As(err, &ce) || ce.Reply != "-ERR invalid session id [00000000-0000-0000-0000-000000000000]" {
		t.Fatalf("hangup unknown: %v", err)
	}
	msgs := finish(t, c, s, sub)
	var names []string
	for _, m := range msgs {
		if m.Kind == KindEvent {
			names = append(names, m.Event.Get("Event-Name")+":"+m.Event.Get("Application-Response"))
		}
	}
	if len(names) < 4 || !strings.Contains(strings.Join(names, ","), "CHANNEL_EXECUTE_COMPLETE:FILE PLAYED") {
		t.Fatalf("execute events: %v", names)
	}
}

func TestClientFiltersCapture(t *testing.T) {
	s := newScript(t, "filters")
	// Commands the typed API refuses before sending (checked below).
	s.skip[6], s.skip[7] = true, true // "filter", "filter Event-Name"
	for i := 13; i < len(s.cmds); i++ {
		s.skip[i] = true
	}
	c := mustDial(t, s)
	ctx := context.Background()
	sub := c.Listen()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Subscribe(ctx, EventAll))
	must(c.Filter(ctx, "Event-Name", "HEARTBEAT"))
	must(c.Filter(ctx, "Event-Name", "CHANNEL_CREATE"))
	must(c.FilterDelete(ctx, "Event-Name", "HEARTBEAT"))
	must(c.FilterDeleteAll(ctx))
	if err := c.Filter(ctx, "Event-Name", ""); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("empty filter value: %v", err)
	}
	if err := c.Filter(ctx, "delete", "x"); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("keyword header: %v", err)
	}
	must(c.FilterDeleteHeader(ctx, "nosuch"))
	must(c.Filter(ctx, "Unique-ID", "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa"))
	must(c.Filter(ctx, "Event-Name", "CHANNEL_DESTROY"))
	// With filters in force, bgapi adds a filter for its own Job-UUID.
	j, err := c.BgAPI(ctx, "originate {origination_uuid=aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa}loopback/9999/default &park")
	must(err)
	// Deleting the user's filters takes the job's along.
	must(c.FilterDeleteAll(ctx))
	c.mu.Lock()
	st := c.st.clone()
	c.mu.Unlock()
	if len(st.filters) != 0 || !st.all {
		t.Fatalf("state: %+v", st)
	}
	// The capture continues with commands the test skips; end it.
	c.Close()
	for range sub.Messages() {
	}
	<-s.done
	if h := s.helpers(); len(h) != 1 || h[0] != "filter Job-UUID "+j.ID() {
		t.Fatalf("helpers: %v", h)
	}
	if _, err := j.Wait(ctx); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("job after close: %v", err)
	}
}
