package bench

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
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
