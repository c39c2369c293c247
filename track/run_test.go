package track

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/eslkit/esl"
)

// chanSource is a MessageSource fed by the test.
type chanSource chan esl.Message

func (c chanSource) Next(ctx context.Context) (esl.Message, bool) {
	select {
	case m, ok := <-c:
		return m, ok
	case <-ctx.Done():
		return esl.Message{}, false
	}
}

// gatedFS answers each api command only when the test says what to answer.
type gatedFS struct {
	cmds chan string
	resp chan string
}

func (g *gatedFS) API(ctx context.Context, cmd string) (string, error) {
	select {
	case g.cmds <- cmd:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	select {
	case r := <-g.resp:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// answer serves one Sync: channels uuids, no bridges.
func (g *gatedFS) answer(t *testing.T, uuids ...string) {
	t.Helper()
	var rows []map[string]string
	for _, u := range uuids {
		rows = append(rows, row(u, "loopback/"+u, "CS_EXECUTE", "ACTIVE"))
	}
	doc := map[string]any{"row_count": len(rows)}
	if len(rows) > 0 {
		doc["rows"] = rows
	}
	b, _ := json.Marshal(doc)
	for _, want := range []string{"show channels as json", "show calls as json"} {
		if got := <-g.cmds; got != want {
			t.Fatalf("api %q, want %q", got, want)
		}
		if want == "show channels as json" {
			g.resp <- string(b)
		} else {
			g.resp <- `{"row_count": 0}`
		}
	}
}

// await reads the feed until want (kind, uuid, cause) shows up.
func await(t *testing.T, f *Feed, kind ChangeKind, uuid, cause string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		c, err := f.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for %v %s (%s): %v", kind, uuid, cause, err)
		}
		if c.Kind == kind && c.Channel.UniqueID == uuid && c.Cause == cause {
			return
		}
	}
}

func TestRunSyncsAtStartAfterReconnectAndGap(t *testing.T) {
	tr := New(Options{SyncGrace: -1})
	feed := tr.Subscribe(0)
	defer feed.Close()
	src := make(chanSource)
	fs := &gatedFS{cmds: make(chan string), resp: make(chan string)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- tr.Run(ctx, src, fs, 0) }()

	fs.answer(t, "x") // the initial Sync: a late join
	await(t, feed, ChannelAdded, "x", "sync")

	src <- esl.Message{Kind: esl.KindEvent, Event: mk("CHANNEL_CREATE", "a")}
	await(t, feed, ChannelAdded, "a", "CHANNEL_CREATE")

	src <- esl.Message{Kind: esl.KindDisconnected, Err: errors.New("gone")}
	src <- esl.Message{Kind: esl.KindReconnected}
	fs.answer(t, "a", "y") // x ended while we were away
	await(t, feed, ChannelRemoved, "x", "sync")
	if _, ok := tr.Channel("y"); !ok {
		t.Fatal("y not loaded at the resync")
	}

	src <- esl.Message{Kind: esl.KindGap, Lost: 3}
	fs.answer(t, "y")
	await(t, feed, ChannelRemoved, "a", "sync")

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	if st := tr.Stats(); st.Syncs != 3 {
		t.Fatalf("%d syncs, want 3", st.Syncs)
	}
}

func TestRunExpiresAndEndsWithItsSource(t *testing.T) {
	clk := newClock()
	tr := New(Options{Now: clk.Now, HangupTimeout: time.Minute})
	feed := tr.Subscribe(0)
	defer feed.Close()
	src := make(chanSource)
	done := make(chan error)
	go func() { done <- tr.Run(context.Background(), src, nil, time.Millisecond) }()

	src <- esl.Message{Kind: esl.KindEvent, Event: mk("CHANNEL_HANGUP", "a", "Answer-State", "hangup")}
	await(t, feed, ChannelAdded, "a", "CHANNEL_HANGUP")
	clk.Advance(2 * time.Minute)
	await(t, feed, ChannelRemoved, "a", "expire")

	close(src) // the subscription ended
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}
