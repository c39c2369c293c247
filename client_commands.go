package esl

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// API runs an API command (`api <command>`) and returns its output
// exactly as FreeSWITCH printed it (often, not always, ending in a newline).
// An output starting with "-ERR" or "-USAGE" is returned together with a
// *CommandError holding the same text.
func (c *Client) API(ctx context.Context, cmd string) (string, error) {
	cmd = strings.TrimSpace(cmd)
	if cmd == "" {
		return "", argErr("api command", "is empty")
	}
	var rep reply
	_, ok, err := c.doInto(ctx, &command{line: "api " + cmd}, &rep)
	if !ok {
		return "", err
	}
	if rep.contentType == wire.TypeAPIResponse {
		return rep.body, err
	}
	return rep.text(), err // command/reply, e.g. "-ERR permission denied"
}

// eventCommand builds `event [format] NAME… [CUSTOM subclass…]` or
// `nixevent NAME… [CUSTOM subclass…]` (format ""). Subclasses go last,
// after CUSTOM, because FreeSWITCH reads every word after CUSTOM as a
// subclass.
func eventCommand(verb string, format EventFormat, names, subclasses []string) *command {
	var b strings.Builder
	b.WriteString(verb)
	if format != "" {
		b.WriteByte(' ')
		b.WriteString(string(format))
	}
	for _, n := range names {
		if n == "CUSTOM" && len(subclasses) > 0 {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(n)
	}
	if len(subclasses) > 0 {
		b.WriteString(" CUSTOM")
		for _, s := range subclasses {
			b.WriteByte(' ')
			b.WriteString(s)
		}
	}
	return &command{line: b.String()}
}

// checkEventNames validates event names against FreeSWITCH's table
// (case-insensitively, as the event command does) and returns them as
// FreeSWITCH spells them: FreeSWITCH silently ignores a name it does not
// know, so a typo would otherwise subscribe to nothing.
func checkEventNames(names []EventName) ([]string, error) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n == "" {
			return nil, argErr("event name", "is empty")
		}
		known, ok := ParseEventName(string(n))
		if !ok {
			return nil, argErr("event name "+strconv.Quote(string(n)), "is not a FreeSWITCH event")
		}
		out = append(out, string(known))
	}
	return out, nil
}

// checkSubclasses refuses empty subclasses and ones with white space (a
// space would split one subclass into two).
func checkSubclasses(subs []string) error {
	for _, s := range subs {
		if s == "" {
			return argErr("event subclass", "is empty")
		}
		if strings.ContainsAny(s, " \t\r\n") {
			return argErr("event subclass "+strconv.Quote(s), "contains white space")
		}
	}
	return nil
}

func validFormat(f EventFormat) bool {
	return f == FormatPlain || f == FormatJSON || f == FormatXML
}

// Subscribe asks FreeSWITCH for events by name (`event <format> NAME…`),
// in the client's event format. "ALL" means every event, "CUSTOM" the
// custom events without a subclass (use SubscribeCustom for subclasses).
// Subscriptions add up; they are restored after a reconnect.
func (c *Client) Subscribe(ctx context.Context, names ...EventName) error {
	return c.subscribe(ctx, names, nil)
}

// SubscribeCustom asks for CUSTOM events of these subclasses (exact,
// case-sensitive, e.g. "sofia::register").
func (c *Client) SubscribeCustom(ctx context.Context, subclasses ...string) error {
	return c.subscribe(ctx, nil, subclasses)
}

// subscriptionCommand validates and builds `event <format> …` (verb
// "event") or `nixevent …` (format ""): names checked against FreeSWITCH's
// table, subclasses without white space, at least one of them. It returns
// the names as FreeSWITCH spells them. Shared by Client and Session.
func subscriptionCommand(verb string, format EventFormat, events []EventName, subclasses []string) (*command, []string, error) {
	if verb == "event" && !validFormat(format) {
		return nil, nil, argErr("event format "+strconv.Quote(string(format)), "must be plain, json or xml")
	}
	names, err := checkEventNames(events)
	if err != nil {
		return nil, nil, err
	}
	if err := checkSubclasses(subclasses); err != nil {
		return nil, nil, err
	}
	if len(names) == 0 && len(subclasses) == 0 {
		return nil, nil, argErr("event names", "none given")
	}
	return eventCommand(verb, format, names, subclasses), names, nil
}

func (c *Client) subscribe(ctx context.Context, events []EventName, subclasses []string) error {
	cmd, names, err := subscriptionCommand("event", c.opt.format, events, subclasses)
	if err != nil {
		return err
	}
	return c.doRecord(ctx, cmd, func(st *desiredState) { st.subscribed(names, subclasses) })
}

// doRecord runs cmd and, when FreeSWITCH accepts it, applies record to the
// desired state that reconnects restore. It runs on the reader at the +OK
// (command.onOK), so the change takes effect exactly where the reply stands
// in the stream and is kept even if the caller stopped waiting.
func (c *Client) doRecord(ctx context.Context, cmd *command, record func(*desiredState)) error {
	cmd.onOK = func() {
		c.mu.Lock()
		record(&c.st)
		c.mu.Unlock()
	}
	_, _, err := c.do(ctx, cmd)
	return err
}

// Unsubscribe removes event names (`nixevent NAME…`). Removing one name
// while ALL is in force keeps every other event.
func (c *Client) Unsubscribe(ctx context.Context, names ...EventName) error {
	return c.unsubscribe(ctx, names, nil)
}

// UnsubscribeCustom removes CUSTOM subclasses (`nixevent CUSTOM sub…`).
func (c *Client) UnsubscribeCustom(ctx context.Context, subclasses ...string) error {
	return c.unsubscribe(ctx, nil, subclasses)
}

func (c *Client) unsubscribe(ctx context.Context, events []EventName, subclasses []string) error {
	cmd, names, err := subscriptionCommand("nixevent", "", events, subclasses)
	if err != nil {
		return err
	}
	_, cn, err := c.do(ctx, cmd)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.st.nixed(names, subclasses)
	c.keepJobSubscriptionLocked(cn)
	c.mu.Unlock()
	return nil
}

// NoEvents stops every event subscription (`noevents`); filters stay.
func (c *Client) NoEvents(ctx context.Context) error {
	_, cn, err := c.do(ctx, &command{line: "noevents"})
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.st.noEvents()
	c.bgSub = false
	c.keepJobSubscriptionLocked(cn)
	c.mu.Unlock()
	return nil
}

// keepJobSubscriptionLocked re-subscribes BACKGROUND_JOB after the user
// removed it while jobs are still running, so their results still come.
func (c *Client) keepJobSubscriptionLocked(cn *conn) {
	if c.cur != cn || c.st.wants("BACKGROUND_JOB") {
		return
	}
	c.bgSub = false
	if len(c.jobs) == 0 {
		return
	}
	if cn.send(eventCommand("event", c.opt.format, []string{"BACKGROUND_JOB"}, nil)) == nil {
		c.bgSub = true
	}
}

// MyEvents binds the connection to one call (`myevents <uuid>`): only that
// channel's events are delivered (23 channel event types are subscribed),
// and the connection ends when the channel does unless Linger is on. The
// client sends the format word too, so that FreeSWITCH refuses an unknown
// uuid ("-ERR invalid uuid") instead of subscribing to every channel.
func (c *Client) MyEvents(ctx context.Context, uuid string) error {
	if err := checkWord("uuid", uuid); err != nil {
		return err
	}
	return c.doRecord(ctx, &command{line: "myevents " + uuid + " " + string(c.opt.format)},
		func(st *desiredState) { st.myevents = uuid })
}

// checkWord refuses empty values and values with white space, for
// arguments FreeSWITCH reads as one word.
func checkWord(what, s string) error {
	if s == "" {
		return argErr(what, "is empty")
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return argErr(what, "contains white space")
	}
	return nil
}

// Filter adds an event filter (`filter <header> <value>`). Filters on any
// headers are OR-ed; a value starting with "-" vetoes; "/regex/" matches
// by regular expression (see FreeSWITCH's rules). Once any filter exists,
// only events passing one are delivered.
func (c *Client) Filter(ctx context.Context, header, value string) error {
	if err := checkFilterHeader(header); err != nil {
		return err
	}
	if value == "" {
		return argErr("filter value", "is empty")
	}
	if err := checkText("filter value", value); err != nil {
		return err
	}
	cn, err := c.conn()
	if err != nil {
		return err
	}
	// The first user filter would block running jobs' results: let them
	// through with a filter each, queued before the user's.
	c.mu.Lock()
	var added []*Job
	if len(c.st.filters) == 0 && c.cur == cn {
		for _, j := range c.jobs {
			if !j.filtered && cn.send(&command{line: "filter Job-UUID " + j.id}) == nil {
				j.filtered = true
				added = append(added, j)
			}
		}
	}
	c.mu.Unlock()
	rep, err := cn.roundTrip(ctx, &command{line: "filter " + header + " " + value})
	if err == nil {
		err = rep.err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if len(c.st.filters) == 0 {
			c.dropJobFiltersLocked(cn, added)
		}
		return err
	}
	c.st.filters = append(c.st.filters, filterRule{header, value})
	return nil
}

func checkFilterHeader(header string) error {
	if err := checkWord("filter header", header); err != nil {
		return err
	}
	switch strings.ToLower(header) {
	case "add", "delete", "all":
		return argErr("filter header "+strconv.Quote(header), "is a filter keyword")
	}
	return nil
}

// dropJobFiltersLocked removes the per-job filters of jobs (all filtered
// jobs when jobs is nil) once the user has no filter left.
func (c *Client) dropJobFiltersLocked(cn *conn, jobs []*Job) {
	if jobs == nil {
		for _, j := range c.jobs {
			jobs = append(jobs, j)
		}
	}
	for _, j := range jobs {
		if j.filtered {
			j.filtered = false
			if c.cur == cn {
				_ = cn.send(&command{line: "filter delete Job-UUID " + j.id})
			}
		}
	}
}

// FilterDelete removes the filters on header with exactly this value
// (`filter delete <header> <value>`).
func (c *Client) FilterDelete(ctx context.Context, header, value string) error {
	if err := checkFilterHeader(header); err != nil {
		return err
	}
	if value == "" {
		return argErr("filter value", "is empty")
	}
	if err := checkText("filter value", value); err != nil {
		return err
	}
	return c.filterDelete(ctx, "filter delete "+header+" "+value, func(s *desiredState) { s.deleteFilters(header, value, true) })
}

// FilterDeleteHeader removes every filter on header (`filter delete
// <header>`).
func (c *Client) FilterDeleteHeader(ctx context.Context, header string) error {
	if err := checkFilterHeader(header); err != nil {
		return err
	}
	return c.filterDelete(ctx, "filter delete "+header, func(s *desiredState) { s.deleteFilters(header, "", false) })
}

// FilterDeleteAll removes every filter (`filter delete all`).
func (c *Client) FilterDeleteAll(ctx context.Context) error {
	return c.filterDelete(ctx, "filter delete all", func(s *desiredState) { s.filters = nil })
}

func (c *Client) filterDelete(ctx context.Context, line string, apply func(*desiredState)) error {
	cn, err := c.conn()
	if err != nil {
		return err
	}
	// Predict the outcome so that, if the user's last filter goes, the
	// per-job filters are removed right behind it in the same batch (alone
	// they would block every other event).
	c.mu.Lock()
	after := c.st.clone()
	apply(&after)
	all := line == "filter delete all"
	c.mu.Unlock()
	rep, err := cn.roundTrip(ctx, &command{line: line})
	if err == nil {
		err = rep.err()
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	apply(&c.st)
	if len(c.st.filters) == 0 && len(after.filters) == 0 {
		if all {
			for _, j := range c.jobs {
				j.filtered = false // FreeSWITCH removed them too
			}
		} else {
			c.dropJobFiltersLocked(cn, nil)
		}
	}
	return nil
}

// DivertEvents turns divert_events on or off for the call bound by
// MyEvents: events FreeSWITCH would queue to the session (DTMF, events sent
// to its Unique-ID) come to this connection, bypassing subscriptions.
func (c *Client) DivertEvents(ctx context.Context, on bool) error {
	line, v := "divert_events off", int8(-1)
	if on {
		line, v = "divert_events on", 1
	}
	return c.doRecord(ctx, &command{line: line}, func(st *desiredState) { st.divert = v })
}

// SendEvent fires an event into FreeSWITCH (`sendevent <name>`) with the
// given headers in order and an optional body, and returns the Event-UUID
// FreeSWITCH gave it. For a custom event use name "CUSTOM" and an
// Event-Subclass header. With a Unique-ID header naming a live call the
// event is queued to that call instead of fired.
func (c *Client) SendEvent(ctx context.Context, name EventName, headers []Header, body string) (string, error) {
	line := "sendevent"
	if name != "" {
		n, err := checkEventNames([]EventName{name})
		if err != nil {
			return "", err
		}
		line += " " + n[0]
	}
	rep, _, err := c.do(ctx, &command{line: line, headers: headers, body: body})
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(strings.TrimPrefix(rep.text(), "+OK")), nil
}

// SendMsg sends a message to a call (`sendmsg <uuid>`): execute an
// application, hang up, unicast, nomedia. See ExecuteMsg, HangupMsg,
// UnicastMsg and NoMediaMsg.
func (c *Client) SendMsg(ctx context.Context, uuid string, msg *Msg) error {
	if err := checkWord("uuid", uuid); err != nil {
		return err
	}
	cmd, err := msg.command("sendmsg " + uuid)
	if err != nil {
		return err
	}
	_, _, err = c.do(ctx, cmd)
	return err
}

// Execute runs a dialplan application on a call (sendmsg execute) and
// returns the Event-UUID it was tagged with: the CHANNEL_EXECUTE and
// CHANNEL_EXECUTE_COMPLETE events carry it as Application-UUID (listen
// with ForApplicationUUID). One is generated unless ExecEventUUID gives it.
// The reply comes when the command is queued, not when the application
// ends.
func (c *Client) Execute(ctx context.Context, uuid, app, arg string, opts ...ExecOption) (string, error) {
	msg := ExecuteMsg(app, arg, opts...)
	id := msg.eventUUID
	if id == "" {
		id = newUUID()
		msg = ExecuteMsg(app, arg, append(opts, ExecEventUUID(id))...)
	}
	return id, c.SendMsg(ctx, uuid, msg)
}

// Hangup hangs up a call with a cause name such as "NORMAL_CLEARING" or
// "USER_BUSY" ("" for FreeSWITCH's default, NORMAL_CLEARING).
func (c *Client) Hangup(ctx context.Context, uuid, cause string) error {
	return c.SendMsg(ctx, uuid, HangupMsg(cause))
}

func logCommand(l LogLevel) *command {
	if l == LogDisable {
		return &command{line: "log disable"} // a negative number would mean 0
	}
	return &command{line: "log " + strconv.Itoa(int(l))}
}

// Log asks for FreeSWITCH's log lines up to level (`log <level>`); they
// arrive as KindLog messages. Restored after a reconnect.
func (c *Client) Log(ctx context.Context, level LogLevel) error {
	if level < LogDisable || level > LogDebug {
		return argErr("log level", strconv.Itoa(int(level))+" is not between -1 and 7")
	}
	return c.doRecord(ctx, logCommand(level), func(st *desiredState) { st.logLevel = &level })
}

// NoLog stops log lines (`nolog`).
func (c *Client) NoLog(ctx context.Context) error {
	return c.doRecord(ctx, &command{line: "nolog"}, func(st *desiredState) { st.logLevel = nil })
}

// Linger keeps the connection open for d after the call bound by MyEvents
// hangs up, so its last events arrive (a KindLinger message marks the
// hang-up). d <= 0 lingers until Exit or Close. d is rounded up to whole
// seconds.
func (c *Client) Linger(ctx context.Context, d time.Duration) error {
	line, secs := "linger", -1
	if d > 0 {
		secs = int((d + time.Second - 1) / time.Second)
		line = "linger " + strconv.Itoa(secs)
	}
	return c.doRecord(ctx, &command{line: line}, func(st *desiredState) { st.linger = secs })
}

// NoLinger turns lingering off (`nolinger`).
func (c *Client) NoLinger(ctx context.Context) error {
	return c.doRecord(ctx, &command{line: "nolinger"}, func(st *desiredState) { st.linger = 0 })
}

// Resume makes the bound call continue its dialplan when this connection
// ends (`resume`).
func (c *Client) Resume(ctx context.Context) error {
	_, _, err := c.do(ctx, &command{line: "resume"})
	return err
}

// Exit asks FreeSWITCH to end the connection (`exit`) and returns once it
// said "+OK bye". The client does not reconnect afterwards; subscriptions
// end after the final notice. Close the client to release it.
func (c *Client) Exit(ctx context.Context) error {
	c.exiting.Store(true)
	_, _, err := c.do(ctx, &command{line: "exit"})
	return err
}
