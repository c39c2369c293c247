package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/eslkit/esl"
)

// execOnce is -x: one api command, its output on stdout, status 1 when
// FreeSWITCH answers -ERR (fs_cli exits 0 then, which scripts cannot use).
func execOnce(ctx context.Context, e *env, o *connOpts) int {
	l, err := o.dial(ctx, e, false)
	if err != nil {
		fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
		return 1
	}
	defer l.Close()
	actx := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	body, err := l.API(actx, strings.TrimPrefix(o.Exec, "api "))
	if err != nil {
		var ce *esl.CommandError
		if errors.As(err, &ce) {
			fmt.Fprintln(e.Stdout, strings.TrimRight(ce.Reply, "\n"))
			return 1
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			fmt.Fprintf(e.Stderr, "esl: %q: no reply within %v\n", o.Exec, o.Timeout)
			return 1
		}
		fmt.Fprintln(e.Stderr, "esl:", o.describe(err))
		return 1
	}
	fmt.Fprintln(e.Stdout, strings.TrimRight(body, "\n"))
	return 0
}
