package esl

import (
	"strconv"
	"strings"
)

// Msg is the body of a sendmsg command: a call-command and its headers,
// in order, and an optional body. Build one with ExecuteMsg, HangupMsg,
// UnicastMsg or NoMediaMsg; both Client.SendMsg and outbound sessions send
// it.
type Msg struct {
	// Command is the call-command: "execute", "hangup", "unicast",
	// "nomedia" or "xferext" (FreeSWITCH compares it case-sensitively).
	Command string
	// Headers follow call-command in this order.
	Headers []Header
	// Body is sent with a Content-Length (for execute, the argument of
	// an application whose argument is long or spans lines).
	Body string

	eventUUID string
}

// command builds the sendmsg command with line ("sendmsg" or
// "sendmsg <uuid>").
func (m *Msg) command(line string) (*command, error) {
	if m == nil || m.Command == "" {
		return nil, argErr("sendmsg call-command", "is empty")
	}
	if err := checkWord("sendmsg call-command", m.Command); err != nil {
		return nil, err
	}
	hs := make([]Header, 0, len(m.Headers)+1)
	hs = append(hs, Header{Name: "call-command", Value: m.Command})
	hs = append(hs, m.Headers...)
	return &command{line: line, headers: hs, body: m.Body}, nil
}

// ExecOption configures ExecuteMsg.
type ExecOption func(*execConfig)

type execConfig struct {
	loops     int
	eventLock bool
	async     bool
	eventUUID string
	holdBleg  bool
	argBody   bool
}

// ExecLoops runs the application n times (-1: until the call ends).
func ExecLoops(n int) ExecOption { return func(c *execConfig) { c.loops = n } }

// ExecEventLock makes later queued messages wait until this application
// ends (event-lock: true), instead of starting inside it.
func ExecEventLock() ExecOption { return func(c *execConfig) { c.eventLock = true } }

// ExecAsync queues the message even on a synchronous outbound socket
// (async: true), so the reply does not wait for the application.
func ExecAsync() ExecOption { return func(c *execConfig) { c.async = true } }

// ExecEventUUID tags the execution: FreeSWITCH puts id in the
// Application-UUID header of CHANNEL_EXECUTE and CHANNEL_EXECUTE_COMPLETE.
func ExecEventUUID(id string) ExecOption { return func(c *execConfig) { c.eventUUID = id } }

// ExecHoldBleg plays hold music to the bridged partner while the
// application runs (hold-bleg: true).
func ExecHoldBleg() ExecOption { return func(c *execConfig) { c.holdBleg = true } }

// ExecArgInBody sends the argument as a text/plain body even when it
// would fit in a header.
func ExecArgInBody() ExecOption { return func(c *execConfig) { c.argBody = true } }

// maxArgHeader is the longest argument sent as a header; longer ones go in
// the body, as do arguments with line breaks (headers cannot carry them).
const maxArgHeader = 1024

// ExecuteMsg executes a dialplan application with an argument. An
// argument that is long or spans lines is sent as a text/plain body, which
// FreeSWITCH uses when execute-app-arg is absent.
func ExecuteMsg(app, arg string, opts ...ExecOption) *Msg {
	var cfg execConfig
	for _, o := range opts {
		o(&cfg)
	}
	m := &Msg{Command: "execute", eventUUID: cfg.eventUUID}
	m.Headers = append(m.Headers, Header{Name: "execute-app-name", Value: app})
	inBody := cfg.argBody && arg != "" || len(arg) > maxArgHeader || strings.ContainsAny(arg, "\r\n")
	if arg != "" && !inBody {
		m.Headers = append(m.Headers, Header{Name: "execute-app-arg", Value: arg})
	}
	if cfg.loops != 0 && cfg.loops != 1 {
		m.Headers = append(m.Headers, Header{Name: "loops", Value: strconv.Itoa(cfg.loops)})
	}
	if cfg.holdBleg {
		m.Headers = append(m.Headers, Header{Name: "hold-bleg", Value: "true"})
	}
	if cfg.eventLock {
		m.Headers = append(m.Headers, Header{Name: "event-lock", Value: "true"})
	}
	if cfg.async {
		m.Headers = append(m.Headers, Header{Name: "async", Value: "true"})
	}
	if cfg.eventUUID != "" {
		m.Headers = append(m.Headers, Header{Name: "Event-UUID", Value: cfg.eventUUID})
	}
	if inBody {
		m.Headers = append(m.Headers, Header{Name: "content-type", Value: "text/plain"})
		m.Body = arg
	}
	return m
}

// EventUUID returns the Event-UUID an ExecuteMsg was tagged with, or "".
func (m *Msg) EventUUID() string { return m.eventUUID }

// HangupMsg hangs the call up with a cause name ("USER_BUSY") or Q.850
// number; "" lets FreeSWITCH use NORMAL_CLEARING.
func HangupMsg(cause string) *Msg {
	m := &Msg{Command: "hangup"}
	if cause != "" {
		m.Headers = []Header{{Name: "hangup-cause", Value: cause}}
	}
	return m
}

// UnicastMsg streams the call's audio over UDP (or TCP) between the local
// and the remote address. Empty fields take FreeSWITCH's defaults
// (127.0.0.1:8025 local, 127.0.0.1:8026 remote, udp, native).
func UnicastMsg(localIP string, localPort int, remoteIP string, remotePort int, transport, flags string) *Msg {
	m := &Msg{Command: "unicast"}
	add := func(name, v string) {
		if v != "" && v != "0" {
			m.Headers = append(m.Headers, Header{Name: name, Value: v})
		}
	}
	add("local-ip", localIP)
	add("local-port", strconv.Itoa(localPort))
	add("remote-ip", remoteIP)
	add("remote-port", strconv.Itoa(remotePort))
	add("transport", transport)
	add("flags", flags)
	return m
}

// NoMediaMsg takes the call off the media path (nomedia-uuid).
func NoMediaMsg(uuid string) *Msg {
	return &Msg{Command: "nomedia", Headers: []Header{{Name: "nomedia-uuid", Value: uuid}}}
}
