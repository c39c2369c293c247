package track

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eslkit/esl"
)

// fakeFS answers "show channels/calls as json" from rows, and can run a
// hook while answering (events keep arriving during a Sync).
type fakeFS struct {
	channels, calls []map[string]string
	during          func()
	err             error
	raw             string
}

func (f *fakeFS) API(_ context.Context, cmd string) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	if f.raw != "" {
		return f.raw, nil
	}
	if f.during != nil {
		f.during()
		f.during = nil
	}
	rows := f.channels
	if cmd == "show calls as json" {
		rows = f.calls
	} else if cmd != "show channels as json" {
		return "-ERR unknown\n", nil
	}
	doc := map[string]any{"row_count": len(rows)}
	if len(rows) > 0 {
		doc["rows"] = rows
	}
	b, _ := json.Marshal(doc)
	return string(b) + "\n", nil
}

func row(uuid, name, state, callstate string) map[string]string {
	return map[string]string{
		"uuid": uuid, "direction": "inbound", "created": "2026-11-25 22:22:08", "created_epoch": "1795645328",
		"name": name, "state": state, "cid_name": "Alice", "cid_num": "1000", "ip_addr": "", "dest": "5555",
		"application": "bridge", "application_data": "loopback/9999/default", "dialplan": "XML", "context": "default",
		"callstate": callstate, "callee_name": "", "callee_num": "", "call_uuid": uuid,
	}
}

// TestSyncInfersPark: "show channels" has no park flag, but a channel
// running park, or in CS_PARK, is parked; one that left park is not.
func TestSyncInfersPark(t *testing.T) {
	parkApp := row("p1", "loopback/8888-a", "CS_EXECUTE", "ACTIVE")
	parkApp["application"], parkApp["application_data"] = "park", ""
	parkState := row("p2", "sofia/internal/1000", "CS_PARK", "ACTIVE")
	parkState["application"], parkState["application_data"] = "", ""
	bridging := row("b1", "loopback/5555-b", "CS_EXECUTE", "ACTIVE")
	fs := &fakeFS{channels: []map[string]string{parkApp, parkState, bridging}}
	tr := New(Options{})
	if err := tr.Sync(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	for uuid, want := range map[string]bool{"p1": true, "p2": true, "b1": false} {
		if c, ok := tr.Channel(uuid); !ok || c.Parked != want {
			t.Errorf("%s: parked %v, want %v (%+v)", uuid, c.Parked, want, c)
		}
	}
	// The parked channel moves on to another application: no longer parked.
	parkApp["application"], parkApp["application_data"] = "playback", "tone_stream://%(100,0,440)"
	if err := tr.Sync(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	if c, _ := tr.Channel("p1"); c.Parked {
		t.Errorf("still parked after leaving park: %+v", c)
	}
	// An outbound socket in async mode is parked while it runs "socket":
	// a resync keeps what CHANNEL_PARK said.
	tr.Apply(mk("CHANNEL_PARK", "b1"))
	bridging["application"], bridging["application_data"] = "socket", "127.0.0.1:8084 async full"
	if err := tr.Sync(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	if c, _ := tr.Channel("b1"); !c.Parked {
		t.Errorf("resync cleared CHANNEL_PARK: %+v", c)
	}
}

func TestSyncLoadsChannelsAndCalls(t *testing.T) {
	tr := New(Options{})
	fs := &fakeFS{
		channels: []map[string]string{row("a", "loopback/5555-b", "CS_EXECUTE", "ACTIVE"), row("b", "loopback/9999-a", "CS_EXCHANGE_MEDIA", "ACTIVE"), row("c", "loopback/8888-a", "CS_EXECUTE", "EARLY")},
		calls:    []map[string]string{{"uuid": "a", "b_uuid": "b", "call_created_epoch": "1795645330"}, {"uuid": "c", "b_uuid": ""}},
	}
	if err := tr.Sync(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	a := mustChannel(t, tr, "a")
	if a.State != esl.CSExecute || a.CallState != esl.CallActive || a.AnswerState != esl.AnswerAnswered || a.CallerName != "Alice" || a.Application != "bridge" || a.Peer != "b" || a.Created.Unix() != 1795645328 {
		t.Fatalf("a = %+v", a)
	}
	if c := mustChannel(t, tr, "c"); c.AnswerState != esl.AnswerEarly || c.Peer != "" {
		t.Fatalf("c = %+v", c)
	}
	call, ok := tr.CallOf("b")
	if !ok || call.A != "a" || call.B != "b" || !call.Bridged || call.BridgedAt.Unix() != 1795645330 {
		t.Fatalf("call = %+v", call)
	}
	if n, m := tr.Len(); n != 3 || m != 1 {
		t.Fatalf("%d channels %d calls", n, m)
	}
}

func TestSyncKeepsWhatEventsSaidMeanwhile(t *testing.T) {
	clk := newClock()
	tr := New(Options{Now: clk.Now})
	f := tr.Subscribe(0)
	defer f.Close()
	tr.Apply(mk("CHANNEL_CREATE", "stale")) // gone from FreeSWITCH, destroy lost
	tr.Apply(mk("CHANNEL_CREATE", "z"))     // destroyed while Sync waits
	tr.Apply(mk("CHANNEL_CREATE", "b"))     // bridged, unbridge lost
	tr.Apply(mk("CHANNEL_CREATE", "a"))
	tr.Apply(bridgeEv("CHANNEL_BRIDGE", "a", "b"))
	tr.Apply(mk("CHANNEL_CREATE", "fresh")) // newer than FreeSWITCH's table
	clk.Advance(3 * time.Second)
	tr.Apply(mk("CHANNEL_CREATE", "fresh"))
	fs := &fakeFS{
		channels: []map[string]string{row("a", "A", "CS_EXECUTE", "ACTIVE"), row("b", "B", "CS_EXECUTE", "ACTIVE"), row("z", "Z", "CS_EXECUTE", "ACTIVE"), row("y", "Y", "CS_ROUTING", "RINGING")},
		during: func() {
			tr.Apply(mk("CHANNEL_CREATE", "new"))                             // not in the answer
			tr.Apply(mk("CHANNEL_DESTROY", "z"))                              // in the answer
			tr.Apply(mk("CHANNEL_STATE", "y", "Channel-State", "CS_EXECUTE")) // newer than the row
		},
	}
	drain(f)
	if err := tr.Sync(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"a", "b", "new", "y", "fresh"} {
		mustChannel(t, tr, u)
	}
	for _, u := range []string{"stale", "z"} {
		if _, ok := tr.Channel(u); ok {
			t.Errorf("%s still tracked", u)
		}
	}
	if y := mustChannel(t, tr, "y"); y.State != esl.CSExecute {
		t.Errorf("y state %v: the older row overwrote a newer event", y.State)
	}
	if c, _ := tr.CallOf("a"); c.Bridged {
		t.Errorf("call still bridged though show calls lists no bridge: %+v", c)
	}
	var syncRemoved []string
	for _, c := range drain(f) {
		if c.Kind == ChannelRemoved && c.Cause == CauseSync {
			syncRemoved = append(syncRemoved, c.Channel.UniqueID)
		}
	}
	if len(syncRemoved) != 1 || syncRemoved[0] != "stale" {
		t.Errorf("removed by sync: %v", syncRemoved)
	}
	if st := tr.Stats(); st.Syncs != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSyncErrors(t *testing.T) {
	tr := New(Options{})
	tr.Apply(mk("CHANNEL_CREATE", "a"))
	boom := errors.New("boom")
	for _, tc := range []struct {
		fs   *fakeFS
		want error
	}{
		{&fakeFS{err: boom}, boom},
		{&fakeFS{raw: "-ERR no such command\n"}, ErrBadSyncData},
		{&fakeFS{raw: "{\"row_count\": 2, \"rows\": []}"}, ErrBadSyncData},
		{&fakeFS{raw: "<html>"}, ErrBadSyncData},
	} {
		if err := tr.Sync(context.Background(), tc.fs); !errors.Is(err, tc.want) {
			t.Errorf("Sync = %v, want %v", err, tc.want)
		}
	}
	if _, ok := tr.Channel("a"); !ok {
		t.Fatal("a failed Sync lost a channel")
	}
}

func TestParseRowsEmpty(t *testing.T) {
	// FreeSWITCH's real answers with no channels: the api capture ran
	// status, version, uptime, global_getvar, show channels, then
	// "show channels as json" and "show calls as json".
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "freeswitch", "api", "server.bin"))
	if err != nil {
		t.Fatal(err)
	}
	d := esl.NewDecoder(bytes.NewReader(raw))
	var bodies []string
	for {
		f, err := d.Next()
		if err != nil {
			break
		}
		if f.ContentType == "api/response" {
			bodies = append(bodies, string(f.Body))
		}
	}
	if len(bodies) < 7 {
		t.Fatalf("%d api responses", len(bodies))
	}
	for _, b := range bodies[5:7] {
		rows, err := parseRows(b)
		if err != nil || len(rows) != 0 {
			t.Fatalf("%q: %v %v", b, rows, err)
		}
	}
}

func TestParseRowsNonStringValues(t *testing.T) {
	rows, err := parseRows(`{"row_count": 1, "rows": [{"uuid": "a", "created_epoch": 1795645328, "presence_id": null}]}`)
	if err != nil || len(rows) != 1 || rows[0]["created_epoch"] != "1795645328" || rows[0]["presence_id"] != "" || rows[0]["uuid"] != "a" {
		t.Fatalf("%v %v", rows, err)
	}
}
