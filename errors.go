package esl

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Test for them with errors.Is; the concrete error usually
// carries more (see DisconnectError, CommandError, ArgumentError).
var (
	// ErrDisconnected reports that the connection ended before a command
	// was answered or a job completed. The error is a *DisconnectError
	// that says why.
	ErrDisconnected = errors.New("esl: disconnected")

	// ErrClosed reports use of a Client or Session after Close.
	ErrClosed = errors.New("esl: closed")

	// ErrInvalidArgument reports an argument refused before anything was
	// written: a CR or LF in a command line or header value (newline
	// injection), an empty name, or a value FreeSWITCH would misread.
	ErrInvalidArgument = errors.New("esl: invalid argument")

	// ErrAuthFailed reports that FreeSWITCH refused the password or the
	// userauth credentials ("-ERR invalid"). It is permanent: a reconnecting
	// Client stops when it sees it.
	ErrAuthFailed = errors.New("esl: authentication failed")

	// ErrAccessDenied reports that FreeSWITCH's ACL refused this address
	// (a text/rude-rejection greeting).
	ErrAccessDenied = errors.New("esl: access denied by FreeSWITCH ACL")

	// ErrNotFreeSWITCH reports a peer that does not speak the event socket
	// protocol (no auth/request greeting).
	ErrNotFreeSWITCH = errors.New("esl: peer is not a FreeSWITCH event socket")

	// ErrTimeout reports that a deadline passed while connecting,
	// authenticating or waiting for the peer.
	ErrTimeout = errors.New("esl: timeout")

	// ErrCommand matches every *CommandError.
	ErrCommand = errors.New("esl: command failed")
)

// CommandError is FreeSWITCH's refusal of a command: a command/reply whose
// Reply-Text starts with "-ERR", or an api/response (or job result) whose
// body starts with "-ERR" or "-USAGE". Nothing is lost: Reply holds the
// whole Reply-Text or body as FreeSWITCH sent it.
type CommandError struct {
	// Command is the command word and its first argument as sent, e.g.
	// "api originate" ("auth" alone for authentication: secrets never
	// appear in errors).
	Command string
	// Reply is the complete Reply-Text or response body.
	Reply string
}

// Error says which command failed and FreeSWITCH's reply.
func (e *CommandError) Error() string {
	return fmt.Sprintf("esl: %s: %s", e.Command, strings.TrimRight(e.Reply, "\n"))
}

// Is makes errors.Is(err, ErrCommand) true for every CommandError.
func (e *CommandError) Is(target error) bool { return target == ErrCommand }

// Usage reports whether FreeSWITCH answered with a usage text ("-USAGE: …"),
// i.e. the command exists but its arguments were wrong.
func (e *CommandError) Usage() bool { return strings.HasPrefix(e.Reply, "-USAGE") }

// Text returns the reply without its "-ERR " / "-USAGE: " prefix and
// trailing newline, e.g. "no_such_command Command not found!".
func (e *CommandError) Text() string {
	s := strings.TrimRight(e.Reply, "\n")
	for _, p := range []string{"-ERR ", "-ERR", "-USAGE: ", "-USAGE:", "-USAGE"} {
		if strings.HasPrefix(s, p) {
			return s[len(p):]
		}
	}
	return s
}

// ArgumentError is an argument refused before anything was written.
type ArgumentError struct {
	// What names the argument, e.g. "header X-Foo value" or "api command".
	What string
	// Reason says what is wrong with it, e.g. "contains a line feed".
	Reason string
}

// Error names the refused argument and why.
func (e *ArgumentError) Error() string {
	return "esl: invalid " + e.What + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidArgument) true.
func (e *ArgumentError) Is(target error) bool { return target == ErrInvalidArgument }

// DisconnectReason says how a connection ended.
type DisconnectReason int

// The ways a connection ends.
const (
	// ReasonClosed: this side closed it (Close, or a reconnecting Client
	// that was stopped).
	ReasonClosed DisconnectReason = iota + 1
	// ReasonNotice: FreeSWITCH sent a text/disconnect-notice (after exit,
	// a failed auth, the controlled channel hanging up, lost events,
	// shutdown). Linger notices do not end a connection.
	ReasonNotice
	// ReasonEOF: the peer closed the socket without a notice.
	ReasonEOF
	// ReasonReadError: reading failed (network error or malformed frame).
	ReasonReadError
	// ReasonWriteError: writing a command failed.
	ReasonWriteError
	// ReasonIdle: nothing arrived within the liveness limit.
	ReasonIdle
	// ReasonRejected: FreeSWITCH refused the peer (text/rude-rejection).
	ReasonRejected
)

// String returns a short lower-case description, as used in error texts.
func (r DisconnectReason) String() string {
	switch r {
	case ReasonClosed:
		return "closed"
	case ReasonNotice:
		return "disconnect notice"
	case ReasonEOF:
		return "end of stream"
	case ReasonReadError:
		return "read error"
	case ReasonWriteError:
		return "write error"
	case ReasonIdle:
		return "liveness limit exceeded"
	case ReasonRejected:
		return "rejected"
	}
	return fmt.Sprintf("DisconnectReason(%d)", int(r))
}

// DisconnectError says why a connection ended. errors.Is(err,
// ErrDisconnected) is true for it, and Unwrap exposes the cause (a network
// error, a *wire.FrameError, ErrClosed, …).
type DisconnectError struct {
	// Reason says how the connection ended.
	Reason DisconnectReason
	// Notice is the body of the disconnect notice (ReasonNotice), e.g.
	// "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n".
	Notice string
	// Disposition is the notice's Content-Disposition ("disconnect" on a
	// connection bound to a call, "" otherwise).
	Disposition string
	// Err is the underlying cause, if any.
	Err error
}

// Error says how the connection ended, with the notice text and the cause
// when there are any.
func (e *DisconnectError) Error() string {
	var b strings.Builder
	b.WriteString("esl: disconnected: ")
	b.WriteString(e.Reason.String())
	if e.Notice != "" {
		b.WriteString(": ")
		b.WriteString(strings.ReplaceAll(strings.TrimRight(e.Notice, "\n"), "\n", " "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrDisconnected) true.
func (e *DisconnectError) Is(target error) bool { return target == ErrDisconnected }

// Unwrap returns the underlying cause, so errors.Is/As reach it.
func (e *DisconnectError) Unwrap() error { return e.Err }

// argErr builds an *ArgumentError.
func argErr(what, reason string) error { return &ArgumentError{What: what, Reason: reason} }

// checkText refuses s when it holds a CR or LF: FreeSWITCH does not decode
// what it reads, so a line break would start a new header or command.
func checkText(what, s string) error {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return argErr(what, "contains a line feed")
		case '\r':
			return argErr(what, "contains a carriage return")
		}
	}
	return nil
}
