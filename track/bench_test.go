package track

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/eslkit/esl"
)

// legTemplate returns the real events of call-plain's A leg up to its
// hangup: what a live, answered, parked channel has been through.
func legTemplate(tb testing.TB) []*esl.Event {
	evs := captureEvents(tb, "call-plain")
	var uuid string
	for _, ev := range evs {
		if ev.Get("Event-Name") == "CHANNEL_OUTGOING" {
			uuid = ev.UniqueID()
			break
		}
	}
	var out []*esl.Event
	for _, ev := range evs {
		if ev.Get("Event-Name") == "CHANNEL_HANGUP" && ev.UniqueID() == uuid {
			break
		}
		if ev.UniqueID() == uuid {
			out = append(out, ev)
		}
	}
	return out
}

// relabel returns ev as FreeSWITCH would send it for channel n: the uuid
// replaced, encoded as text/event-plain and decoded again through the
// library's decoder, so the tracker gets the same memory layout as from a
// real connection (one buffer per event).
func relabel(tb testing.TB, ev *esl.Event, old string, n int) *esl.Event {
	id := strconv.Itoa(100_000_000 + n)[1:] // 8 digits
	uuid := old[:len(old)-len(id)] + id
	hs := make([]esl.Header, 0, ev.Len())
	for h := range ev.Headers() {
		if h.Value == old {
			h.Value = uuid
		}
		hs = append(hs, h)
	}
	out, err := esl.ParseEvent("text/event-plain", esl.NewEvent(hs, ev.Body()).AppendPlain(nil))
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkLiveChannels builds a tracker holding 100,000 live channels,
// each fed the real event history of an answered, parked loopback leg, and
// reports the heap it keeps per channel.
func BenchmarkLiveChannels(b *testing.B) {
	const n = 100_000
	tmpl := legTemplate(b)
	old := tmpl[0].UniqueID()
	b.ReportAllocs()
	var perChannel float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		tr := New(Options{})
		for i := range n {
			for _, ev := range tmpl {
				tr.Apply(relabel(b, ev, old, i))
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if c, _ := tr.Len(); c != n {
			b.Fatalf("%d channels", c)
		}
		perChannel = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(tr)
	}
	b.ReportMetric(perChannel, "bytes/channel")
}

// BenchmarkApply replays the load capture (100 calls, 200 loopback legs,
// 4,899 events of every kind) and reports events applied per second.
func BenchmarkApply(b *testing.B) {
	benchApply(b, false)
}

// BenchmarkApplyWithFeed is BenchmarkApply with one change feed attached
// (its reader never reads, so it also measures dropping).
func BenchmarkApplyWithFeed(b *testing.B) {
	benchApply(b, true)
}

func benchApply(b *testing.B, feed bool) {
	evs := captureEvents(b, "load")
	b.ReportAllocs()
	var tr *Tracker
	i := len(evs)
	for b.Loop() {
		if i == len(evs) {
			// A fresh tracker per pass: the last pass buried these uuids.
			tr, i = New(Options{}), 0
			if feed {
				tr.Subscribe(1024)
			}
		}
		tr.Apply(evs[i])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkSnapshot100k copies a consistent snapshot of 100,000 channels.
func BenchmarkSnapshot100k(b *testing.B) {
	tmpl := legTemplate(b)
	old := tmpl[0].UniqueID()
	tr := New(Options{})
	for i := range 100_000 {
		for _, ev := range tmpl {
			tr.Apply(relabel(b, ev, old, i))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if s := tr.Snapshot(); len(s.Channels) != 100_000 {
			b.Fatal(len(s.Channels))
		}
	}
}
