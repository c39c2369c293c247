package esl

import (
	"strconv"
	"strings"
)

// command is one request as it goes on the wire: a command line, headers
// in order, and an optional body (sent with a Content-Length header, which
// the encoder adds; callers never set it themselves).
type command struct {
	line    string
	headers []Header
	body    string
	// hasBody sends Content-Length even for an empty body.
	hasBody bool
	// secret marks a line that must never be logged or put in an error
	// (auth, userauth).
	secret bool
	// onOK runs on the reader goroutine when FreeSWITCH accepts the
	// command (a +OK command/reply), before its caller wakes and even if the
	// caller gave up. State that decides how later events are delivered
	// (subscriptions) must change exactly at the reply's place in the
	// stream: an event right behind the +OK is already subject to it.
	onOK func()
}

// validate refuses the command before anything is written: CR or LF in the
// line, a header name or a header value would let the text inject commands
// or headers, because FreeSWITCH takes command text literally.
func (c *command) validate() error {
	if c.line == "" || strings.TrimSpace(c.line) == "" {
		return argErr("command", "is empty")
	}
	if err := checkText("command line", c.line); err != nil {
		if c.secret {
			return argErr("credentials", "contain a line break")
		}
		return err
	}
	for _, h := range c.headers {
		if h.Name == "" {
			return argErr("header name", "is empty")
		}
		if err := checkText("header name "+strconv.Quote(h.Name), h.Name); err != nil {
			return argErr("header name", "contains a line break")
		}
		if strings.ContainsAny(h.Name, ": \t") {
			return argErr("header name "+strconv.Quote(h.Name), "contains a colon or white space")
		}
		if strings.EqualFold(h.Name, "Content-Length") {
			return argErr("header Content-Length", "is set from the body; do not send it")
		}
		if err := checkText("header "+h.Name+" value", h.Value); err != nil {
			return err
		}
	}
	return nil
}

// appendTo encodes the command: line, headers, Content-Length when there is
// a body, the blank line, then the body bytes (FreeSWITCH expects no
// terminator after them).
func (c *command) appendTo(b []byte) []byte {
	b = append(b, c.line...)
	b = append(b, '\n')
	for _, h := range c.headers {
		b = append(b, h.Name...)
		b = append(b, ": "...)
		b = append(b, h.Value...)
		b = append(b, '\n')
	}
	if c.hasBody || c.body != "" {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(c.body)), 10)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, c.body...)
	return b
}

// name returns what errors and logs may say about the command: the command
// word and, for api/bgapi, the API name, never credentials.
func (c *command) name() string {
	if c.secret {
		w, _, _ := strings.Cut(c.line, " ")
		return w
	}
	w, rest, _ := strings.Cut(c.line, " ")
	lw := strings.ToLower(w)
	if lw == "api" || lw == "bgapi" {
		a, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
		return w + " " + a
	}
	return c.line
}
