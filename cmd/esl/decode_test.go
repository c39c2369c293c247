package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/eslkit/esl"
)

func captureFile(name string) string {
	return filepath.Join("..", "..", "testdata", "freeswitch", name, "server.bin")
}

func runDecodeCmd(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{Stdin: bytes.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = run(context.Background(), e, append([]string{"decode"}, args...))
	return code, out.String(), errb.String()
}

// Every frame of a JSON capture prints as one line; an event's line is
// FreeSWITCH's own JSON object, byte for byte.
func TestDecodeJSONCapture(t *testing.T) {
	path := captureFile("call-json")
	code, out, stderr := runDecodeCmd(t, nil, path)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := esl.NewDecoder(bytes.NewReader(raw))
	for i := 0; ; i++ {
		f, err := d.Next()
		if err != nil {
			if i != len(lines) || i != 100 {
				t.Fatalf("%d frames, %d lines (%v)", i, len(lines), err)
			}
			break
		}
		if f.Event != nil && lines[i] != string(f.Body) {
			t.Fatalf("line %d:\n%s\nwant\n%s", i, lines[i], f.Body)
		}
		if !json.Valid([]byte(lines[i])) {
			t.Fatalf("line %d is not JSON: %s", i, lines[i])
		}
	}
	if lines[1] != `{"Content-Type":"command/reply","Reply-Text":"+OK accepted"}` {
		t.Errorf("reply line %s", lines[1])
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, `{"Content-Type":"text/disconnect-notice","Content-Length":"67","_body":"Disconnected, goodbye.\n`) {
		t.Errorf("last line %s", last)
	}
}

// A plain capture from stdin: events become FreeSWITCH JSON objects with
// decoded values, and the connect reply prints its decoded headers.
func TestDecodeStdinPlain(t *testing.T) {
	raw, err := os.ReadFile(captureFile("outbound-7777"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := runDecodeCmd(t, raw, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 23 {
		t.Fatalf("%d lines", len(lines))
	}
	if !strings.Contains(lines[0], `"Reply-Text":"+OK\n","Socket-Mode":"async","Control":"full"}`) ||
		!strings.HasPrefix(lines[0], `{"Event-Name":"CHANNEL_DATA",`) {
		t.Errorf("connect reply line: %s", lines[0])
	}
	var ev esl.Event
	if err := json.Unmarshal([]byte(lines[5]), &ev); err != nil || ev.Get("Event-Name") == "" {
		t.Errorf("event line does not decode: %v %s", err, lines[5])
	}
}

// A stream cut mid-frame prints the frames before the fault, then the
// offset and the reason, and exits 1.
func TestDecodeTruncated(t *testing.T) {
	raw, err := os.ReadFile(captureFile("bgapi"))
	if err != nil {
		t.Fatal(err)
	}
	cut := raw[:len(raw)-10]
	code, out, stderr := runDecodeCmd(t, cut)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(out, "\n"); n != 10 {
		t.Errorf("%d frames printed before the fault, want 10", n)
	}
	off := bytes.LastIndex(raw, []byte("Content-Type: text/disconnect-notice"))
	want := "esl decode: stdin: byte " + strconv.Itoa(off) + ": reading body: unexpected EOF\n"
	if stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
}

// A malformed event body is a fault too.
func TestDecodeBadEvent(t *testing.T) {
	stream := "Content-Type: auth/request\n\nContent-Length: 5\nContent-Type: text/event-json\n\n{\"a\":"
	code, out, stderr := runDecodeCmd(t, []byte(stream))
	if code != 1 || out != "{\"Content-Type\":\"auth/request\"}\n" || !strings.Contains(stderr, "byte 28: decoding text/event-json event: esl: malformed event") {
		t.Fatalf("exit %d, out %q, err %q", code, out, stderr)
	}
}

func TestDecodeText(t *testing.T) {
	code, out, _ := runDecodeCmd(t, nil, "--format", "text", captureFile("sendevent"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"auth/request\n", "command/reply\n  Reply-Text: +OK accepted\n",
		"CUSTOM example::test", "  X-Utf8: grüße 你好 ✓\n", "  line two: äöü\n",
		"text/disconnect-notice\n  Content-Length: 67\n  ---\n  Disconnected, goodbye.\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestDecodeUsage(t *testing.T) {
	if code, _, _ := runDecodeCmd(t, nil, "--format", "yaml"); code != 2 {
		t.Errorf("bad format: exit %d", code)
	}
	if code, _, _ := runDecodeCmd(t, nil, "a", "b"); code != 2 {
		t.Errorf("two files: exit %d", code)
	}
	if code, _, stderr := runDecodeCmd(t, nil, filepath.Join(t.TempDir(), "missing")); code != 1 || stderr == "" {
		t.Errorf("missing file: exit %d %q", code, stderr)
	}
	if code, out, _ := runDecodeCmd(t, nil); code != 0 || out != "" {
		t.Errorf("empty stdin: exit %d %q", code, out)
	}
}

// An interrupt ends a decode blocked on its input.
func TestDecodeInterrupted(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.WriteString("Content-Type: auth/request\n\n"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, &env{Stdin: r, Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}, []string{"decode"})
	}()
	cancel()
	if code := <-done; code != 130 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}
