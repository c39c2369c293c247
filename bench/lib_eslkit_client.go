package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"

	esl "github.com/eslkit/esl"
)

func init() {
	eslkitLib.Ingest = eslkitIngest
	eslkitLib.Dial = eslkitDial
	eslkitLib.Serve = eslkitServe
}

// eslkitIngest: a Listen subscription (default buffer and Block policy)
// ranged over on one goroutine, then Subscribe(ALL). Events arrive in wire
// order on that goroutine.
func eslkitIngest(ctx context.Context, addr, password string, on func(string)) (io.Closer, error) {
	c, err := esl.Dial(ctx, addr, esl.WithPassword(password))
	if err != nil {
		return nil, err
	}
	sub := c.Listen()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range sub.Events() {
			on(ev.Get("Event-Name"))
		}
	}()
	if err := c.Subscribe(ctx, esl.EventAll); err != nil {
		c.Close()
		wg.Wait()
		return nil, err
	}
	return closerFunc(func() error {
		err := c.Close()
		wg.Wait()
		return err
	}), nil
}

type eslkitConn struct{ c *esl.Client }

func eslkitDial(ctx context.Context, addr, password string) (Conn, error) {
	c, err := esl.Dial(ctx, addr, esl.WithPassword(password))
	if err != nil {
		return nil, err
	}
	return eslkitConn{c}, nil
}

func (e eslkitConn) API(ctx context.Context, cmd string) (string, error) {
	return e.c.API(ctx, cmd)
}

// BgAPI: the client registers the job under its own Job-UUID and makes
// sure BACKGROUND_JOB is subscribed; Wait returns the job's output.
func (e eslkitConn) BgAPI(ctx context.Context, cmd string) (string, error) {
	j, err := e.c.BgAPI(ctx, cmd)
	if err != nil {
		return "", err
	}
	return j.Wait(ctx)
}

func (e eslkitConn) Close() error { return e.c.Close() }

// eslkitServe: an esl.Server (which sends connect and myevents) whose
// handler runs Session.Answer, i.e. Execute("answer"), which returns when
// the CHANNEL_EXECUTE_COMPLETE with its Event-UUID arrived.
func eslkitServe(ctx context.Context, addr string, done func(error)) (io.Closer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &esl.Server{Handler: esl.HandlerFunc(func(ctx context.Context, s *esl.Session) {
		done(s.Answer(ctx))
	})}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	return closerFunc(func() error {
		err := srv.Close()
		if serr := <-served; !errors.Is(serr, esl.ErrServerClosed) {
			return serr
		}
		return err
	}), nil
}
