package esl

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"
)

// Job is a background API command started by Client.BgAPI or
// Session.BgAPI. Its result arrives with the BACKGROUND_JOB event carrying
// its Job-UUID.
type Job struct {
	id      string
	command string
	// forget unregisters the job when its waiter gives up (set by the
	// owner: the Client, or an outbound Session via newJob).
	forget   func(*Job)
	filtered bool // a `filter Job-UUID <id>` was added for it (under c.mu)

	once sync.Once
	done chan struct{}
	ev   *Event
	err  error
}

// ID returns the Job-UUID (generated on this side, not by FreeSWITCH).
func (j *Job) ID() string { return j.id }

// Done is closed when the result arrived or the job failed.
func (j *Job) Done() <-chan struct{} { return j.done }

// Event returns the BACKGROUND_JOB event once Done is closed (nil if the
// job failed).
func (j *Job) Event() *Event {
	select {
	case <-j.done:
		return j.ev
	default:
		return nil
	}
}

// Wait waits for the result and returns the command's output (the event
// body). An output starting with "-ERR" or "-USAGE" is also returned as a
// *CommandError; a lost connection as a *DisconnectError (ErrDisconnected).
// If ctx ends first the job is released: its result will be discarded.
func (j *Job) Wait(ctx context.Context) (string, error) {
	select {
	case <-j.done:
	case <-ctx.Done():
		j.release()
		return "", ctx.Err()
	}
	if j.err != nil {
		return "", j.err
	}
	body := j.ev.Body()
	if hasErrPrefix(body) {
		return body, &CommandError{Command: "bgapi " + j.command, Reply: body}
	}
	return body, nil
}

// newJob makes a job with a fresh Job-UUID for command; forget is called
// when its waiter gives up. Register it before writing the bgapi and
// complete it with finish.
func newJob(command string, forget func(*Job)) *Job {
	return &Job{id: newUUID(), command: firstWord(command), forget: forget, done: make(chan struct{})}
}

// release forgets the job: its BACKGROUND_JOB, if it comes, is not ours
// any more.
func (j *Job) release() {
	if j.forget != nil {
		j.forget(j)
	}
	j.finish(nil, context.Canceled)
}

// forgetJob is the Client's forget: it unregisters the job and removes
// its Job-UUID filter.
func (c *Client) forgetJob(j *Job) {
	c.mu.Lock()
	_, mine := c.jobs[j.id]
	delete(c.jobs, j.id)
	filtered := mine && j.filtered
	cn := c.cur
	c.mu.Unlock()
	if filtered && cn != nil {
		_ = cn.send(&command{line: "filter delete Job-UUID " + j.id})
	}
}

func (j *Job) finish(ev *Event, err error) {
	j.once.Do(func() {
		j.ev, j.err = ev, err
		close(j.done)
	})
}

// takeJobsLocked empties the job registry (connection lost or closed).
func (c *Client) takeJobsLocked() []*Job {
	out := make([]*Job, 0, len(c.jobs))
	for id, j := range c.jobs {
		out = append(out, j)
		delete(c.jobs, id)
	}
	return out
}

// BgAPI starts command in the background (`bgapi`) and returns its Job at
// once. The client generates the Job-UUID and registers the job before
// writing, subscribes the connection to BACKGROUND_JOB if the user has not
// (such events are then not shown to Listen subscribers), and when the
// user has event filters adds a filter for this one Job-UUID so that the
// result still passes (removed when it arrives). If ctx ends before
// FreeSWITCH acknowledged the command, the job is released.
func (c *Client) BgAPI(ctx context.Context, cmd string) (*Job, error) {
	cmd = strings.TrimSpace(cmd)
	if cmd == "" {
		return nil, argErr("bgapi command", "is empty")
	}
	if err := checkText("bgapi command", cmd); err != nil {
		return nil, err
	}
	cn, err := c.conn()
	if err != nil {
		return nil, err
	}
	j := newJob(cmd, c.forgetJob)

	c.mu.Lock()
	if c.cur != cn {
		c.mu.Unlock()
		return nil, &DisconnectError{Reason: ReasonEOF}
	}
	c.jobs[j.id] = j
	j.filtered = len(c.st.filters) > 0
	// The subscription is queued before the lock is released: another
	// caller that sees bgSub set writes its bgapi right away, and the wire
	// must carry the subscription first or that job's result is never sent.
	var sub *waiter
	if !c.bgSub && !c.st.wants("BACKGROUND_JOB") {
		subCmd := eventCommand("event", c.opt.format, []string{"BACKGROUND_JOB"}, nil)
		sub = newWaiter(subCmd)
		if err := cn.enqueue(subCmd, sub); err != nil {
			delete(c.jobs, j.id)
			c.mu.Unlock()
			return nil, err
		}
		c.bgSub = true
	}
	c.mu.Unlock()

	if sub != nil {
		var err error
		select {
		case res := <-sub.ch:
			err = res.err
			if err == nil {
				err = res.rep.err()
			}
		case <-ctx.Done():
			sub.abandoned.Store(true)
			err = ctx.Err()
		}
		if err != nil {
			c.mu.Lock()
			if c.cur == cn {
				c.bgSub = false
			}
			c.mu.Unlock()
			j.release()
			return nil, err
		}
	}
	if j.filtered {
		if err := cn.send(&command{line: "filter Job-UUID " + j.id}); err != nil {
			j.release()
			return nil, err
		}
	}
	rep, err := cn.roundTrip(ctx, &command{line: "bgapi " + cmd, headers: []Header{{Name: "Job-UUID", Value: j.id}}})
	if err == nil {
		err = rep.err()
	}
	if err != nil {
		j.release()
		return nil, err
	}
	return j, nil
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}

// newUUID returns a random (version 4) UUID in FreeSWITCH's lowercase
// form.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	var out [36]byte
	j := 0
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[x>>4], hex[x&15]
		j += 2
	}
	return string(out[:])
}
