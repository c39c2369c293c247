package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// connOpts are fs_cli's connection flags, shared by every subcommand that
// talks to FreeSWITCH.
type connOpts struct {
	Host           string
	Port           int
	Password       string
	User           string
	Exec           string
	Retry          bool
	Reconnect      bool
	Timeout        time.Duration
	ConnectTimeout time.Duration
	Profile        string
	Config         string
	LogLevel       string
	NoColor        bool

	set map[string]bool // flags given on the command line
}

// msDuration is fs_cli's -t/-T value: milliseconds as a bare number, or a
// Go duration ("2s").
type msDuration struct{ d *time.Duration }

// String shows an unset value as the zero value flag's help compares with,
// so the help does not print a misleading "(default 0s)" after the real
// default it already names.
func (m msDuration) String() string {
	if m.d == nil || *m.d == 0 {
		return "0"
	}
	return m.d.String()
}

func (m msDuration) Set(s string) error {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 {
			return errors.New("must not be negative")
		}
		*m.d = time.Duration(n) * time.Millisecond
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return errors.New("want milliseconds or a duration such as 2s")
	}
	*m.d = d
	return nil
}

// register adds the connection flags to fs, with fs_cli's letters and long
// names.
func (o *connOpts) register(fs *flag.FlagSet) {
	str := func(p *string, short, long, usage string) {
		fs.StringVar(p, short, "", usage)
		fs.StringVar(p, long, "", "same as -"+short)
	}
	str(&o.Host, "H", "host", "FreeSWITCH host (default 127.0.0.1)")
	fs.IntVar(&o.Port, "P", 0, "event socket port (default 8021)")
	fs.IntVar(&o.Port, "port", 0, "same as -P")
	str(&o.Password, "p", "password", "event socket password (default ClueCon, or $ESL_PASSWORD)")
	str(&o.User, "u", "user", "user@domain for userauth")
	fs.BoolVar(&o.Retry, "r", false, "retry connecting for up to 2 minutes")
	fs.BoolVar(&o.Retry, "retry", false, "same as -r")
	fs.BoolVar(&o.Reconnect, "R", false, "reconnect when the connection drops")
	fs.BoolVar(&o.Reconnect, "reconnect", false, "same as -R")
	fs.Var(msDuration{&o.Timeout}, "t", "api timeout (milliseconds or a duration like 5s)")
	fs.Var(msDuration{&o.Timeout}, "timeout", "same as -t")
	fs.Var(msDuration{&o.ConnectTimeout}, "T", "connect timeout (milliseconds or a duration; default 10s)")
	fs.Var(msDuration{&o.ConnectTimeout}, "connect-timeout", "same as -T")
	fs.StringVar(&o.Profile, "profile", "", "named profile from the config file (also the first argument)")
	fs.StringVar(&o.Config, "config", "", "config file (default $XDG_CONFIG_HOME/esl/esl.conf, ~/.fs_cli_conf, /etc/fs_cli.conf)")
	fs.BoolVar(&o.NoColor, "n", false, "no colours")
	fs.BoolVar(&o.NoColor, "no-color", false, "same as -n")
}

// registerShell adds the flags only the shell uses (-x, -l), so that the
// other subcommands' help does not offer flags they would ignore.
func (o *connOpts) registerShell(fs *flag.FlagSet) {
	fs.StringVar(&o.Exec, "x", "", "run one api command, print its output and exit")
	fs.StringVar(&o.Exec, "execute", "", "same as -x")
	fs.StringVar(&o.LogLevel, "l", "", "log level the shell asks for (default from the profile, else none)")
	fs.StringVar(&o.LogLevel, "loglevel", "", "same as -l")
}

// resolve fills what the command line left out: from the profile (named,
// else "default" if configured, else the built-in one), and the password
// from $ESL_PASSWORD. Command-line flags win, then the environment, then
// the profile.
func (o *connOpts) resolve(fs *flag.FlagSet, getenv func(string) string) error {
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	paths := configPaths(getenv)
	if o.Config != "" {
		paths = []string{o.Config}
		if _, err := os.Stat(o.Config); err != nil {
			return fmt.Errorf("config file %s: %w", o.Config, errors.Unwrap(err))
		}
	}
	profs, _, err := loadProfiles(paths)
	if err != nil {
		return err
	}
	p := builtinProfile()
	if o.Profile != "" {
		q, ok := profs[o.Profile]
		if !ok {
			return fmt.Errorf("no profile %q in the config file", o.Profile)
		}
		p = q
	} else if q, ok := profs["default"]; ok {
		p = q
	}
	if !o.set["H"] && !o.set["host"] {
		o.Host = p.Host
	}
	if !o.set["P"] && !o.set["port"] {
		o.Port = p.Port
	}
	if o.Port < 1 || o.Port > 65535 {
		return errors.New("port must be in range 1-65535")
	}
	if !o.set["u"] && !o.set["user"] {
		o.User = p.User
	}
	if !o.set["p"] && !o.set["password"] {
		if pw := getenv("ESL_PASSWORD"); pw != "" {
			o.Password = pw
		} else {
			o.Password = p.Password
		}
	}
	if !o.set["l"] && !o.set["loglevel"] {
		o.LogLevel = p.LogLevel
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.User != "" && !strings.Contains(o.User, "@") {
		return errors.New("-u wants user@domain")
	}
	if strings.ContainsAny(o.Exec, "\r\n") {
		return errors.New("-x command must be one line")
	}
	return nil
}

// addr is host:port.
func (o *connOpts) addr() string { return net.JoinHostPort(o.Host, strconv.Itoa(o.Port)) }

// describe turns a connection or command error into one line an operator
// can act on. It never includes the password, whatever the error says.
func (o *connOpts) describe(err error) string { return o.explain(err) }

// mask hides the password in text that came from elsewhere (an error's
// own words, FreeSWITCH's reply). Only such text is masked: masking the
// whole line would garble our own wording whenever the password is an
// ordinary word ("wrong password" with -p wrong).
func (o *connOpts) mask(s string) string {
	if o.Password == "" {
		return s
	}
	return strings.ReplaceAll(s, o.Password, "****")
}

func (o *connOpts) explain(err error) string {
	addr := o.addr()
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("cannot connect to %s: connection refused (is FreeSWITCH running with mod_event_socket on that port?)", addr)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot connect to %s: unknown host %s", addr, dnsErr.Name)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Sprintf("cannot connect to %s: host unreachable", addr)
	}
	if s, ok := eslErrorLine(o, err); ok {
		return s
	}
	if errors.As(err, &netErr) && netErr.Timeout() {
		return fmt.Sprintf("%s: timed out", addr)
	}
	return fmt.Sprintf("%s: %s", addr, o.mask(err.Error()))
}

// apiCtx bounds one api command by -t, when given.
func (o *connOpts) apiCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if o.Timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, o.Timeout)
}
