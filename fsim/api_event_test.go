package fsim

import (
	"strconv"
	"testing"
)

// TestAPIEventAudience: the API event of a command is only built when
// someone can receive it, but it is numbered when the command starts either
// way, and a subscription made while the command runs still gets it (as
// with FreeSWITCH, which checks subscriptions when it delivers).
func TestAPIEventAudience(t *testing.T) {
	s := Run(t, Options{HeartbeatInterval: -1})
	// Nobody listens: the API event still takes its sequence number.
	a := s.InjectEvent("CUSTOM", "t::seq", nil, "")
	s.API("echo unheard")
	b := s.InjectEvent("CUSTOM", "t::seq", nil, "")
	if b != a+2 {
		t.Fatalf("sequence %d then %d: the unheard API event took no number", a, b)
	}

	release := make(chan struct{})
	started := make(chan struct{})
	s.HandleAPI("slowcmd", func(args string) string {
		close(started)
		<-release
		return "done\n"
	})
	out := make(chan string)
	go func() { out <- s.API("slowcmd some args") }()
	<-started
	// The command has started (its event is numbered); subscribe now.
	c := authed(t, s)
	c.reply("event plain API")
	close(release)
	if got := <-out; got != "done\n" {
		t.Fatalf("slowcmd = %q", got)
	}
	ev := c.read()
	if ev.bodyHeader("Event-Name") != "API" || ev.bodyHeader("API-Command") != "slowcmd" || ev.bodyHeader("API-Command-Argument") != "some%20args" {
		t.Fatalf("API event %+v", ev)
	}
	if seq, _ := strconv.ParseUint(ev.bodyHeader("Event-Sequence"), 10, 64); seq != b+1 {
		t.Fatalf("Event-Sequence %d, want %d (taken when the command started)", seq, b+1)
	}
}

func TestContainsFold(t *testing.T) {
	for _, c := range []struct {
		s, sub string
		want   bool
	}{
		{"api unload MOD_Event_Socket", "mod_event_socket", true},
		{"mod_event_socke", "mod_event_socket", false},
		{"", "x", false},
		{"x", "", true},
		{"RELOAD", "reload", true},
	} {
		if got := containsFold(c.s, c.sub); got != c.want {
			t.Errorf("containsFold(%q, %q) = %v", c.s, c.sub, got)
		}
	}
}
