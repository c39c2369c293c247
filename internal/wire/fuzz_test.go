package wire

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// captureFrames returns frames from every capture, at most perScenario of
// each, as seeds.
func captureFrames(f *testing.F, perScenario int) []*Frame {
	f.Helper()
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "freeswitch", "*", "server.bin"))
	if len(dirs) == 0 {
		f.Fatal("no captures found")
	}
	var out []*Frame
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		r := NewReader(bytes.NewReader(b), Limits{})
		for n := 0; n < perScenario; n++ {
			fr, err := r.ReadFrame()
			if err != nil {
				break
			}
			out = append(out, fr.Clone())
		}
	}
	return out
}

func seedEvents(f *testing.F, contentType string) {
	n := 0
	for _, fr := range captureFrames(f, 40) {
		if fr.ContentType() == contentType {
			f.Add(fr.Body)
			n++
		}
	}
	if n == 0 {
		f.Fatalf("no %s seeds", contentType)
	}
}

func FuzzReadFrame(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "freeswitch", "*", "server.bin"))
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 700)])
	}
	f.Add([]byte("Content-Length: -1\n\n"))
	f.Add([]byte("Content-Type: x\n\n\n\nContent-Length: 3\r\n\r\nabc"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in), Limits{MaxHeaderBytes: 4096, MaxBodyBytes: 1 << 16})
		for {
			fr, err := r.ReadFrame()
			if err == io.EOF {
				if r.Offset() != int64(len(in)) {
					t.Fatalf("EOF at %d of %d", r.Offset(), len(in))
				}
				return
			}
			if err != nil {
				var fe *FrameError
				if !errors.As(err, &fe) || fe.Offset < 0 || fe.Offset > int64(len(in)) {
					t.Fatalf("untyped error %v", err)
				}
				if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrHeaderTooLarge) && !errors.Is(err, ErrBodyTooLarge) &&
					!errors.Is(err, ErrBadContentLength) && !errors.Is(err, ErrMalformedHeader) {
					t.Fatalf("unexpected cause %v", err)
				}
				if _, again := r.ReadFrame(); again != err {
					t.Fatal("error not sticky")
				}
				return
			}
			if len(fr.Headers) == 0 {
				t.Fatal("empty frame returned")
			}
			if cl, ok := fr.Headers.Lookup("Content-Length"); ok {
				if n, _ := ParseContentLength(cl); n != len(fr.Body) {
					t.Fatalf("body %d bytes, Content-Length %s", len(fr.Body), cl)
				}
			} else if fr.Body != nil {
				t.Fatal("body without Content-Length")
			}
			if IsEvent(fr.ContentType()) {
				_, _ = Decode(fr.ContentType(), fr.Body)
			}
		}
	})
}

// hasPassthrough reports whether s contains "%XX" with uppercase hex, which
// FreeSWITCH's encoder copies as is (so it decodes to something else).
func hasPassthrough(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '%' && isUpperHex(s[i+1]) && isUpperHex(s[i+2]) {
			return true
		}
	}
	return false
}

// plainSafe reports whether ev survives FreeSWITCH's plain encoding: no
// empty value (written as "_undef_"), no single-element array (written as a
// scalar), no value that looks already percent-encoded.
func plainSafe(ev *Event) bool {
	for _, h := range ev.Headers {
		if h.Array != nil && len(h.Array) < 2 {
			return false
		}
		for _, v := range h.Values() {
			if (v == "" && h.Array == nil) || hasPassthrough(v) {
				return false
			}
		}
		if strings.ContainsAny(h.Name, ":\n") || h.Name == "" || strings.HasSuffix(h.Name, "\r") {
			return false
		}
	}
	return true
}

// xmlSafe reports whether ev survives FreeSWITCH's XML encoding: element
// names that parse back, no adjacent repeated names (they read back as an
// array) and no single-value array (it reads back as a scalar), percent-safe values, a valid UTF-8 body that does not end in the
// indentation of </body>.
func xmlSafe(ev *Event) bool {
	for i, h := range ev.Headers {
		if h.Name == "" || strings.ContainsAny(h.Name, "<>/ \t\n\r&") || h.Array != nil && len(h.Array) < 2 {
			return false
		}
		if i > 0 && ev.Headers[i-1].Name == h.Name {
			return false
		}
		for _, v := range h.Values() {
			if hasPassthrough(v) {
				return false
			}
		}
	}
	return utf8.ValidString(ev.Body) && !strings.HasSuffix(ev.Body, "\n  ") && !strings.Contains(ev.Body, "\x00")
}

// checkRoundTrips encodes ev in every format it can survive and requires
// the decoding to give ev back.
func checkRoundTrips(t *testing.T, ev *Event) {
	t.Helper()
	back, err := DecodeJSON(AppendJSON(nil, ev))
	if err != nil || !equalEvents(back, ev) {
		t.Fatalf("json round trip: %v\n%+v\n%+v", err, ev, back)
	}
	if plainSafe(ev) {
		back, err := DecodePlain(AppendPlain(nil, ev))
		if err != nil || !equalEvents(back, ev) {
			t.Fatalf("plain round trip: %v\n%+v\n%+v\n%q", err, ev, back, AppendPlain(nil, ev))
		}
	}
	if xmlSafe(ev) {
		back, err := DecodeXML(AppendXML(nil, ev))
		if err != nil || !equalEvents(back, ev) {
			t.Fatalf("xml round trip: %v\n%+v\n%+v\n%s", err, ev, back, AppendXML(nil, ev))
		}
	}
}

func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrMalformedEvent) && !errors.Is(err, ErrMalformedHeader) && !errors.Is(err, ErrBadContentLength) {
		t.Fatalf("untyped error %v", err)
	}
}

func FuzzDecodePlain(f *testing.F) {
	seedEvents(f, TypeEventPlain)
	f.Add([]byte(docCustomPlain))
	f.Fuzz(func(t *testing.T, in []byte) {
		ev, err := DecodePlain(in)
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		checkRoundTrips(t, ev)
	})
}

func FuzzDecodeJSON(f *testing.F) {
	seedEvents(f, TypeEventJSON)
	f.Add([]byte(docCustomJSON))
	f.Add([]byte(`{"a":["x","y"],"n":1e3,"t":false,"z":null,"s":"\ud83d\ude00\u0001"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		ev, err := DecodeJSON(in)
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		checkRoundTrips(t, ev)
	})
}

func FuzzDecodeXML(f *testing.F) {
	seedEvents(f, TypeEventXML)
	f.Add([]byte("<event>\n  <headers>\n    <A>1</A>\n    <A>2</A>\n  </headers>\n  <Content-Length>8</Content-Length>\n  <body>&#xE9;<!x&\n  </body>\n</event>\n"))
	f.Add([]byte("<event><headers><A>ARRAY::x|:y</A><B>1</B><B>ARRAY::z</B></headers></event>"))
	f.Fuzz(func(t *testing.T, in []byte) {
		ev, err := DecodeXML(in)
		var d EventDecoder
		var c Compact
		if cerr := d.DecodeCompact(&c, TypeEventXML, in); cerr != err {
			t.Fatalf("Decode: %v, DecodeCompact: %v", err, cerr)
		}
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		if ce := c.Event(); !equalEvents(ce, ev) || ce.HasBody != ev.HasBody {
			t.Fatalf("DecodeCompact differs from Decode:\n%+v\n%+v", ce, ev)
		}
		checkRoundTrips(t, ev)
	})
}

// checkMatchesReference requires the decoder to agree with the reference
// (the old copy-then-parse-in-place decoder) on in: the same error, or the
// same event, in both the Event and the compact form.
func checkMatchesReference(t *testing.T, contentType string, in []byte) {
	t.Helper()
	orig := bytes.Clone(in)
	want, werr := refDecode(contentType, in)
	got, gerr := Decode(contentType, in)
	var d EventDecoder
	var c Compact
	cerr := d.DecodeCompact(&c, contentType, in)
	if !bytes.Equal(in, orig) {
		t.Fatal("input modified")
	}
	if werr != nil || gerr != nil || cerr != nil {
		if werr != gerr || werr != cerr {
			t.Fatalf("errors differ: reference %v, Decode %v, DecodeCompact %v", werr, gerr, cerr)
		}
		return
	}
	if !equalEvents(got, want) || got.HasBody != want.HasBody {
		t.Fatalf("Decode differs from the reference:\n%+v\n%+v", got, want)
	}
	if ce := c.Event(); !equalEvents(ce, want) || ce.HasBody != want.HasBody {
		t.Fatalf("DecodeCompact differs from the reference:\n%+v\n%+v", ce, want)
	}
}

func FuzzPlainMatchesReference(f *testing.F) {
	seedEvents(f, TypeEventPlain)
	f.Add([]byte(docCustomPlain))
	f.Add([]byte("A%:%41\r\nB: ARRAY::x|:y\nC:\tARRAY%3A%3A%7C%3A\nContent-Length: %31\n\nx"))
	f.Fuzz(func(t *testing.T, in []byte) { checkMatchesReference(t, TypeEventPlain, in) })
}

func FuzzJSONMatchesReference(f *testing.F) {
	seedEvents(f, TypeEventJSON)
	f.Add([]byte(docCustomJSON))
	f.Add([]byte(`{"a":["x","y"],"n":1e3,"t":false,"z":null,"s":"\ud83d\ude00\u0001"}`))
	f.Add([]byte(`{"A\u0041":"ARRAY::a|:b","B":"ARRAY\u003a:c","C":["\n",""],"Content-Lengt\u0068":"1","_bo\u0064y":"\"x\u00e9"}`))
	f.Fuzz(func(t *testing.T, in []byte) { checkMatchesReference(t, TypeEventJSON, in) })
}
