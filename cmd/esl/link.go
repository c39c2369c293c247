package main

import (
	"context"

	"github.com/eslkit/esl"
)

// link is what the CLI needs from a connection to FreeSWITCH. The inbound
// esl.Client provides it (link_client.go); keeping the CLI behind this
// narrow seam keeps each subcommand about the operator, not the protocol.
type link interface {
	// API runs an api command and returns its body. FreeSWITCH's -ERR
	// replies come back as errors that keep the text.
	API(ctx context.Context, cmd string) (string, error)
	// BgAPI starts a bgapi command and returns its Job-UUID; the result is
	// delivered later on Items as a jobDone item.
	BgAPI(ctx context.Context, cmd string) (string, error)
	// Event subscribes to names (FreeSWITCH's words: ALL, CUSTOM sub…).
	Event(ctx context.Context, names []string) error
	NixEvent(ctx context.Context, names []string) error
	NoEvents(ctx context.Context) error
	// Filter adds a server-side filter; FilterDelete removes one (value ""
	// removes every filter on header, header "all" every filter).
	Filter(ctx context.Context, header, value string) error
	FilterDelete(ctx context.Context, header, value string) error
	Log(ctx context.Context, level int) error
	NoLog(ctx context.Context) error
	// Items delivers events, log lines, job results and connection
	// notices in arrival order until the link is closed.
	Items() <-chan item
	Close() error
}

// item is one thing that arrived on a link.
type item struct {
	Event *esl.Event
	Log   *logLine
	Job   *jobDone
	// Notice is a connection change: "disconnected: …", "reconnected", or
	// a lost-events gap.
	Notice string
	// Lost is, for a gap notice, how many events were lost: whoever keeps
	// state built from events must reload it.
	Lost uint64
	// Down is set with a Notice when the link is gone for good.
	Down bool
}

// logLine is one FreeSWITCH log/data line.
type logLine struct {
	Level int
	UUID  string
	Text  string
}

// jobDone is a bgapi result.
type jobDone struct {
	JobUUID string
	Command string
	Body    string
	Err     error
}

// Notices a link delivers.
const (
	noticeReconnected = "reconnected"
)
