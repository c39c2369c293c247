package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// profile is one named connection in the config file: fs_cli.conf's
// host, port, password and user keys.
type profile struct {
	Name     string
	Host     string
	Port     int
	Password string
	User     string
	// LogLevel is fs_cli's "loglevel" key: the level the shell asks for.
	LogLevel string
}

// builtinProfile is what fs_cli uses when no profile is configured.
func builtinProfile() profile {
	return profile{Name: "internal", Host: "127.0.0.1", Port: 8021, Password: "ClueCon"}
}

// configPaths lists where the config file is looked for, first match wins:
// our own file, then fs_cli's per-user and system files, so an operator's
// existing profiles work unchanged.
func configPaths(getenv func(string) string) []string {
	var paths []string
	if p := getenv("ESL_CONFIG"); p != "" {
		return []string{p}
	}
	home := getenv("HOME")
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		paths = append(paths, filepath.Join(x, "esl", "esl.conf"))
	} else if home != "" {
		paths = append(paths, filepath.Join(home, ".config", "esl", "esl.conf"))
	}
	if home != "" {
		paths = append(paths, filepath.Join(home, ".fs_cli_conf"))
	}
	return append(paths, "/etc/fs_cli.conf")
}

// loadProfiles reads the first config file that exists. A missing file is
// no error (the built-in profile applies); a malformed one is, with its
// line number.
func loadProfiles(paths []string) (map[string]profile, string, error) {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		profs, err := parseProfiles(f)
		f.Close()
		if err != nil {
			return nil, p, fmt.Errorf("%s: %w", p, err)
		}
		return profs, p, nil
	}
	return map[string]profile{}, "", nil
}

// parseProfiles parses fs_cli.conf's format: "[name]" starts a profile,
// then "key => value" (or "key = value") lines; '#' and ';' start comments.
func parseProfiles(r io.Reader) (map[string]profile, error) {
	profs := map[string]profile{}
	var cur *profile
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' || s[0] == ';' {
			continue
		}
		if s[0] == '[' {
			end := strings.IndexByte(s, ']')
			if end < 2 {
				return nil, fmt.Errorf("line %d: bad profile name %q", line, s)
			}
			name := strings.TrimSpace(s[1:end])
			p, ok := profs[name]
			if !ok {
				p = builtinProfile()
				p.Name = name
			}
			cur = &p
			profs[name] = p
			continue
		}
		key, val, ok := strings.Cut(s, "=>")
		if !ok {
			key, val, ok = strings.Cut(s, "=")
		}
		if !ok {
			return nil, fmt.Errorf("line %d: expected \"key => value\"", line)
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: %q before any [profile]", line, strings.TrimSpace(key))
		}
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		switch key {
		case "host":
			cur.Host = val
		case "port":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("line %d: port must be 1-65535", line)
			}
			cur.Port = n
		case "password":
			cur.Password = val
		case "user":
			cur.User = val
		case "loglevel":
			cur.LogLevel = val
		default:
			// fs_cli has more keys (colours, key_F1…); they are not ours
			// to refuse.
		}
		profs[cur.Name] = *cur
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return profs, nil
}
