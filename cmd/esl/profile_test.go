package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseProfiles(t *testing.T) {
	conf := `
# fs_cli.conf style
[default]
host => 10.0.0.5
password => secret
; a comment
[lab]
host = lab.example
port => 8022
user => ops@example.com
loglevel => info
prompt-color => blue
`
	profs, err := parseProfiles(strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	d := profs["default"]
	if d.Host != "10.0.0.5" || d.Port != 8021 || d.Password != "secret" {
		t.Errorf("default = %+v", d)
	}
	l := profs["lab"]
	if l.Host != "lab.example" || l.Port != 8022 || l.User != "ops@example.com" || l.Password != "ClueCon" || l.LogLevel != "info" {
		t.Errorf("lab = %+v", l)
	}
}

func TestParseProfilesErrors(t *testing.T) {
	for _, bad := range []string{
		"host => x\n",          // before any profile
		"[p]\nport => 70000\n", // port out of range
		"[p]\njust words\n",    // no separator
		"[]\n",                 // empty name
	} {
		if _, err := parseProfiles(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		} else if !strings.Contains(err.Error(), "line ") {
			t.Errorf("%q: error %q has no line number", bad, err)
		}
	}
}

func TestConfigPathsAndLoad(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "xdg")}
	getenv := func(k string) string { return env[k] }
	paths := configPaths(getenv)
	want := []string{filepath.Join(dir, "xdg", "esl", "esl.conf"), filepath.Join(dir, ".fs_cli_conf"), "/etc/fs_cli.conf"}
	if strings.Join(paths, ",") != strings.Join(want, ",") {
		t.Fatalf("paths = %q, want %q", paths, want)
	}
	// Only fs_cli's file exists: it is used.
	if err := os.WriteFile(filepath.Join(dir, ".fs_cli_conf"), []byte("[old]\nhost => old.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	profs, used, err := loadProfiles(paths[:2])
	if err != nil || used != filepath.Join(dir, ".fs_cli_conf") || profs["old"].Host != "old.example" {
		t.Fatalf("load = %v %q %v", profs, used, err)
	}
	// Ours wins once it exists.
	os.MkdirAll(filepath.Join(dir, "xdg", "esl"), 0o700)
	if err := os.WriteFile(paths[0], []byte("[new]\nhost => new.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	profs, _, _ = loadProfiles(paths[:2])
	if _, ok := profs["old"]; ok || profs["new"].Host != "new.example" {
		t.Fatalf("load = %v", profs)
	}
	env["ESL_CONFIG"] = "/x/y.conf"
	if p := configPaths(getenv); len(p) != 1 || p[0] != "/x/y.conf" {
		t.Fatalf("ESL_CONFIG ignored: %q", p)
	}
}
