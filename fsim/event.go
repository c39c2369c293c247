package fsim

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// event is one fired event. Once fired it is immutable and shared by every
// listener that queued it (FreeSWITCH queues duplicates; sharing is the
// same thing without the copies). Serialisations are made at send time and
// cached per format, so ten subscribers pay for one encoding; refs counts
// the queues still holding the event, and the last one to write it hands
// the serialisations back to framePool (see frame.go).
type event struct {
	id       int
	subclass string
	headers  []wire.Header
	body     string
	hasBody  bool
	refs     atomic.Int32
	enc      [3]atomic.Pointer[frameBuf]
	// recycle marks an event nobody keeps once it is delivered (see
	// newRecycledEvent): the last release returns it to eventPool.
	recycle bool
}

// get returns the first value of header name (case-insensitive).
func (e *event) get(name string) string {
	for i := range e.headers {
		if wire.EqualFold(e.headers[i].Name, name) {
			return e.headers[i].Value
		}
	}
	return ""
}

func (e *event) lookup(name string) (string, bool) {
	for i := range e.headers {
		if wire.EqualFold(e.headers[i].Name, name) {
			return e.headers[i].Value, true
		}
	}
	return "", false
}

// add appends a header. Like switch_event_add_header, an empty value is not
// stored, and a value starting with ARRAY:: becomes an array header.
func (e *event) add(name, value string) {
	if value == "" {
		return
	}
	h := wire.Header{Name: name, Value: value}
	if len(value) > 7 && value[:7] == "ARRAY::" {
		if arr := splitArray(value[7:]); len(arr) > 1 {
			h.Array, h.Value = arr, arr[0]
		} else {
			h.Value = arr[0] // a single element has no ARRAY:: form
		}
	}
	e.headers = append(e.headers, h)
}

// set replaces the value of an existing header or appends it (the unique
// header behaviour of CHANNEL_DATA).
func (e *event) set(name, value string) {
	for i := range e.headers {
		if wire.EqualFold(e.headers[i].Name, name) {
			e.headers = append(e.headers[:i], e.headers[i+1:]...)
			break
		}
	}
	e.add(name, value)
}

func (e *event) setBody(b string) { e.body, e.hasBody = b, true }

func splitArray(v string) []string {
	var out []string
	for {
		i := -1
		for j := 0; j+1 < len(v); j++ {
			if v[j] == '|' && v[j+1] == ':' {
				i = j
				break
			}
		}
		if i < 0 {
			return append(out, v)
		}
		out = append(out, v[:i])
		v = v[i+2:]
	}
}

// scalar is the header's single-string form: ARRAY::a|:b for arrays.
func scalar(h *wire.Header) string {
	if len(h.Array) <= 1 {
		return h.Value
	}
	n := 7
	for _, v := range h.Array {
		n += len(v) + 2
	}
	b := make([]byte, 0, n)
	b = append(b, "ARRAY::"...)
	for i, v := range h.Array {
		if i > 0 {
			b = append(b, "|:"...)
		}
		b = append(b, v...)
	}
	return string(b)
}

// origin says where FreeSWITCH would have created an event (the
// Event-Calling-* headers).
type origin struct {
	file, fn string
	line     int
}

// newEvent creates an event with the standard headers of
// switch_event_prep_for_delivery, taking the next global sequence number
// (every created event consumes one, delivered or not).
func (s *Sim) newEvent(id int, subclass string, o origin) *event {
	return s.newEventCap(id, subclass, o, 16)
}

// newEventCap is newEvent with room for extra more headers, so that a
// channel event (often a hundred headers) is built without regrowing.
func (s *Sim) newEventCap(id int, subclass string, o origin, extra int) *event {
	e := &event{id: id, subclass: subclass, headers: make([]wire.Header, 0, 14+extra)}
	s.startEvent(e, o)
	return e
}

// startEvent puts the standard headers in a new event.
func (s *Sim) startEvent(e *event, o origin) {
	id, subclass := e.id, e.subclass
	if subclass != "" {
		e.headers = append(e.headers, wire.Header{Name: "Event-Subclass", Value: subclass})
	}
	s.stdHeaders(e, eventNames[id], o)
}

// stdHeaders appends the thirteen standard headers.
func (s *Sim) stdHeaders(e *event, name string, o origin) {
	s.stdHeadersAt(e, name, o, s.clock.Now(), s.seq.Add(1))
}

// stdHeadersAt is stdHeaders for an event created at now with sequence
// number seq (taken earlier: see runAPICounted).
func (s *Sim) stdHeadersAt(e *event, name string, o origin, now time.Time, seq uint64) {
	local, gmt := s.dates(now)
	// The three numbers share one string: one allocation instead of three.
	var b [64]byte
	nums := strconv.AppendInt(b[:0], now.UnixMicro(), 10)
	i := len(nums)
	nums = strconv.AppendInt(nums, int64(o.line), 10)
	j := len(nums)
	nums = strconv.AppendUint(nums, seq, 10)
	all := string(nums)
	ts, line, sq := all[:i], all[i:j], all[j:]
	e.headers = append(e.headers,
		wire.Header{Name: "Event-Name", Value: name},
		wire.Header{Name: "Core-UUID", Value: s.coreUUID},
		wire.Header{Name: "FreeSWITCH-Hostname", Value: s.opts.Hostname},
		wire.Header{Name: "FreeSWITCH-Switchname", Value: s.opts.Switchname},
		wire.Header{Name: "FreeSWITCH-IPv4", Value: s.opts.IPv4},
		wire.Header{Name: "FreeSWITCH-IPv6", Value: s.opts.IPv6},
		wire.Header{Name: "Event-Date-Local", Value: local},
		wire.Header{Name: "Event-Date-GMT", Value: gmt},
		wire.Header{Name: "Event-Date-Timestamp", Value: ts},
		wire.Header{Name: "Event-Calling-File", Value: o.file},
		wire.Header{Name: "Event-Calling-Function", Value: o.fn},
		wire.Header{Name: "Event-Calling-Line-Number", Value: line},
		wire.Header{Name: "Event-Sequence", Value: sq},
	)
}

// dateCache keeps the two date strings of the current second: formatting
// them for every event would cost more than the rest of the headers.
type dateCache struct {
	sec        int64
	local, gmt string
}

func (s *Sim) dates(now time.Time) (string, string) {
	sec := now.Unix()
	if d := s.dateC.Load(); d != nil && d.sec == sec {
		return d.local, d.gmt
	}
	d := &dateCache{sec: sec, local: now.In(s.loc).Format("2006-01-02 15:04:05"), gmt: now.UTC().Format(time.RFC1123)}
	s.dateC.Store(d)
	return d.local, d.gmt
}

// Formats of a listener.
const (
	fmtPlain = iota
	fmtJSON
	fmtXML
)

var formatNames = [...]string{"plain", "json", "xml"}

// appendJSONEvent is wire.AppendJSON plus one FreeSWITCH detail the codec
// does not model: an event whose body exists but is empty (a bgapi command
// that printed nothing) still ends with "Content-Length":"0","_body":"".
func appendJSONEvent(dst []byte, e *event) []byte {
	dst = wire.AppendJSON(dst, &wire.Event{Headers: e.headers, Body: e.body})
	if e.hasBody && e.body == "" {
		dst = dst[:len(dst)-1]
		if len(e.headers) > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"Content-Length":"0","_body":""}`...)
	}
	return dst
}
