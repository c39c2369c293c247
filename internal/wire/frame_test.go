package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func readAll(t *testing.T, r *Reader) []*Frame {
	t.Helper()
	var out []*Frame
	for {
		f, err := r.ReadFrame()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("frame %d: %v", len(out), err)
		}
		out = append(out, f.Clone())
	}
}

const twoFrames = "Content-Type: api/response\nContent-Length: 5\n\nhello" +
	"\n" + // a stray blank line between frames is skipped
	"Content-Type: command/reply\r\nReply-Text: %2BOK%20done\r\n\r\n"

func TestReaderFrames(t *testing.T) {
	for name, src := range map[string]io.Reader{
		"whole":    strings.NewReader(twoFrames),
		"one byte": iotest.OneByteReader(strings.NewReader(twoFrames)),
		"tiny buf": bufio.NewReaderSize(strings.NewReader(twoFrames), 16),
	} {
		r := NewReader(src, Limits{})
		fs := readAll(t, r)
		if len(fs) != 2 || string(fs[0].Body) != "hello" || fs[0].ContentType() != TypeAPIResponse ||
			fs[1].Body != nil || fs[1].Headers.Get("reply-text") != "+OK done" {
			t.Errorf("%s: %+v", name, fs)
		}
		if r.Offset() != int64(len(twoFrames)) {
			t.Errorf("%s: offset %d", name, r.Offset())
		}
	}
}

// The Reader hands out the same Frame each time; strings stay valid.
func TestReaderReuseContract(t *testing.T) {
	r := NewReader(strings.NewReader(twoFrames), Limits{})
	f1, _ := r.ReadFrame()
	ct := f1.ContentType()
	keep := f1.Clone()
	f2, _ := r.ReadFrame()
	if f1 != f2 {
		t.Error("frame not reused")
	}
	if ct != TypeAPIResponse || string(keep.Body) != "hello" {
		t.Errorf("kept values changed: %q %q", ct, keep.Body)
	}
}

func TestReaderErrors(t *testing.T) {
	big := strings.Repeat("x", 200)
	cases := []struct {
		name, in string
		lim      Limits
		reading  string
		err      error
	}{
		{"eof in header", "Content-Type: api/response\nContent-Le", Limits{}, "header block", io.ErrUnexpectedEOF},
		{"eof after header line", "Content-Type: api/response\n", Limits{}, "header block", io.ErrUnexpectedEOF},
		{"eof in body", "Content-Length: 10\n\nabc", Limits{}, "body", io.ErrUnexpectedEOF},
		{"eof in big body", "Content-Length: 100\n\nabc", Limits{}, "body", io.ErrUnexpectedEOF},
		{"negative length", "Content-Length: -1\n\n", Limits{}, "Content-Length", ErrBadContentLength},
		{"garbage length", "Content-Length: 12a\n\n", Limits{}, "Content-Length", ErrBadContentLength},
		{"empty length", "Content-Length: \n\n", Limits{}, "Content-Length", ErrBadContentLength},
		{"overflow length", "Content-Length: 99999999999\n\n", Limits{}, "Content-Length", ErrBadContentLength},
		{"body too large", "Content-Length: 101\n\n", Limits{MaxBodyBytes: 100}, "body", ErrBodyTooLarge},
		{"default body limit", "Content-Length: 16777217\n\n", Limits{}, "body", ErrBodyTooLarge},
		{"long line", "X: " + big + "\n\n", Limits{MaxHeaderBytes: 100}, "header block", ErrHeaderTooLarge},
		{"many lines", strings.Repeat("X: y\n", 30) + "\n", Limits{MaxHeaderBytes: 100}, "header block", ErrHeaderTooLarge},
		{"no colon", "Content-Type: x\nbogus\n\n", Limits{}, "header block", ErrMalformedHeader},
	}
	for _, c := range cases {
		for _, bufSize := range []int{16, 64 << 10} {
			r := NewReader(bufio.NewReaderSize(strings.NewReader("Content-Type: auth/request\n\n"+c.in), bufSize), c.lim)
			if _, err := r.ReadFrame(); err != nil {
				t.Fatalf("%s: first frame: %v", c.name, err)
			}
			_, err := r.ReadFrame()
			var fe *FrameError
			if !errors.As(err, &fe) || !errors.Is(err, c.err) || fe.Reading != c.reading || fe.Offset != 28 {
				t.Errorf("%s (buf %d): %v", c.name, bufSize, err)
				continue
			}
			if _, again := r.ReadFrame(); again != err {
				t.Errorf("%s: error not sticky: %v", c.name, again)
			}
		}
	}
}

func TestReaderLimitsExact(t *testing.T) {
	hdr := "Content-Length: 100\n\n" // 21 bytes
	r := NewReader(strings.NewReader(hdr+strings.Repeat("b", 100)), Limits{MaxHeaderBytes: len(hdr), MaxBodyBytes: 100})
	if f, err := r.ReadFrame(); err != nil || len(f.Body) != 100 {
		t.Fatalf("at the limits: %v", err)
	}
}

func TestAppendFrame(t *testing.T) {
	b, err := AppendFrame(nil, Headers{{Name: "Content-Type", Value: "api/response"}, {Name: "Content-Length"}}, []byte("hi"))
	if err != nil || string(b) != "Content-Type: api/response\nContent-Length: 2\n\nhi" {
		t.Fatalf("%q %v", b, err)
	}
	b, _ = AppendFrame(nil, Headers{{Name: "Content-Type", Value: "text/disconnect-notice"}, {Name: "Content-Disposition", Value: "linger"}}, []byte{})
	if string(b) != "Content-Type: text/disconnect-notice\nContent-Disposition: linger\nContent-Length: 0\n\n" {
		t.Fatalf("%q", b)
	}
	b, _ = AppendFrame([]byte("x"), Headers{{Name: "Content-Type", Value: "auth/request"}}, nil)
	if string(b) != "xContent-Type: auth/request\n\n" {
		t.Fatalf("%q", b)
	}
	for _, hs := range []Headers{{{Name: "A", Value: "1\n"}}, {{Name: "A\r", Value: "1"}}, {{Name: "A:B", Value: "1"}}, {{Name: "", Value: "1"}}} {
		if b, err := AppendFrame([]byte("x"), hs, nil); !errors.Is(err, ErrNewline) || string(b) != "x" {
			t.Errorf("%+v: %q %v", hs, b, err)
		}
	}
	var buf bytes.Buffer
	if err := WriteFrame(&buf, Headers{{Name: "Content-Type", Value: "command/reply"}, {Name: "Reply-Text", Value: "+OK"}}, nil); err != nil ||
		buf.String() != "Content-Type: command/reply\nReply-Text: +OK\n\n" {
		t.Fatalf("%q %v", buf.String(), err)
	}
}

func TestAppendEventFrame(t *testing.T) {
	ev := &Event{Headers: Headers{{Name: "Event-Name", Value: "CUSTOM"}, {Name: "X", Value: "a b"}}, Body: "body\n"}
	for _, ct := range []string{TypeEventPlain, TypeEventJSON, TypeEventXML} {
		b, err := AppendEventFrame([]byte("prefix"), ct, ev)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("prefixContent-Length: ")) {
			t.Fatalf("%q", b)
		}
		r := NewReader(bytes.NewReader(b[len("prefix"):]), Limits{})
		f, err := r.ReadFrame()
		if err != nil || f.Headers[0].Name != "Content-Length" || f.Headers[1].Name != "Content-Type" || f.ContentType() != ct {
			t.Fatalf("%s: %v %+v", ct, err, f)
		}
		back, err := Decode(ct, f.Body)
		if err != nil || !equalEvents(back, ev) {
			t.Errorf("%s: %v %+v", ct, err, back)
		}
	}
	if _, err := AppendEventFrame(nil, "text/plain", ev); !errors.Is(err, ErrUnknownFormat) {
		t.Error(err)
	}
}

func TestAppendCommand(t *testing.T) {
	b, err := AppendCommand(nil, "sendevent CUSTOM", Headers{
		{Name: "Event-Subclass", Value: "example::test"},
		{Name: "X-Multi", Array: []string{"a", "b c"}},
		{Name: "Content-Length", Value: "999"}, // replaced by the real length
	}, []byte("hello\n"))
	want := "sendevent CUSTOM\nEvent-Subclass: example::test\nX-Multi: ARRAY::a|:b c\nContent-Length: 6\n\nhello\n"
	if err != nil || string(b) != want {
		t.Fatalf("%q %v", b, err)
	}
	if b, _ := AppendCommand(nil, "api status", nil, nil); string(b) != "api status\n\n" {
		t.Fatalf("%q", b)
	}
	for _, c := range []struct {
		line string
		hs   Headers
	}{{"api status\nexit", nil}, {"", nil}, {"sendmsg", Headers{{Name: "a", Value: "x\r\ny"}}}, {"sendmsg", Headers{{Name: "a", Array: []string{"1", "2\n"}}}}} {
		if b, err := AppendCommand([]byte("q"), c.line, c.hs, nil); !errors.Is(err, ErrNewline) || string(b) != "q" {
			t.Errorf("%q: %q %v", c.line, b, err)
		}
	}
}
