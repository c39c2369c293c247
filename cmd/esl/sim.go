package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/eslkit/esl/fsim"
)

func init() {
	register(&command{Name: "sim", Summary: "run the FreeSWITCH simulator (fsim) standalone: any ESL client or fs_cli can connect", Run: runSim})
}

// runSim serves fsim until interrupted.
func runSim(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "esl sim", "usage: esl sim [--listen 127.0.0.1:8021] [--password ClueCon] [--dialplan FILE] [--socket-addr HOST:PORT]"+
		"\n\nDialplan file format:\n  # comment\n  context default\n  extension 9999          (or a regular expression: extension ^1\\d{3}$)\n    answer\n    playback tone_stream://%(1000,0,440);loops=3\n    hangup NORMAL_CLEARING")
	listen := fs.String("listen", "127.0.0.1:8021", "inbound event socket address")
	password := fs.String("password", "ClueCon", "password for auth")
	dialplan := fs.String("dialplan", "", "dialplan FILE (default: the built-in 9999/8888/5555/7777/7778)")
	socketAddr := fs.String("socket-addr", "", "send every socket application to this host:port instead of the dialplan's")
	verbose := fs.Bool("v", false, "log connections and errors to stderr")
	rest, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(e.Stderr, "esl sim: unexpected argument %q\n", rest[0])
		return 2
	}
	opts := fsim.Options{Addr: *listen, Password: *password, SocketAddr: *socketAddr}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if *dialplan != "" {
		f, err := os.Open(*dialplan)
		if err != nil {
			fmt.Fprintf(e.Stderr, "esl sim: %v\n", err)
			return 1
		}
		dp, err := fsim.ParseDialplan(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(e.Stderr, "esl sim: %s: %v\n", *dialplan, err)
			return 1
		}
		opts.Dialplan = dp
	}
	sim := fsim.New(opts)
	if err := sim.Start(); err != nil {
		fmt.Fprintf(e.Stderr, "esl sim: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.Stdout, "fsim listening on %s (password %s); Ctrl-C stops it\n", sim.Addr(), sim.Password())
	<-ctx.Done()
	// Close is bounded: it forces down whatever does not end in time and
	// says so.
	if err := sim.Close(); err != nil {
		fmt.Fprintf(e.Stderr, "esl sim: %v\n", err)
		return 1
	}
	return 0
}
