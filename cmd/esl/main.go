// Command esl is a shell, event stream, channel view, simulator and demo for
// FreeSWITCH's event socket. Run "esl help" for its subcommands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// env is what a subcommand may touch: its standard streams and environment,
// so tests can run subcommands in-process.
type env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// command is one subcommand. Each lives in its own file and registers itself
// from init, so adding one never touches this file.
type command struct {
	Name    string
	Summary string
	// Run executes the subcommand with the arguments after its name and
	// returns the process exit status.
	Run func(ctx context.Context, e *env, args []string) int
}

var commands = map[string]*command{}

// defaultCommand runs when no subcommand is named (the interactive shell,
// once it exists).
var defaultCommand string

func register(c *command) {
	if _, dup := commands[c.Name]; dup {
		panic("esl: duplicate subcommand " + c.Name)
	}
	commands[c.Name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand and returns the exit status.
func run(ctx context.Context, e *env, args []string) int {
	name := defaultCommand
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		if _, ok := commands[args[0]]; ok || !isProfile(e, args[0]) {
			name, args = args[0], args[1:]
		}
		// else fs_cli's "fs_cli PROFILE": the default command takes the
		// profile name as its first argument.
	}
	switch name {
	case "", "help", "-h", "--help":
		usage(e.Stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.Stderr, "esl: unknown command %q (run \"esl help\")\n", name)
		return 2
	}
	return c.Run(ctx, e, args)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: esl <command> [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
}

// isProfile reports whether name is a profile in the user's config file,
// so that "esl myprofile" connects with it as "fs_cli myprofile" does.
func isProfile(e *env, name string) bool {
	if defaultCommand == "" {
		return false
	}
	profs, _, err := loadProfiles(configPaths(e.Getenv))
	if err != nil {
		return false
	}
	_, ok := profs[name]
	return ok
}
