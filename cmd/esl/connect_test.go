package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eslkit/esl"
)

func resolveArgs(t *testing.T, env map[string]string, args ...string) (*connOpts, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o connOpts
	o.register(fs)
	o.registerShell(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		o.Profile = pos[0]
	}
	return &o, o.resolve(fs, func(k string) string { return env[k] })
}

func TestResolveOrder(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "esl.conf")
	os.WriteFile(conf, []byte("[default]\nhost => def.example\npassword => defpw\n[lab]\nhost => lab.example\nport => 8022\nuser => ops@lab\npassword => labpw\n"), 0o600)
	env := map[string]string{"ESL_CONFIG": conf}

	o, err := resolveArgs(t, env)
	if err != nil || o.Host != "def.example" || o.Port != 8021 || o.Password != "defpw" || o.ConnectTimeout != 10*time.Second {
		t.Fatalf("default profile: %+v %v", o, err)
	}
	o, err = resolveArgs(t, env, "lab")
	if err != nil || o.Host != "lab.example" || o.Port != 8022 || o.User != "ops@lab" || o.Password != "labpw" {
		t.Fatalf("named profile: %+v %v", o, err)
	}
	// The environment beats the profile, flags beat both.
	env["ESL_PASSWORD"] = "envpw"
	o, _ = resolveArgs(t, env, "--profile", "lab")
	if o.Password != "envpw" {
		t.Fatalf("ESL_PASSWORD ignored: %q", o.Password)
	}
	o, _ = resolveArgs(t, env, "-p", "flagpw", "-H", "h", "--port", "9", "-t", "1500", "-T", "2s", "lab")
	if o.Password != "flagpw" || o.Host != "h" || o.Port != 9 || o.Timeout != 1500*time.Millisecond || o.ConnectTimeout != 2*time.Second {
		t.Fatalf("flags: %+v", o)
	}
	if _, err := resolveArgs(t, env, "nosuch"); err == nil || !strings.Contains(err.Error(), `no profile "nosuch"`) {
		t.Fatalf("unknown profile: %v", err)
	}
	if _, err := resolveArgs(t, env, "-u", "nodomain"); err == nil {
		t.Fatal("-u without @domain accepted")
	}
	if _, err := resolveArgs(t, env, "-t", "soon"); err == nil {
		t.Fatal("-t soon accepted")
	}
	if _, err := resolveArgs(t, env, "--config", "/nonexistent/x.conf"); err == nil {
		t.Fatal("missing --config file accepted")
	}
}

func TestDescribeHidesPassword(t *testing.T) {
	o := &connOpts{Host: "h", Port: 1, Password: "s3cret"}
	msg := o.describe(errors.New("odd failure mentioning s3cret"))
	if strings.Contains(msg, "s3cret") || !strings.Contains(msg, "****") {
		t.Fatalf("%q", msg)
	}
	if msg := o.describe(syscall.ECONNREFUSED); !strings.Contains(msg, "connection refused") {
		t.Fatalf("%q", msg)
	}
	// A password that is an ordinary word does not garble the message.
	o.Password = "wrong"
	if msg := o.describe(esl.ErrAuthFailed); !strings.Contains(msg, "authentication failed: wrong password") {
		t.Fatalf("%q", msg)
	}
	if msg := o.describe(&esl.CommandError{Reply: "-ERR wrong"}); strings.Contains(msg, "wrong") {
		t.Fatalf("FreeSWITCH's words are still masked: %q", msg)
	}
}

// TestShellOnlyFlags: -x and -l belong to the shell; the other
// subcommands refuse them rather than silently ignore them.
func TestShellOnlyFlags(t *testing.T) {
	for _, args := range [][]string{{"events", "-x", "status"}, {"channels", "-l", "debug"}} {
		code, _, errs := runCLI(t, context.Background(), args...)
		if code != 2 || !strings.Contains(errs, "flag provided but not defined") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
	}
}
