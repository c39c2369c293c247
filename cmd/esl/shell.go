package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/eslkit/esl"
	"golang.org/x/term"
)

func init() {
	register(&command{Name: "shell", Summary: "interactive shell like fs_cli (the default; -x CMD runs one command)", Run: runShell})
	defaultCommand = "shell"
}

func runShell(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "esl", "usage: esl [shell] [flags] [profile]\n\nThe other commands (events, channels, explain, decode, sim, demo): esl help")
	var o connOpts
	o.register(fs)
	o.registerShell(fs)
	var quiet bool
	fs.BoolVar(&quiet, "q", false, "quiet: do not ask for log lines")
	fs.BoolVar(&quiet, "quiet", false, "same as -q")
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintf(e.Stderr, "esl: unexpected arguments %q (quote the -x command)\n", pos[1:])
		return 2
	}
	if len(pos) == 1 && o.Profile == "" {
		o.Profile = pos[0]
	}
	if err := o.resolve(fs, e.Getenv); err != nil {
		fmt.Fprintln(e.Stderr, "esl:", err)
		return 2
	}
	if o.Exec != "" {
		return execOnce(ctx, e, &o)
	}
	l, err := o.dial(ctx, e, true)
	if err != nil {
		fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
		return 1
	}
	defer l.Close()
	sh := &shell{ctx: ctx, e: e, o: &o, l: l, colour: !o.NoColor && isTerminal(e.Stdout)}
	if !quiet {
		level := 7 // fs_cli sends "log" with the profile's level, DEBUG when unset
		if o.LogLevel != "" {
			n, ok := parseLogLevel(o.LogLevel)
			if !ok {
				fmt.Fprintf(e.Stderr, "esl: unknown log level %q\n", o.LogLevel)
				return 2
			}
			level = n
		}
		if err := l.Log(ctx, level); err != nil {
			fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
		}
	}
	return sh.run()
}

// shell is one interactive (or batch, when stdin is not a terminal)
// session.
type shell struct {
	ctx    context.Context
	e      *env
	o      *connOpts
	l      link
	colour bool

	out  io.Writer // where output goes: the line editor, or locked stdout
	term *term.Terminal

	mu       sync.Mutex
	uuid     string          // /uuid: show only this call's events and logs
	waiting  map[string]bool // bgapi jobs started here
	finished chan struct{}   // a bgapi job's result was shown
	lost     atomic.Bool     // the connection is gone for good
}

// lockedWriter serialises writes from the reader and the output goroutine
// in batch mode.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (s *shell) prompt() string {
	name := s.o.Profile
	if name == "" {
		name = s.o.Host
	}
	return "esl@" + name + "> "
}

func (s *shell) run() int {
	s.waiting = map[string]bool{}
	s.finished = make(chan struct{}, 1)
	in, _ := s.e.Stdin.(*os.File)
	interactive := in != nil && isTerminal(in) && isTerminal(s.e.Stdout)
	var lines func() (string, error)
	if interactive {
		old, err := term.MakeRaw(int(in.Fd()))
		if err != nil {
			fmt.Fprintln(s.e.Stderr, "esl: terminal:", err)
			return 1
		}
		defer term.Restore(int(in.Fd()), old)
		t := term.NewTerminal(struct {
			io.Reader
			io.Writer
		}{in, s.e.Stdout}, "")
		if s.colour {
			t.SetPrompt(colBold + colBlue + s.prompt() + colReset)
		} else {
			t.SetPrompt(s.prompt())
		}
		cols, rows := termSize(s.e.Stdout)
		t.SetSize(cols, rows)
		hist := openHistory(historyPath(s.e.Getenv), 800)
		t.History = hist
		t.AutoCompleteCallback = s.complete
		s.term, s.out = t, t
		stopResize := watchResize(func() { c, r := termSize(s.e.Stdout); t.SetSize(c, r) })
		defer stopResize()
		lines = t.ReadLine
	} else {
		s.out = &lockedWriter{w: s.e.Stdout}
		sc := bufio.NewScanner(s.e.Stdin)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		lines = func() (string, error) {
			if !sc.Scan() {
				if err := sc.Err(); err != nil {
					return "", err
				}
				return "", io.EOF
			}
			return sc.Text(), nil
		}
	}
	if interactive {
		fmt.Fprintf(s.out, "esl shell: connected to %s. Type /help for commands, /exit to leave.\n", s.o.addr())
	}

	printerDone := make(chan struct{})
	go func() {
		defer close(printerDone)
		s.printItems()
	}()
	status := 0
	for {
		line, err := lines()
		if s.lost.Load() {
			status = 1
			break
		}
		if err != nil {
			break
		}
		quit, down := s.handle(strings.TrimSpace(line))
		if down {
			status = 1
		}
		if quit || down {
			break
		}
	}
	if status == 0 {
		s.awaitJobs()
	}
	s.l.Close()
	<-printerDone
	if s.term != nil {
		io.WriteString(s.e.Stdout, "\r\n")
	}
	return status
}

// awaitJobs waits a little for the results of bgapi jobs still running,
// so that a script piped into the shell sees them before it exits.
func (s *shell) awaitJobs() {
	limit := s.o.Timeout
	if limit <= 0 {
		limit = 10 * time.Second
	}
	t := time.NewTimer(limit)
	defer t.Stop()
	for {
		s.mu.Lock()
		n := len(s.waiting)
		s.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-s.finished:
		case <-t.C:
			fmt.Fprintf(s.out, "%d bgapi job(s) still running; not waiting for them\n", n)
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// printItems shows what arrives on the link as it arrives.
func (s *shell) printItems() {
	for it := range s.l.Items() {
		s.mu.Lock()
		only := s.uuid
		s.mu.Unlock()
		switch {
		case it.Log != nil:
			if only != "" && it.Log.UUID != only {
				continue
			}
			writeLog(s.out, it.Log.Level, it.Log.Text, s.colour)
		case it.Job != nil:
			s.mu.Lock()
			mine := s.waiting[it.Job.JobUUID]
			delete(s.waiting, it.Job.JobUUID)
			s.mu.Unlock()
			if !mine {
				continue
			}
			fmt.Fprintf(s.out, "Job %s (%s) done:\n", it.Job.JobUUID, it.Job.Command)
			if it.Job.Err != nil && it.Job.Body == "" {
				fmt.Fprintln(s.out, s.o.describe(it.Job.Err))
			} else {
				fmt.Fprintln(s.out, strings.TrimRight(it.Job.Body, "\n"))
			}
			select {
			case s.finished <- struct{}{}:
			default:
			}
		case it.Event != nil:
			if only != "" && it.Event.UniqueID() != only && it.Event.Get("Other-Leg-Unique-ID") != only {
				continue
			}
			writeEventText(s.out, it.Event, s.colour, false)
		case it.Notice != "":
			if it.Down {
				s.lost.Store(true)
				it.Notice += " (press Enter to leave)"
			}
			if s.colour {
				fmt.Fprintf(s.out, "%s*** %s%s\n", colYellow, it.Notice, colReset)
			} else {
				fmt.Fprintf(s.out, "*** %s\n", it.Notice)
			}
		}
	}
}

const shellHelp = `Commands:
  <api command>             run it (e.g. status, show channels, originate …)
  bgapi <api command>       run it in the background; the result shows when it arrives
  /event [fmt] NAME …       show events (ALL, CHANNEL_ANSWER, CUSTOM sofia::register …)
  /nixevent NAME …          stop showing those events
  /noevents                 stop all events
  /filter HEADER VALUE      only events with that header value (repeat to add)
  /filter delete HEADER [VALUE]
  /log LEVEL                show log lines up to LEVEL (console alert crit err warning notice info debug)
  /nolog                    stop log lines
  /uuid [UUID]              show only this call's events and logs (no UUID: everything again)
  /help                     this text
  /exit, /quit, /bye, ...   leave
Tab completes commands (FreeSWITCH's console_complete) and event names.
`

// handle runs one input line. quit ends the shell; down means the
// connection is gone.
func (s *shell) handle(line string) (quit, down bool) {
	if line == "" {
		return false, false
	}
	ctx := s.ctx
	if s.o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.o.Timeout)
		defer cancel()
	}
	fields := strings.Fields(line)
	cmd := strings.ToLower(fields[0])
	args := fields[1:]
	var err error
	switch cmd {
	case "/exit", "/quit", "/bye", "...", "exit", "quit":
		return true, false
	case "/help", "help", "/?":
		io.WriteString(s.out, shellHelp)
		return false, false
	case "/event":
		if len(args) > 0 && isFormatWord(args[0]) {
			args = args[1:]
		}
		if len(args) == 0 {
			fmt.Fprintln(s.out, "usage: /event NAME … (e.g. /event ALL)")
			return false, false
		}
		if err := checkEventNames(args); err != nil {
			fmt.Fprintln(s.out, "-ERR", err)
			return false, false
		}
		err = s.l.Event(ctx, upperNames(args))
		s.ok(err, "+OK event listener enabled")
	case "/nixevent":
		if len(args) == 0 {
			fmt.Fprintln(s.out, "usage: /nixevent NAME …")
			return false, false
		}
		err = s.l.NixEvent(ctx, upperNames(args))
		s.ok(err, "+OK events removed")
	case "/noevents":
		err = s.l.NoEvents(ctx)
		s.ok(err, "+OK no longer listening for events")
	case "/filter":
		switch {
		case len(args) >= 2 && strings.EqualFold(args[0], "delete"):
			value := ""
			if len(args) > 2 {
				value = strings.Join(args[2:], " ")
			}
			err = s.l.FilterDelete(ctx, args[1], value)
			s.ok(err, "+OK filter deleted")
		case len(args) >= 2:
			err = s.l.Filter(ctx, args[0], strings.Join(args[1:], " "))
			s.ok(err, "+OK filter added")
		default:
			fmt.Fprintln(s.out, "usage: /filter HEADER VALUE | /filter delete HEADER [VALUE]")
			return false, false
		}
	case "/log":
		level := 7
		if len(args) > 0 {
			n, ok := parseLogLevel(args[0])
			if !ok {
				fmt.Fprintf(s.out, "-ERR invalid log level %q\n", args[0])
				return false, false
			}
			level = n
		}
		err = s.l.Log(ctx, level)
		s.ok(err, fmt.Sprintf("+OK log level %s [%d]", logLevelNames[level], level))
	case "/nolog":
		err = s.l.NoLog(ctx)
		s.ok(err, "+OK no longer logging")
	case "/uuid":
		s.mu.Lock()
		if len(args) > 0 {
			s.uuid = args[0]
		} else {
			s.uuid = ""
		}
		u := s.uuid
		s.mu.Unlock()
		if u == "" {
			fmt.Fprintln(s.out, "+OK showing every call")
		} else {
			fmt.Fprintf(s.out, "+OK showing only %s\n", u)
		}
	case "bgapi":
		if len(args) == 0 {
			fmt.Fprintln(s.out, "usage: bgapi <api command>")
			return false, false
		}
		// Hold the lock across the call so the result, even a fast one,
		// finds its job registered.
		s.mu.Lock()
		var id string
		id, err = s.l.BgAPI(ctx, strings.TrimSpace(line[len(fields[0]):]))
		if err == nil {
			s.waiting[id] = true
		}
		s.mu.Unlock()
		if err == nil {
			fmt.Fprintf(s.out, "+OK Job-UUID: %s\n", id)
		} else {
			s.ok(err, "")
		}
	default:
		if strings.HasPrefix(cmd, "/") {
			fmt.Fprintf(s.out, "-ERR unknown shell command %s (try /help)\n", fields[0])
			return false, false
		}
		api := line
		if cmd == "api" {
			api = strings.TrimSpace(line[len(fields[0]):])
		}
		var body string
		body, err = s.l.API(ctx, api)
		if err == nil {
			fmt.Fprintln(s.out, strings.TrimRight(body, "\n"))
		} else {
			s.ok(err, "")
		}
	}
	return false, errors.Is(err, esl.ErrDisconnected) && !s.o.Reconnect
}

// ok prints the outcome of a shell command: msg on success, FreeSWITCH's
// refusal or a one-line error otherwise.
func (s *shell) ok(err error, msg string) {
	var ce *esl.CommandError
	switch {
	case err == nil:
		if msg != "" {
			fmt.Fprintln(s.out, msg)
		}
	case errors.As(err, &ce):
		if s.colour {
			fmt.Fprintf(s.out, "%s%s%s\n", colRed, strings.TrimRight(ce.Reply, "\n"), colReset)
		} else {
			fmt.Fprintln(s.out, strings.TrimRight(ce.Reply, "\n"))
		}
	case errors.Is(err, context.DeadlineExceeded) && s.ctx.Err() == nil:
		fmt.Fprintf(s.out, "-ERR no reply within %v\n", s.o.Timeout)
	default:
		fmt.Fprintln(s.out, "-ERR", s.o.describe(err))
	}
}

// isFormatWord reports whether s is an event format, which fs_cli lets
// "/event" take before the names (/event json ALL).
func isFormatWord(s string) bool {
	switch strings.ToLower(s) {
	case "plain", "json", "xml":
		return true
	}
	return false
}

// upperNames upper-cases event names (FreeSWITCH matches them
// case-insensitively, but prints them upper-case) and leaves CUSTOM
// subclasses as typed.
func upperNames(names []string) []string {
	out := make([]string, len(names))
	custom := false
	for i, n := range names {
		if custom {
			out[i] = n
			continue
		}
		out[i] = strings.ToUpper(n)
		custom = out[i] == "CUSTOM"
	}
	return out
}

// watchResize calls f when the terminal is resized, until stop is called.
func watchResize(f func()) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				f()
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

// slashCommands are the shell's own commands, for completion.
var slashCommands = []string{"/bye", "/event", "/exit", "/filter", "/help", "/log", "/nixevent", "/noevents", "/nolog", "/quit", "/uuid"}

// sortedUnique sorts and dedupes in place.
func sortedUnique(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
