package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/textproto"
	"reflect"
	"strings"
	"sync"
	"unsafe"

	"github.com/percipia/eslgo"
	"github.com/percipia/eslgo/command"
	"github.com/percipia/eslgo/command/call"
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
	Ingest: eslgoIngest,
	Dial:   eslgoDial,
	Serve:  eslgoServe,
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

// eslgoOptions are eslgo's defaults with its logger silenced (every library
// runs without logging).
func eslgoOptions(ctx context.Context, password string) eslgo.InboundOptions {
	o := eslgo.DefaultInboundOptions
	o.Context = ctx
	o.Logger = nil
	o.Password = password
	return o
}

// eslgoIngest subscribes the eslgo way: a listener for every event
// (EventListenAll), then EnableEvents ("event plain all"). eslgo calls each
// listener on a new goroutine per event.
func eslgoIngest(ctx context.Context, addr, password string, on func(string)) (io.Closer, error) {
	c, err := eslgoOptions(ctx, password).Dial(addr)
	if err != nil {
		return nil, err
	}
	c.RegisterEventListener(eslgo.EventListenAll, func(ev *eslgo.Event) { on(ev.GetName()) })
	if err := c.EnableEvents(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return closerFunc(func() error { c.Close(); return nil }), nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// eslgoConn runs api and bgapi commands over one eslgo connection.
type eslgoConn struct{ c *eslgo.Conn }

func eslgoDial(ctx context.Context, addr, password string) (Conn, error) {
	c, err := eslgoOptions(context.Background(), password).Dial(addr)
	if err != nil {
		return nil, err
	}
	// bgapi results arrive as BACKGROUND_JOB events.
	if _, err := c.SendCommand(ctx, command.Event{Format: "plain", Listen: []string{"BACKGROUND_JOB"}}); err != nil {
		c.Close()
		return nil, err
	}
	return &eslgoConn{c}, nil
}

// API: eslgo's SendCommand writes under a lock and then takes whichever
// reply reaches its shared reply channel first, so with concurrent callers
// a reply can go to the wrong caller (the workloads count that).
func (e *eslgoConn) API(ctx context.Context, cmd string) (string, error) {
	verb, arg, _ := strings.Cut(cmd, " ")
	r, err := e.c.SendCommand(ctx, command.API{Command: verb, Arguments: arg})
	if err != nil {
		return "", err
	}
	return string(r.Body), nil
}

// bgapiWithJobUUID is bgapi with a client-chosen Job-UUID. eslgo's
// command.API has no way to send one, and registering a listener after the
// reply races the BACKGROUND_JOB; its Command interface exists for exactly
// this ("implement this to send your own raw data").
type bgapiWithJobUUID struct{ cmd, job string }

func (b bgapiWithJobUUID) BuildMessage() string {
	return "bgapi " + b.cmd + "\r\nJob-UUID: " + b.job
}

// BgAPI registers a listener on the Job-UUID (eslgo dispatches events to
// listeners keyed by their Job-UUID header) before sending, then waits for
// the BACKGROUND_JOB.
func (e *eslgoConn) BgAPI(ctx context.Context, cmd string) (string, error) {
	job := newUUID()
	res := make(chan string, 1)
	id := e.c.RegisterEventListener(job, func(ev *eslgo.Event) {
		if ev.GetName() == "BACKGROUND_JOB" {
			select {
			case res <- string(ev.Body):
			default:
			}
		}
	})
	defer e.c.RemoveEventListener(job, id)
	r, err := e.c.SendCommand(ctx, bgapiWithJobUUID{cmd, job})
	if err != nil {
		return "", err
	}
	if !r.IsOk() {
		return "", errors.New(r.GetReply())
	}
	select {
	case body := <-res:
		return body, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Close closes without "exit" (the server keeps the socket open; see
// FakeFS), which is the order that avoids eslgo's close race.
func (e *eslgoConn) Close() error { e.c.Close(); return nil }

// eslgoServe runs eslgo's outbound server. Each call: eslgo sends connect
// and calls the handler, which subscribes (EnableEvents: myevents plain),
// registers a listener on a fresh application UUID (eslgo dispatches
// events to listeners keyed by Application-UUID), executes answer with that
// UUID and waits for its CHANNEL_EXECUTE_COMPLETE. After the handler
// returns eslgo waits its ConnectionDelay (25 ms by default) and sends exit.
// eslgo's ListenAndServe cannot be stopped: Close only ends the sessions
// (through the options' context); the listener lives until the process
// ends.
func eslgoServe(ctx context.Context, addr string, done func(error)) (io.Closer, error) {
	ctx, cancel := context.WithCancel(ctx)
	o := eslgo.DefaultOutboundOptions
	o.Context = ctx
	o.Logger = nil
	handler := func(ctx context.Context, c *eslgo.Conn, connect *eslgo.RawResponse) {
		done(eslgoAnswer(ctx, c, connect.ChannelUUID()))
	}
	go o.ListenAndServe(addr, handler)
	if err := waitListening(ctx, addr); err != nil {
		cancel()
		return nil, err
	}
	return closerFunc(func() error { cancel(); return nil }), nil
}

func eslgoAnswer(ctx context.Context, c *eslgo.Conn, uuid string) error {
	if err := c.EnableEvents(ctx); err != nil {
		return err
	}
	app := newUUID()
	complete := make(chan struct{})
	var once sync.Once
	id := c.RegisterEventListener(app, func(ev *eslgo.Event) {
		if ev.GetName() == "CHANNEL_EXECUTE_COMPLETE" {
			once.Do(func() { close(complete) })
		}
	})
	defer c.RemoveEventListener(app, id)
	r, err := c.SendCommand(ctx, &call.Execute{UUID: uuid, AppName: "answer", AppUUID: app})
	if err != nil {
		return err
	}
	if !r.IsOk() {
		return errors.New(r.GetReply())
	}
	select {
	case <-complete:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
