package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/internal/wire"
)

func init() {
	register(&command{Name: "decode", Summary: "decode a raw server→client ESL byte stream (FILE or stdin), one frame per line", Run: runDecode})
}

// runDecode prints every frame of a captured stream. A fault in the stream
// ends the output with the frames before it and the offset and reason on
// stderr, exit status 1.
func runDecode(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "esl decode", "usage: esl decode [--format json|text] [FILE]   (stdin when FILE is absent or -)")
	format := fs.String("format", "json", "json (events as FreeSWITCH's JSON event object, other frames as their headers plus _body) or text")
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if *format != "json" && *format != "text" {
		fmt.Fprintf(e.Stderr, "esl decode: unknown format %q (json or text)\n", *format)
		return 2
	}
	if len(pos) > 1 {
		fs.Usage()
		return 2
	}
	in, name := e.Stdin, "stdin"
	if len(pos) == 1 && pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			fmt.Fprintln(e.Stderr, "esl decode:", err)
			return 1
		}
		defer f.Close()
		in, name = f, pos[0]
	}
	// A blocked read cannot see ctx; closing the file unblocks it when the
	// user interrupts (stdin from a pipe or terminal, or a FIFO).
	if c, ok := in.(io.Closer); ok {
		stop := context.AfterFunc(ctx, func() { c.Close() })
		defer stop()
	}
	out := bufio.NewWriterSize(e.Stdout, 64<<10)
	d := esl.NewDecoder(in)
	var line []byte
	for ctx.Err() == nil {
		f, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out.Flush()
			if ctx.Err() != nil {
				return 130
			}
			fmt.Fprintf(e.Stderr, "esl decode: %s: %s\n", name, faultText(err))
			return 1
		}
		line = line[:0]
		if *format == "json" {
			line = appendFrameJSON(line, f)
		} else {
			line = appendFrameText(line, f)
		}
		if _, err := out.Write(line); err != nil {
			fmt.Fprintln(e.Stderr, "esl decode:", err)
			return 1
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintln(e.Stderr, "esl decode:", err)
		return 1
	}
	if ctx.Err() != nil {
		return 130 // interrupted
	}
	return 0
}

// faultText says where the stream broke and why.
func faultText(err error) string {
	var fe *esl.FrameError
	var ee *esl.EventError
	switch {
	case errors.As(err, &fe):
		return fmt.Sprintf("byte %d: reading %s: %v", fe.Offset, fe.Reading, fe.Err)
	case errors.As(err, &ee):
		return fmt.Sprintf("byte %d: decoding %s event: %v", ee.Offset, ee.ContentType, ee.Err)
	}
	return err.Error()
}

// appendFrameJSON renders an event as FreeSWITCH's JSON event object and
// any other frame as an object of its headers, in order, plus "_body".
func appendFrameJSON(dst []byte, f *esl.Frame) []byte {
	if f.Event != nil {
		dst = f.Event.AppendJSON(dst)
		return append(dst, '\n')
	}
	dst = append(dst, '{')
	for i, h := range f.Headers {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = wire.AppendJSONString(dst, h.Name)
		dst = append(dst, ':')
		dst = wire.AppendJSONString(dst, h.Value)
	}
	if f.Body != nil {
		if len(f.Headers) > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"_body":`...)
		dst = wire.AppendJSONString(dst, string(f.Body))
	}
	return append(dst, '}', '\n')
}

// appendFrameText renders a readable block: events as "esl events" shows
// them (with channel variables), other frames as their content type, their
// headers and their body, indented.
func appendFrameText(dst []byte, f *esl.Frame) []byte {
	var b strings.Builder
	if f.Event != nil {
		writeEventText(&b, f.Event, false, true)
	} else {
		ct := f.ContentType
		if ct == "" {
			ct = "(no Content-Type)"
		}
		fmt.Fprintf(&b, "%s\n", ct)
		for _, h := range f.Headers {
			if h.Name == "Content-Type" {
				continue
			}
			fmt.Fprintf(&b, "  %s: %s\n", h.Name, strings.ReplaceAll(h.Value, "\n", `\n`))
		}
		if len(f.Body) > 0 {
			b.WriteString("  ---\n")
			for l := range strings.SplitSeq(strings.TrimRight(string(f.Body), "\n"), "\n") {
				b.WriteString("  " + l + "\n")
			}
		}
	}
	b.WriteByte('\n')
	return append(dst, b.String()...)
}
