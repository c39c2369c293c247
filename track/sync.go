package track

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/eslkit/esl"
)

// APIRunner runs a FreeSWITCH api command and returns its output. The esl
// Client satisfies it, and so can anything else (a test double, a pool).
type APIRunner interface {
	// API runs cmd ("show channels as json") and returns its output, or
	// an error when FreeSWITCH or the connection refused it.
	API(ctx context.Context, cmd string) (string, error)
}

// ErrBadSyncData is wrapped by Sync's error when FreeSWITCH's answer to
// "show channels as json" or "show calls as json" cannot be read.
var ErrBadSyncData = errors.New("track: unreadable show output")

// Sync loads the channels and calls that are up now from "show channels as
// json" and "show calls as json", for a late join or after events were
// lost. Tracked channels that FreeSWITCH no longer lists are removed
// (Cause CauseSync), listed ones are added or refreshed.
//
// Events keep flowing while Sync waits for the answers, and they are newer
// than the answers: a channel that had an event after Sync started is left
// as the events made it, and a channel destroyed meanwhile stays gone.
// FreeSWITCH fills its tables a little after the events, so Sync also keeps
// what it does not know better: a channel with an event in the last
// Options.SyncGrace is not removed for being absent from the table.
func (t *Tracker) Sync(ctx context.Context, src APIRunner) error {
	t.mu.RLock()
	start := t.gen
	t.mu.RUnlock()
	fresh := t.now().Add(-max(t.opts.SyncGrace, 0)) // events after this are too new for the table

	out, err := src.API(ctx, "show channels as json")
	if err != nil {
		return fmt.Errorf("track: sync: show channels: %w", err)
	}
	chans, err := parseRows(out)
	if err != nil {
		return fmt.Errorf("track: sync: show channels: %w", err)
	}
	out, err = src.API(ctx, "show calls as json")
	if err != nil {
		return fmt.Errorf("track: sync: show calls: %w", err)
	}
	calls, err := parseRows(out)
	if err != nil {
		return fmt.Errorf("track: sync: show calls: %w", err)
	}

	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	listed := make(map[string]bool, len(chans))
	for _, r := range chans {
		uuid := r["uuid"]
		if uuid == "" {
			continue
		}
		listed[uuid] = true
		if _, dead := t.gone[uuid]; dead {
			continue
		}
		c := t.chans[uuid]
		if c != nil && c.gen > start {
			continue
		}
		added := c == nil
		if added {
			c = &Channel{UniqueID: uuid, State: esl.CSNone}
			t.chans[uuid] = c
		}
		changed := t.fromRow(c, r)
		c.LastEvent = now
		if added {
			t.emitChannel(ChannelAdded, c, "", CauseSync)
		} else if changed {
			t.emitChannel(ChannelChanged, c, "", CauseSync)
		}
	}
	var stale []*Channel
	for uuid, c := range t.chans {
		if !listed[uuid] && c.gen <= start && (t.opts.SyncGrace < 0 || c.LastEvent.Before(fresh)) {
			stale = append(stale, c)
		}
	}
	for _, c := range stale {
		t.remove(c, now, CauseSync)
	}

	// Bridges: "show calls" lists each channel once, with its B leg when it
	// is the A leg of a bridge.
	bridged := make(map[string]bool)
	for _, r := range calls {
		a, b := r["uuid"], r["b_uuid"]
		if a == "" || b == "" || t.chans[a] == nil {
			continue
		}
		bridged[a] = true
		if call := t.calls[t.legCall[a]]; call != nil && call.Bridged && call.other(a) == b {
			continue
		}
		if t.chans[a].gen > start {
			continue
		}
		at := time.Time{}
		if s, err := strconv.ParseInt(r["call_created_epoch"], 10, 64); err == nil && s > 0 {
			at = time.Unix(s, 0)
		}
		t.bridge(a, b, at, CauseSync)
	}
	for _, call := range t.calls {
		if !call.Bridged || bridged[call.A] {
			continue
		}
		ca, cb := t.chans[call.A], t.chans[call.B]
		if (ca != nil && ca.gen > start) || (cb != nil && cb.gen > start) {
			continue
		}
		t.unbridge(call.A, call.A, time.Time{}, CauseSync)
	}
	t.stats.Syncs++
	return nil
}

// fromRow refreshes c from a row of "show channels": the columns of
// FreeSWITCH's channels table.
func (t *Tracker) fromRow(c *Channel, r map[string]string) bool {
	f := fields{
		chanName:   r["name"],
		direction:  r["direction"],
		state:      r["state"],
		callState:  r["callstate"],
		callerName: r["cid_name"],
		callerNum:  r["cid_num"],
		calleeName: r["callee_name"],
		calleeNum:  r["callee_num"],
		dest:       r["dest"],
		context:    r["context"],
	}
	if s, err := strconv.ParseInt(r["created_epoch"], 10, 64); err == nil && s > 0 && c.Created.IsZero() {
		c.Created = time.Unix(s, 0)
	}
	// The table has no answer state; the call state implies it.
	switch f.callState {
	case "ACTIVE", "HELD", "UNHELD", "RING_WAIT":
		f.answer = "answered"
	case "EARLY":
		f.answer = "early"
	}
	// A row is the channel's current state: let it set state and call
	// state as CHANNEL_STATE/CHANNEL_CALLSTATE would.
	f.event = esl.EventChannelState
	ch := t.update(c, &f)
	f.event = esl.EventChannelCallState
	if t.update(c, &f) {
		ch = true
	}
	if app := r["application"]; app != c.Application || r["application_data"] != c.ApplicationData {
		c.Application, c.ApplicationData, c.appUUID, ch = t.interned(app), r["application_data"], "", true
	}
	// The table has no park flag either. A channel running the park
	// application or sitting in CS_PARK is parked, so a late joiner can
	// tell from the row. Other applications park too (an outbound socket
	// in async mode runs "socket" parked), so the row never clears what
	// CHANNEL_PARK set; it clears only its own guess once the evidence is
	// gone.
	if c.Application == "park" || c.State == esl.CSPark {
		c.parkFromRow = true
		if !c.Parked {
			c.Parked, ch = true, true
		}
	} else if c.parkFromRow && c.Parked {
		c.Parked, c.parkFromRow, ch = false, false, true
	}
	return ch
}

// parseRows reads FreeSWITCH's "show ... as json" output:
// {"row_count":N,"rows":[{"column":"value",...},...]} (no "rows" when N is 0).
func parseRows(out string) ([]map[string]string, error) {
	s := strings.TrimSpace(out)
	if strings.HasPrefix(s, "-ERR") || strings.HasPrefix(s, "-USAGE") {
		return nil, fmt.Errorf("%w: %s", ErrBadSyncData, s)
	}
	// FreeSWITCH prints every column as a string: decode straight into
	// strings, and only fall back to per-value decoding for other values.
	var fast struct {
		RowCount int                 `json:"row_count"`
		Rows     []map[string]string `json:"rows"`
	}
	if err := json.Unmarshal([]byte(s), &fast); err == nil {
		if len(fast.Rows) != fast.RowCount {
			return nil, fmt.Errorf("%w: row_count %d but %d rows", ErrBadSyncData, fast.RowCount, len(fast.Rows))
		}
		return fast.Rows, nil
	}
	var doc struct {
		RowCount int                          `json:"row_count"`
		Rows     []map[string]json.RawMessage `json:"rows"`
	}
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSyncData, err)
	}
	if len(doc.Rows) != doc.RowCount {
		return nil, fmt.Errorf("%w: row_count %d but %d rows", ErrBadSyncData, doc.RowCount, len(doc.Rows))
	}
	rows := make([]map[string]string, len(doc.Rows))
	for i, raw := range doc.Rows {
		m := make(map[string]string, len(raw))
		for k, v := range raw {
			var str string
			if err := json.Unmarshal(v, &str); err != nil {
				// Numbers and nulls: keep their text ("null" as "").
				if str = string(v); str == "null" {
					str = ""
				}
			}
			m[k] = str
		}
		rows[i] = m
	}
	return rows, nil
}
