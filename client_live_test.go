package esl_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/fsim"
)

// TestLiveFreeSWITCH runs the client against a real FreeSWITCH named by
// ESL_TEST_ADDR (host:port) and ESL_TEST_PASSWORD (default ClueCon). It
// skips without them.
func TestLiveFreeSWITCH(t *testing.T) {
	addr := os.Getenv("ESL_TEST_ADDR")
	if addr == "" {
		t.Skip("ESL_TEST_ADDR not set")
	}
	password := os.Getenv("ESL_TEST_PASSWORD")
	if password == "" {
		password = esl.DefaultPassword
	}
	liveScenario(t, addr, password)
}

// TestLiveScenarioOnFsim keeps the live scenario honest where no
// FreeSWITCH is available.
func TestLiveScenarioOnFsim(t *testing.T) {
	sim := fsim.Run(t)
	liveScenario(t, sim.Addr(), sim.Password())
}

func liveScenario(t *testing.T, addr, password string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := esl.Dial(ctx, addr, esl.WithPassword(password+"-wrong")); !errors.Is(err, esl.ErrAuthFailed) {
		t.Fatalf("wrong password: %v", err)
	}
	c, err := esl.Dial(ctx, addr, esl.WithPassword(password))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if out, err := c.API(ctx, "status"); err != nil || !strings.HasPrefix(out, "UP ") {
		t.Fatalf("status: %q %v", out, err)
	}
	var ce *esl.CommandError
	if _, err := c.API(ctx, "no_such_command"); !errors.As(err, &ce) {
		t.Fatalf("unknown: %v", err)
	}
	// Filters in force, no BACKGROUND_JOB subscription: the job still ends.
	if err := c.Filter(ctx, "Event-Subclass", "eslkit::live"); err != nil {
		t.Fatal(err)
	}
	job, err := c.BgAPI(ctx, "version")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := job.Wait(ctx); err != nil || !strings.HasPrefix(out, "FreeSWITCH Version") {
		t.Fatalf("bgapi version: %q %v", out, err)
	}
	for _, format := range []esl.EventFormat{esl.FormatPlain, esl.FormatJSON, esl.FormatXML} {
		fc, err := esl.Dial(ctx, addr, esl.WithPassword(password), esl.WithEventFormat(format))
		if err != nil {
			t.Fatal(err)
		}
		sub := fc.Listen(esl.ForSubclasses("eslkit::live"))
		if err := fc.SubscribeCustom(ctx, "eslkit::live"); err != nil {
			t.Fatal(err)
		}
		id, err := c.SendEvent(ctx, esl.EventCustom, []esl.Header{{Name: "Event-Subclass", Value: "eslkit::live"}, {Name: "X-Format", Value: string(format)}}, "body\n")
		if err != nil {
			t.Fatal(err)
		}
		m, ok := sub.Next(ctx)
		if !ok || m.Event.Get("Event-UUID") != id || m.Event.Body() != "body\n" {
			t.Fatalf("%s: custom event %v %+v", format, ok, m)
		}
		sub.Close()
		fc.Close()
	}
	if err := c.Log(ctx, esl.LogInfo); err != nil {
		t.Fatal(err)
	}
	if err := c.NoLog(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.FilterDeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Exit(ctx); err != nil {
		t.Fatal(err)
	}
}
