package esl

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestEventAccessors(t *testing.T) {
	ev := NewEvent([]Header{
		{Name: "Event-Subclass", Value: "example::test"},
		{Name: "Event-Name", Value: "CUSTOM"},
		{Name: "Unique-ID", Value: "u-1"},
		{Name: "unique-id", Value: "u-2"},
		{Name: "Job-UUID", Value: "j-1"},
		{Name: "Event-Sequence", Value: "5140"},
		{Name: "Event-Date-Timestamp", Value: "1736936430123456"},
		{Name: "variable_foo", Value: "bar"},
		{Name: "X-Multi", Value: "a", Array: []string{"a", "b c"}},
		{Name: "x-multi", Value: "d"},
		{Name: "Empty", Array: []string{}},
	}, "body\n")
	if ev.Get("UNIQUE-ID") != "u-1" || ev.UniqueID() != "u-1" || ev.JobUUID() != "j-1" || ev.Subclass() != "example::test" {
		t.Errorf("Get: %q %q %q", ev.UniqueID(), ev.JobUUID(), ev.Subclass())
	}
	if v, ok := ev.Lookup("missing"); ok || v != "" {
		t.Error("Lookup of a missing header")
	}
	if ev.Var("foo") != "bar" || ev.Var("FOO") != "bar" || ev.Var("fo") != "" || ev.Var("") != "" {
		t.Errorf("Var %q", ev.Var("foo"))
	}
	if ev.Sequence() != 5140 {
		t.Errorf("Sequence %d", ev.Sequence())
	}
	if want := time.UnixMicro(1736936430123456); !ev.Time().Equal(want) {
		t.Errorf("Time %v", ev.Time())
	}
	if got := ev.Values("X-MULTI"); !slices.Equal(got, []string{"a", "b c", "d"}) {
		t.Errorf("Values %q", got)
	}
	if got := ev.Values("unique-id"); !slices.Equal(got, []string{"u-1", "u-2"}) {
		t.Errorf("Values %q", got)
	}
	if ev.Len() != 11 || ev.Body() != "body\n" {
		t.Errorf("Len %d Body %q", ev.Len(), ev.Body())
	}
	var names []string
	for h := range ev.Headers() {
		names = append(names, h.Name)
		if h.Name == "Empty" && (h.Array == nil || len(h.Array) != 0) {
			t.Errorf("empty array header came back as %#v", h.Array)
		}
		if h.Name == "X-Multi" && !slices.Equal(h.Array, []string{"a", "b c"}) {
			t.Errorf("array header %#v", h)
		}
	}
	if names[0] != "Event-Subclass" || names[10] != "Empty" || len(names) != 11 {
		t.Errorf("order %q", names)
	}
	for range ev.Headers() {
		break // stopping early must not panic
	}
	empty := NewEvent(nil, "")
	if empty.Len() != 0 || empty.Get("x") != "" || !empty.Time().IsZero() || empty.Sequence() != 0 || empty.Body() != "" {
		t.Error("empty event")
	}
}

// NewEvent copies: changing the caller's slice later changes nothing.
func TestNewEventCopies(t *testing.T) {
	hs := []Header{{Name: "A", Value: "1"}}
	ev := NewEvent(hs, "")
	hs[0].Value = "2"
	if ev.Get("A") != "1" {
		t.Fatal("event aliases the caller's headers")
	}
	if !ev.Equal(NewEvent([]Header{{Name: "A", Value: "1"}}, "")) || ev.Equal(NewEvent(hs, "")) || ev.Equal(nil) {
		t.Fatal("Equal")
	}
}

func TestParseEventErrors(t *testing.T) {
	for _, c := range []struct {
		ct   string
		body string
		want error
	}{
		{ContentEventPlain, "no colon\n\n", ErrMalformedHeader},
		{ContentEventPlain, "A: 1\nContent-Length: 5\n\nab", ErrMalformedEvent},
		{ContentEventJSON, `{"a":`, ErrMalformedEvent},
		{ContentEventXML, `<event>`, ErrMalformedEvent},
		{ContentCommandReply, "", ErrUnknownFormat},
	} {
		_, err := ParseEvent(c.ct, []byte(c.body))
		var ee *EventError
		if !errors.As(err, &ee) || !errors.Is(err, c.want) || ee.ContentType != c.ct {
			t.Errorf("%s %q: %v", c.ct, c.body, err)
		}
	}
	var ev Event
	if err := ev.UnmarshalJSON([]byte(`[]`)); !errors.Is(err, ErrMalformedEvent) {
		t.Errorf("UnmarshalJSON: %v", err)
	}
}
