package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"time"
	_ "unsafe" // go:linkname

	"github.com/cgrates/fsock"
)

// fsock (github.com/cgrates/fsock) has no public decoder either: its
// connection goroutine reads frames with (*FSConn).readEvent and hands
// handlers the raw event text, which users parse with the exported
// FSEventStrToMap. The decode workload calls readEvent in-process on a
// reader over the capture (go:linkname) and FSEventStrToMap on each event,
// which is what a handler does to read a header. fsock only subscribes to
// plain events, so it has no json row.

//go:linkname fsockReadEvent github.com/cgrates/fsock.(*FSConn).readEvent
func fsockReadEvent(c *fsock.FSConn) (header, body string, err error)

var fsockLib = &Library{
	Name: "fsock",
	Decode: map[string]func([]byte, func(string)) error{
		"plain": fsockDecodePlain,
	},
	Ingest: fsockIngest,
	Dial:   fsockDial,
}

func fsockDecodePlain(stream []byte, on func(string)) error {
	c := &fsock.FSConn{}
	setUnexported(c, "rdr", bufio.NewReaderSize(bytes.NewReader(stream), 8192)) // fsock's size
	setUnexported(c, "conn", net.Conn(nopConn{}))
	setUnexported(c, "lgr", nopLogger{})
	for {
		hdr, body, err := fsockReadEvent(c)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if !strings.Contains(hdr, "text/event-plain") {
			continue
		}
		on(fsock.FSEventStrToMap(body, nil)["Event-Name"])
	}
}

// nopConn stands in for the socket fsock closes when its reader fails.
type nopConn struct{ net.Conn }

func (nopConn) Close() error { return nil }

// nopLogger satisfies fsock's logger interface and discards everything, as
// fsock's own default does.
type nopLogger struct{}

func (nopLogger) Alert(string) error   { return nil }
func (nopLogger) Close() error         { return nil }
func (nopLogger) Crit(string) error    { return nil }
func (nopLogger) Debug(string) error   { return nil }
func (nopLogger) Emerg(string) error   { return nil }
func (nopLogger) Err(string) error     { return nil }
func (nopLogger) Info(string) error    { return nil }
func (nopLogger) Notice(string) error  { return nil }
func (nopLogger) Warning(string) error { return nil }

// fsockConnect opens an FSock the documented way: no reconnects, no
// logger (fsock then discards logs), the given handlers; bgapi adds
// BACKGROUND_JOB to the subscription.
func fsockConnect(addr, password string, handlers map[string][]func(string, int), bgapi bool) (*fsock.FSock, error) {
	noDelay := func(time.Duration, time.Duration) func() time.Duration {
		return func() time.Duration { return 0 }
	}
	return fsock.NewFSock(addr, password, 0, 0, 10*time.Second, noDelay, handlers, nil, nil, 0, bgapi, nil)
}

// fsockIngest registers a handler for ALL; fsock subscribes "event plain
// all" and calls handlers on a new goroutine per event with the raw event
// text, which the handler parses with FSEventStrToMap to read a header.
// fsock routes BACKGROUND_JOB events to its bgapi table, never to handlers.
func fsockIngest(ctx context.Context, addr, password string, on func(string)) (io.Closer, error) {
	fs, err := fsockConnect(addr, password, map[string][]func(string, int){
		"ALL": {func(ev string, _ int) { on(fsock.FSEventStrToMap(ev, nil)["Event-Name"]) }},
	}, false)
	if err != nil {
		return nil, err
	}
	return closerFunc(fs.Disconnect), nil
}

// fsockConn runs api and bgapi commands over one FSock. fsock holds a
// mutex for each command's whole round trip, so concurrent callers take
// turns.
type fsockConn struct{ fs *fsock.FSock }

func fsockDial(ctx context.Context, addr, password string) (Conn, error) {
	// fsock needs at least one event name to subscribe to (an empty
	// "event plain" is refused by FreeSWITCH); bgapi=true adds
	// BACKGROUND_JOB for SendBgapiCmd.
	fs, err := fsockConnect(addr, password, map[string][]func(string, int){
		"BACKGROUND_JOB": {func(string, int) {}},
	}, true)
	if err != nil {
		return nil, err
	}
	return &fsockConn{fs}, nil
}

func (f *fsockConn) API(ctx context.Context, cmd string) (string, error) {
	return f.fs.SendApiCmd(cmd)
}

func (f *fsockConn) BgAPI(ctx context.Context, cmd string) (string, error) {
	out, err := f.fs.SendBgapiCmd(cmd)
	if err != nil {
		return "", err
	}
	select {
	case body := <-out:
		return body, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (f *fsockConn) Close() error { return f.fs.Disconnect() }
