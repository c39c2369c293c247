package esl

import (
	"context"
	"strings"
)

// forgetJob is the Session's forget for its jobs: it unregisters j, so a
// late BACKGROUND_JOB for it is handled like any other event.
func (s *Session) forgetJob(j *Job) {
	s.mu.Lock()
	delete(s.jobs, j.id)
	s.mu.Unlock()
}

// completeJob hands a BACKGROUND_JOB event to its job and reports whether
// the event should be hidden from Events (the user did not subscribe to
// BACKGROUND_JOB).
func (s *Session) completeJob(ev *Event) bool {
	id := ev.Get("Job-UUID")
	s.mu.Lock()
	j := s.jobs[id]
	delete(s.jobs, id)
	hide := j != nil && !s.bgUser
	s.mu.Unlock()
	if j != nil {
		j.finish(ev, nil)
	}
	return hide
}

// BgAPI starts an API command in the background (bgapi) and returns its
// job at once; Wait for its output. The session subscribes to
// BACKGROUND_JOB first if needed (FreeSWITCH marks the job with this
// channel as owner, so it passes myevents). Needs "full" (ErrNotFull
// otherwise).
func (s *Session) BgAPI(ctx context.Context, cmd string) (*Job, error) {
	cmd = strings.TrimSpace(cmd)
	if cmd == "" {
		return nil, argErr("bgapi command", "is empty")
	}
	if err := checkText("bgapi command", cmd); err != nil {
		return nil, err
	}
	s.mu.Lock()
	needSub, format := !s.bgSub, s.format
	s.mu.Unlock()
	if needSub {
		if _, err := s.do(ctx, eventCommand("event", format, []string{"BACKGROUND_JOB"}, nil), true); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.bgSub = true
		s.mu.Unlock()
	}
	j := newJob(cmd, s.forgetJob)
	s.mu.Lock()
	s.jobs[j.id] = j
	s.mu.Unlock()
	if _, err := s.do(ctx, &command{line: "bgapi " + cmd, headers: []Header{{Name: "Job-UUID", Value: j.id}}}, true); err != nil {
		s.forgetJob(j)
		j.finish(nil, err)
		return nil, err
	}
	return j, nil
}
