package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eslkit/esl/fsim"
)

// "esl PROFILE" connects with that profile, as "fs_cli PROFILE" does, while
// a word that is neither a command nor a profile is still refused.
func TestDispatchProfileAsFirstWord(t *testing.T) {
	sim := fsim.Run(t)
	h, p := hostPort(t, sim.Addr())
	conf := filepath.Join(t.TempDir(), "esl.conf")
	body := "[lab]\nhost => " + h + "\nport => " + p + "\npassword => " + sim.Password() + "\n"
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "ESL_CONFIG" {
			return conf
		}
		return ""
	}
	runWith := func(args ...string) (int, string, string) {
		var out, errb syncBuffer
		code := run(context.Background(), &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: getenv}, args)
		return code, out.String(), errb.String()
	}

	code, out, errOut := runWith("lab", "-x", "echo via-profile")
	if code != 0 || !strings.Contains(out, "via-profile") {
		t.Fatalf("esl lab -x: code %d, out %q, err %q", code, out, errOut)
	}
	code, _, errOut = runWith("nosuch", "-x", "echo x")
	if code != 2 || !strings.Contains(errOut, `unknown command "nosuch"`) {
		t.Fatalf("esl nosuch: code %d, err %q", code, errOut)
	}
}
