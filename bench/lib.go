package bench

import (
	"context"
	"io"
)

// Library is one ESL library under test: what it can do, each through its
// normal API. A nil field means the library has no such capability.
type Library struct {
	Name string
	// Decode decodes a whole server→client stream in the given event format
	// ("plain", "json") from memory and calls on with every event's
	// Event-Name, read through the library's event accessor.
	Decode map[string]func(stream []byte, on func(name string)) error
	// Ingest dials addr, authenticates, subscribes to all plain events and
	// calls on (possibly from several goroutines) with the Event-Name of
	// every event the library delivers.
	Ingest func(ctx context.Context, addr, password string, on func(name string)) (io.Closer, error)
	// Dial opens an inbound connection for api and bgapi commands.
	Dial func(ctx context.Context, addr, password string) (Conn, error)
	// Serve starts an outbound server on addr (127.0.0.1:port). For every
	// call FreeSWITCH connects, the library sends connect, subscribes to
	// the call's events, executes "answer" and calls done once the
	// CHANNEL_EXECUTE_COMPLETE of that execute arrived (err != nil if not).
	Serve func(ctx context.Context, addr string, done func(err error)) (io.Closer, error)
}

// Conn is an inbound connection as each library exposes it.
type Conn interface {
	// API runs an api command and returns its body.
	API(ctx context.Context, cmd string) (string, error)
	// BgAPI runs a bgapi command and returns the body of its
	// BACKGROUND_JOB.
	BgAPI(ctx context.Context, cmd string) (string, error)
	Close() error
}

// Libraries lists the libraries under test, eslkit first.
var Libraries = []*Library{eslkitLib, eslgoLib, fsockLib}
