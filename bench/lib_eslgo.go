package bench

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/textproto"
	"reflect"
	"unsafe"

	"github.com/percipia/eslgo"
)

// eslgo (github.com/percipia/eslgo v1.5.0) has no public decoder: its
// connection goroutine reads frames with (*Conn).readResponse and parses
// text/event-plain bodies with readPlainEvent. The decode workload calls
// exactly those two functions, in-process, on a reader over the capture
// (go:linkname), so the row measures eslgo's own code. text/event-json is
// not parsed by eslgo v1.5.0 (readJSONEvent returns no headers), so it has
// no json row.

//go:linkname eslgoReadResponse github.com/percipia/eslgo.(*Conn).readResponse
func eslgoReadResponse(c *eslgo.Conn) (*eslgo.RawResponse, error)

//go:linkname eslgoReadPlainEvent github.com/percipia/eslgo.readPlainEvent
func eslgoReadPlainEvent(body []byte) (*eslgo.Event, error)

var eslgoLib = &Library{
	Name: "eslgo",
	Decode: map[string]func([]byte, func(string)) error{
		"plain": eslgoDecodePlain,
	},
}

func eslgoDecodePlain(stream []byte, on func(string)) error {
	br := bufio.NewReader(bytes.NewReader(stream)) // as eslgo's newConnection does
	c := &eslgo.Conn{}
	setUnexported(c, "reader", br)
	setUnexported(c, "header", textproto.NewReader(br))
	for {
		raw, err := eslgoReadResponse(c)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if raw.GetHeader("Content-Type") != eslgo.TypeEventPlain {
			continue
		}
		ev, err := eslgoReadPlainEvent(raw.Body)
		if err != nil {
			return err
		}
		on(ev.GetName())
	}
}

// setUnexported sets the unexported field name of the struct *p to v. Only
// the decode workload uses it, to give a peer's own frame reader a reader
// over memory instead of a socket.
func setUnexported(p any, name string, v any) {
	f := reflect.ValueOf(p).Elem().FieldByName(name)
	if !f.IsValid() {
		panic("bench: peer struct has no field " + name)
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(v))
}
