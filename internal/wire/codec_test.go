package wire

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// The CUSTOM event produced by sendevent in esl-protocol.md §3.3/§3.4: an
// array header, characters that must be percent-encoded, the echoed
// Content-Length and a body.
const docCustomPlain = "Event-Subclass: example%3A%3Atest\n" +
	"Command: sendevent%20CUSTOM\n" +
	"X-Multi: ARRAY%3A%3Aa%7C%3Ab%20c\n" +
	"X-Text: 50%25%20off%20%26%20more%3A%20%3Cyes%3E\n" +
	"Content-Length: 6\n" +
	"Event-UUID: 1e2d3c4b-5a69-4788-9a0b-c1d2e3f40516\n" +
	"Event-Name: CUSTOM\n" +
	"Core-UUID: 6f1bd5d2-3c8f-4b0a-9f1e-2a7c4d9e8b10\n" +
	"FreeSWITCH-Hostname: fs1\n" +
	"FreeSWITCH-Switchname: fs1\n" +
	"FreeSWITCH-IPv4: 192.0.2.10\n" +
	"FreeSWITCH-IPv6: %3A%3A1\n" +
	"Event-Date-Local: 2025-01-15%2010%3A20%3A30\n" +
	"Event-Date-GMT: Wed,%2015%20Jan%202025%2010%3A20%3A30%20GMT\n" +
	"Event-Date-Timestamp: 1736936430123456\n" +
	"Event-Calling-File: mod_event_socket.c\n" +
	"Event-Calling-Function: parse_command\n" +
	"Event-Calling-Line-Number: 2283\n" +
	"Event-Sequence: 5140\n" +
	"Content-Length: 6\n" +
	"\n" +
	"hello\n"

const docCustomJSON = `{"Event-Subclass":"example::test","Command":"sendevent CUSTOM","X-Multi":["a","b c"],"X-Text":"50% off & more: <yes>","Content-Length":"6","Event-UUID":"1e2d3c4b-5a69-4788-9a0b-c1d2e3f40516","Event-Name":"CUSTOM","Core-UUID":"6f1bd5d2-3c8f-4b0a-9f1e-2a7c4d9e8b10","FreeSWITCH-Hostname":"fs1","FreeSWITCH-Switchname":"fs1","FreeSWITCH-IPv4":"192.0.2.10","FreeSWITCH-IPv6":"::1","Event-Date-Local":"2025-01-15 10:20:30","Event-Date-GMT":"Wed, 15 Jan 2025 10:20:30 GMT","Event-Date-Timestamp":"1736936430123456","Event-Calling-File":"mod_event_socket.c","Event-Calling-Function":"parse_command","Event-Calling-Line-Number":"2283","Event-Sequence":"5140","Content-Length":"6","_body":"hello\n"}`

func equalEvents(a, b *Event) bool {
	if len(a.Headers) != len(b.Headers) || a.Body != b.Body {
		return false
	}
	for i := range a.Headers {
		x, y := a.Headers[i], b.Headers[i]
		if x.Name != y.Name || x.Value != y.Value || (x.Array == nil) != (y.Array == nil) || strings.Join(x.Array, "\x00") != strings.Join(y.Array, "\x00") {
			return false
		}
	}
	return true
}

func TestDocCustomEvent(t *testing.T) {
	ev, err := DecodePlain([]byte(docCustomPlain))
	if err != nil {
		t.Fatal(err)
	}
	if len(docCustomPlain) != 680 { // the outer Content-Length in the doc
		t.Fatalf("fixture is %d bytes", len(docCustomPlain))
	}
	if ev.Body != "hello\n" || len(ev.Headers) != 19 {
		t.Fatalf("body %q, %d headers", ev.Body, len(ev.Headers))
	}
	x := ev.Headers[2]
	if x.Name != "X-Multi" || x.Value != "a" || strings.Join(x.Array, ",") != "a,b c" {
		t.Errorf("array header %+v", x)
	}
	if got := ev.Headers.Get("X-Text"); got != "50% off & more: <yes>" {
		t.Errorf("X-Text %q", got)
	}
	if got := AppendPlain(nil, ev); string(got) != docCustomPlain {
		t.Errorf("plain:\n%s", got)
	}
	js := AppendJSON(nil, ev)
	if string(js) != docCustomJSON {
		t.Errorf("json:\n%s", js)
	}
	if len(js) != 690 { // the doc's frame Content-Length
		t.Errorf("json is %d bytes", len(js))
	}
	fromJSON, err := DecodeJSON(js)
	if err != nil || !equalEvents(fromJSON, ev) {
		t.Errorf("json round trip: %v\n%+v", err, fromJSON)
	}
	xml := AppendXML(nil, ev)
	for _, want := range []string{"    <X-Multi>a</X-Multi>\n    <X-Multi>b%20c</X-Multi>\n",
		"  </headers>\n  <Content-Length>6</Content-Length>\n  <body>hello\n  </body>\n</event>\n"} {
		if !bytes.Contains(xml, []byte(want)) {
			t.Errorf("xml lacks %q:\n%s", want, xml)
		}
	}
	fromXML, err := DecodeXML(xml)
	if err != nil || !equalEvents(fromXML, ev) {
		t.Errorf("xml round trip: %v\n%+v", err, fromXML)
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"plain-._~!$'()*,/":            "plain-._~!$'()*,/",
		"50% off":                      "50%25%20off",
		"100%AB":                       "100%AB", // already encoded: passed through
		"100%ab":                       "100%25ab",
		"100%A":                        "100%25A",
		"%":                            "%25",
		"a b\r\n#&+:;<=>?@[\\]^`{|}\"": "a%20b%0D%0A%23%26%2B%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E%60%7B%7C%7D%22",
		"\x00\x1f\x7f":                 "%00%1F%7F",
		"é你":                           "%C3%A9%E4%BD%A0",
	} {
		if got := string(PercentEncode(nil, in)); got != want {
			t.Errorf("PercentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPercentDecode(t *testing.T) {
	for in, want := range map[string]string{
		"a%20b":   "a b",
		"a+b":     "a+b", // '+' is not a space
		"%2bOK":   "+OK",
		"%zz%":    "%zz%",
		"%4":      "%4",
		"x%C3%A9": "xé",
		"":        "",
	} {
		if got := string(PercentDecode(nil, []byte(in))); got != want {
			t.Errorf("PercentDecode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlainBodyMarker(t *testing.T) {
	cases := []struct {
		in      string
		headers int
		body    string
		err     error
	}{
		{"A: 1\nContent-Length: 3\n\nabc", 1, "abc", nil},
		{"A: 1\r\nContent-Length: 3\r\n\r\nabc", 1, "abc", nil},
		{"A: 1\nContent-Length: 0\n\n", 2, "", nil},   // a real header: FreeSWITCH writes no marker for ""
		{"A: 1\nContent-Length: x\n\n", 2, "", nil},   // not a number and nothing follows: a header
		{"Content-Length: 2\nA: 1\n\nab", 2, "", nil}, // not last: a header
		{"A: 1\nContent-Length: 9\n\nabc", 0, "", ErrMalformedEvent},
		{"A: 1\nContent-Length: -1\n\nabc", 0, "", ErrBadContentLength},
		{"A: 1\nno colon\n\n", 0, "", ErrMalformedHeader},
		{":x\n\n", 0, "", ErrMalformedHeader},
		{"", 0, "", nil},
		{"A:\n\n", 1, "", nil},
	}
	for _, c := range cases {
		ev, err := DecodePlain([]byte(c.in))
		if !errors.Is(err, c.err) {
			t.Errorf("%q: error %v, want %v", c.in, err, c.err)
			continue
		}
		if err == nil && (len(ev.Headers) != c.headers || ev.Body != c.body) {
			t.Errorf("%q: %d headers, body %q", c.in, len(ev.Headers), ev.Body)
		}
	}
}

func TestJSONStrings(t *testing.T) {
	ev := &Event{Headers: Headers{
		{Name: "ctl", Value: "q\"b\\s/\b\f\n\r\t\x01\x1f"},
		{Name: "utf8", Value: "héllo 你好 ✓"},
		{Name: "arr", Value: "x", Array: []string{"x", "y\"z"}},
	}, Body: "line\n"}
	got := string(AppendJSON(nil, ev))
	want := `{"ctl":"q\"b\\s/\b\f\n\r\t\u0001\u001f","utf8":"héllo 你好 ✓","arr":["x","y\"z"],"Content-Length":"5","_body":"line\n"}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	back, err := DecodeJSON([]byte(got))
	if err != nil || !equalEvents(back, ev) {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	if got := string(AppendJSON(nil, &Event{})); got != "{}" {
		t.Errorf("empty event: %s", got)
	}
}

func TestJSONDecode(t *testing.T) {
	ev, err := DecodeJSON([]byte(` { "a" : "\u00e9\ud83d\ude00\ud800x" , "n":12.5,"t":true,"z":null,"e":[],"a":["1"],` +
		`"Content-Length":"1","Content-Length":"3","_body":"a\/b"} `))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a=é😀\uFFFDx", "n=12.5", "t=true", "z=", "e=", "a=1", "Content-Length=1"}
	if len(ev.Headers) != len(want) {
		t.Fatalf("headers %+v", ev.Headers)
	}
	for i, h := range ev.Headers {
		if h.Name+"="+h.Value != want[i] {
			t.Errorf("header %d: %s=%s, want %s", i, h.Name, h.Value, want[i])
		}
	}
	if ev.Body != "a/b" || ev.Headers[4].Array == nil || len(ev.Headers[4].Array) != 0 || len(ev.Headers[5].Array) != 1 {
		t.Errorf("body %q, arrays %#v %#v", ev.Body, ev.Headers[4].Array, ev.Headers[5].Array)
	}
	for _, bad := range []string{``, `[]`, `{`, `{"a"}`, `{"a":}`, `{"a":"b",}`, `{"a":"b"}x`, `{"a":{}}`,
		`{"a":[1]}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":nul}`, `{"a":"b"`, `{"_body":1}`, `{"a":tru}`, `{"a":.5}`} {
		if _, err := DecodeJSON([]byte(bad)); !errors.Is(err, ErrMalformedEvent) {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}

func TestXMLBodyEscaping(t *testing.T) {
	for body, want := range map[string]string{
		"a&b<c>d\"e\tf\r\n": "a&amp;b&lt;c&gt;d\"e\tf&#xD;\n  ",
		"é你😀":               "&#xE9;&#x4F60;&#x1F600;",
		"x\x80y":            "xy",                // a stray continuation byte is dropped
		"\xc3(":             "",                  // a broken sequence drops the lead and the next byte
		"\xc3\n\xa9":        "\n&#xE9;",          // LF is written even inside a sequence
		"a<b<!-- & -->&":    "a&lt;b<!-- & -->&", // verbatim from the first "<!"
	} {
		got := AppendXML(nil, &Event{Body: body})
		wantDoc := "<event>\n  <headers></headers>\n  <Content-Length>" + strconv.Itoa(len(body)) + "</Content-Length>\n  <body>" + want + "</body>\n</event>\n"
		if string(got) != wantDoc {
			t.Errorf("body %q:\n%s\nwant\n%s", body, got, wantDoc)
		}
	}
	// Valid text round-trips.
	for _, body := range []string{"a&b<c>d\"e\tf\r\n", "é你😀\n", "a<b<!-- & -->&x"} {
		ev, err := DecodeXML(AppendXML(nil, &Event{Headers: Headers{{Name: "A", Value: "1 & 2"}}, Body: body}))
		if err != nil || ev.Body != body || ev.Headers.Get("A") != "1 & 2" {
			t.Errorf("%q: %v %+v", body, err, ev)
		}
	}
}

func TestXMLDecode(t *testing.T) {
	in := "<?xml version=\"1.0\"?>\n<event>\n  <headers>\n    <A>x%20y</A>\n    <B>1</B>\n    <B>2</B>\n" +
		"    <C>&amp;&#x41;&#66;&bogus;</C>\n    <D/>\n  </headers>\n  <Content-Length>3</Content-Length>\n  <body>a\n  </body>\n</event>\n"
	ev, err := DecodeXML([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Headers) != 4 || ev.Headers[0].Value != "x y" || strings.Join(ev.Headers[1].Array, ",") != "1,2" ||
		ev.Headers[2].Value != "&AB&bogus;" || ev.Headers[3].Value != "" || ev.Body != "a\n" {
		t.Fatalf("%+v body %q", ev.Headers, ev.Body)
	}
	for _, bad := range []string{"", "<event>", "<event><headers></headers>", "<events></events>",
		"<event><headers><A>1</B></headers></event>", "<event><headers><A>1</headers></event>",
		"<event><headers></headers><body>x</event>", "<event><headers></headers></event>junk",
		"<event><headers><>1</></headers></event>"} {
		if _, err := DecodeXML([]byte(bad)); !errors.Is(err, ErrMalformedEvent) {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}

func TestDecodeUnknownFormat(t *testing.T) {
	if _, err := Decode("text/plain", []byte("x")); !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("error %v", err)
	}
}

// FreeSWITCH writes "Content-Length":"0","_body":"" for an event whose body
// is present but empty; that survives a JSON round trip byte for byte, and
// the other formats drop it as FreeSWITCH does.
func TestJSONEmptyBody(t *testing.T) {
	in := `{"Event-Name":"BACKGROUND_JOB","Content-Length":"0","_body":""}`
	ev, err := DecodeJSON([]byte(in))
	if err != nil || !ev.HasBody || ev.Body != "" || len(ev.Headers) != 1 {
		t.Fatalf("%v %+v", err, ev)
	}
	if got := string(AppendJSON(nil, ev)); got != in {
		t.Errorf("json %s", got)
	}
	if got := string(AppendPlain(nil, ev)); got != "Event-Name: BACKGROUND_JOB\n\n" {
		t.Errorf("plain %q", got)
	}
	if got := string(AppendXML(nil, ev)); strings.Contains(got, "body") {
		t.Errorf("xml %s", got)
	}
	var d EventDecoder
	var c Compact
	if err := d.DecodeCompact(&c, TypeEventJSON, []byte(in)); err != nil || !c.HasBody || string(AppendJSONCompact(nil, &c)) != in {
		t.Errorf("compact: %v %+v", err, c)
	}
	if ev, _ := DecodeJSON([]byte(`{"a":"b"}`)); ev.HasBody {
		t.Error("HasBody without _body")
	}
}
