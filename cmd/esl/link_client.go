package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/eslkit/esl"
)

// clientLink is the link over an inbound esl.Client.
type clientLink struct {
	c         *esl.Client
	sub       *esl.Subscription
	reconnect bool

	items  chan item
	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // the forwarder and job waiters: items closes after them
	once   sync.Once
}

// dial connects as the flags say. With -r it keeps trying for two minutes
// (fs_cli's habit) unless the failure is permanent; reconnectable says
// whether -R applies (long-running subcommands).
func (o *connOpts) dial(ctx context.Context, e *env, reconnectable bool) (link, error) {
	opts := []esl.Option{esl.WithDialTimeout(o.ConnectTimeout)}
	if o.User != "" {
		opts = append(opts, esl.WithUserAuth(o.User, o.Password))
	} else {
		opts = append(opts, esl.WithPassword(o.Password))
	}
	if o.Reconnect && reconnectable {
		opts = append(opts, esl.WithReconnect(200*time.Millisecond, 5*time.Second))
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c, err := esl.Dial(ctx, o.addr(), opts...)
		if err == nil {
			return newClientLink(c, o.Reconnect && reconnectable), nil
		}
		if !o.Retry || permanent(err) || ctx.Err() != nil || time.Now().After(deadline) {
			return nil, err
		}
		fmt.Fprintf(e.Stderr, "esl: %s; retrying\n", o.describe(err))
		t := time.NewTimer(time.Second)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, err
		}
	}
}

// permanent errors are not worth retrying: the answer will not change.
func permanent(err error) bool {
	return errors.Is(err, esl.ErrAuthFailed) || errors.Is(err, esl.ErrAccessDenied) || errors.Is(err, esl.ErrNotFreeSWITCH)
}

// newClientLink wraps a connected client as a link, forwarding its
// messages (events, logs, notices) to Items; reconnect says whether a lost
// connection is only a notice or the end of the link.
func newClientLink(c *esl.Client, reconnect bool) *clientLink {
	ctx, cancel := context.WithCancel(context.Background())
	l := &clientLink{c: c, sub: c.Listen(esl.WithLogs()), reconnect: reconnect, items: make(chan item, 64), ctx: ctx, cancel: cancel}
	// Start the subscription's channel here, before anyone can Close it:
	// C starts a delivery goroutine that Close waits for.
	msgs := l.sub.C()
	l.wg.Add(1)
	go l.forward(msgs)
	go func() {
		l.wg.Wait()
		close(l.items)
	}()
	return l
}

// forward turns the client's messages into items.
func (l *clientLink) forward(msgs <-chan esl.Message) {
	defer l.wg.Done()
	for m := range msgs {
		var it item
		switch m.Kind {
		case esl.KindEvent:
			it.Event = m.Event
		case esl.KindLog:
			it.Log = &logLine{Level: int(m.Log.Level), UUID: m.Log.UserData, Text: m.Log.Text}
		case esl.KindGap:
			it.Notice = fmt.Sprintf("%d events lost here (output too slow)", m.Lost)
			it.Lost = max(m.Lost, 1)
		case esl.KindDisconnected:
			if l.ctx.Err() != nil || errors.Is(m.Err, esl.ErrClosed) {
				continue
			}
			it.Notice = "connection lost: " + fmt.Sprint(m.Err)
			it.Down = !l.reconnect
			if l.reconnect {
				it.Notice += "; reconnecting"
			}
		case esl.KindReconnected:
			it.Notice = noticeReconnected
		default:
			continue
		}
		if !l.send(it) {
			return
		}
		if it.Down {
			return
		}
	}
}

func (l *clientLink) send(it item) bool {
	select {
	case l.items <- it:
		return true
	case <-l.ctx.Done():
		return false
	}
}

func (l *clientLink) API(ctx context.Context, cmd string) (string, error) {
	return l.c.API(ctx, cmd)
}

func (l *clientLink) BgAPI(ctx context.Context, cmd string) (string, error) {
	job, err := l.c.BgAPI(ctx, cmd)
	if err != nil {
		return "", err
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		body, err := job.Wait(l.ctx)
		if l.ctx.Err() != nil {
			return
		}
		l.send(item{Job: &jobDone{JobUUID: job.ID(), Command: cmd, Body: body, Err: err}})
	}()
	return job.ID(), nil
}

// splitCustom separates "CUSTOM sub1 sub2" from plain names, as FreeSWITCH
// reads every word after CUSTOM as a subclass.
func splitCustom(names []string) (plain, subclasses []string) {
	for i, n := range names {
		if n == "CUSTOM" {
			if rest := names[i+1:]; len(rest) > 0 {
				return plain, rest
			}
			return append(plain, n), nil
		}
		plain = append(plain, n)
	}
	return plain, nil
}

func (l *clientLink) Event(ctx context.Context, names []string) error {
	plain, subs := splitCustom(names)
	if len(plain) > 0 {
		if err := l.c.Subscribe(ctx, eventNamesOf(plain)...); err != nil {
			return err
		}
	}
	if len(subs) > 0 {
		return l.c.SubscribeCustom(ctx, subs...)
	}
	return nil
}

func (l *clientLink) NixEvent(ctx context.Context, names []string) error {
	plain, subs := splitCustom(names)
	if len(plain) > 0 {
		if err := l.c.Unsubscribe(ctx, eventNamesOf(plain)...); err != nil {
			return err
		}
	}
	if len(subs) > 0 {
		return l.c.UnsubscribeCustom(ctx, subs...)
	}
	return nil
}

// eventNamesOf types names; the client checks them.
func eventNamesOf(names []string) []esl.EventName {
	out := make([]esl.EventName, len(names))
	for i, n := range names {
		out[i] = esl.EventName(n)
	}
	return out
}

func (l *clientLink) NoEvents(ctx context.Context) error { return l.c.NoEvents(ctx) }

func (l *clientLink) Filter(ctx context.Context, header, value string) error {
	return l.c.Filter(ctx, header, value)
}

func (l *clientLink) FilterDelete(ctx context.Context, header, value string) error {
	switch {
	case header == "all" || header == "ALL":
		return l.c.FilterDeleteAll(ctx)
	case value == "":
		return l.c.FilterDeleteHeader(ctx, header)
	}
	return l.c.FilterDelete(ctx, header, value)
}

func (l *clientLink) Log(ctx context.Context, level int) error {
	return l.c.Log(ctx, esl.LogLevel(level))
}

func (l *clientLink) NoLog(ctx context.Context) error { return l.c.NoLog(ctx) }

func (l *clientLink) Items() <-chan item { return l.items }

// Close ends the connection; Items is closed once everything in flight
// stopped.
func (l *clientLink) Close() error {
	var err error
	l.once.Do(func() {
		l.cancel()
		err = l.c.Close()
		l.sub.Close()
	})
	return err
}

// eslErrorLine words the client's typed errors for an operator.
func eslErrorLine(o *connOpts, err error) (string, bool) {
	addr := o.addr()
	var ce *esl.CommandError
	var de *esl.DisconnectError
	switch {
	case errors.Is(err, esl.ErrAuthFailed):
		if o.User != "" {
			return fmt.Sprintf("%s: authentication failed: FreeSWITCH refused userauth for %s (wrong password, or no esl-password for that user)", addr, o.User), true
		}
		return fmt.Sprintf("%s: authentication failed: wrong password (-p, $ESL_PASSWORD or the profile)", addr), true
	case errors.Is(err, esl.ErrAccessDenied):
		return fmt.Sprintf("%s: access denied: FreeSWITCH's ACL (apply-inbound-acl) refuses this address", addr), true
	case errors.Is(err, esl.ErrNotFreeSWITCH):
		return fmt.Sprintf("%s: not a FreeSWITCH event socket (no auth/request greeting)", addr), true
	case errors.Is(err, esl.ErrTimeout):
		return fmt.Sprintf("%s: timed out (connect timeout %v; -T to change)", addr, o.ConnectTimeout), true
	case errors.As(err, &ce):
		return o.mask(ce.Text()), true
	case errors.As(err, &de):
		if de.Reason == esl.ReasonNotice && de.Notice != "" {
			return fmt.Sprintf("%s: FreeSWITCH closed the connection", addr), true
		}
		return fmt.Sprintf("%s: connection lost (%s)", addr, de.Reason), true
	}
	return "", false
}
