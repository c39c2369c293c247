package esl_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/eslkit/esl"
)

func ExampleDecoder() {
	stream := "Content-Type: auth/request\n\n" +
		"Content-Type: command/reply\nReply-Text: +OK accepted\n\n" +
		"Content-Length: 50\nContent-Type: text/event-plain\n\n" +
		"Event-Name: HEARTBEAT\nEvent-Info: System%20Ready\n\n" +
		"Content-Type: api/response\nContent-Length: 5\n\nhello"
	d := esl.NewDecoder(strings.NewReader(stream))
	for {
		f, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		switch {
		case f.Event != nil:
			fmt.Println(f.ContentType, f.Event.Get("Event-Name"), f.Event.Get("Event-Info"))
		case f.Body != nil:
			fmt.Printf("%s %q\n", f.ContentType, f.Body)
		case f.Get("Reply-Text") != "":
			fmt.Println(f.ContentType, f.Get("Reply-Text"))
		default:
			fmt.Println(f.ContentType)
		}
	}
	// Output:
	// auth/request
	// command/reply +OK accepted
	// text/event-plain HEARTBEAT System Ready
	// api/response "hello"
}

func ExampleDecoder_truncated() {
	d := esl.NewDecoder(strings.NewReader("Content-Type: api/response\nContent-Length: 10\n\nshort"))
	_, err := d.Next()
	var fe *esl.FrameError
	fmt.Println(errors.As(err, &fe), errors.Is(err, io.ErrUnexpectedEOF), fe.Offset, fe.Reading)
	// Output: true true 0 body
}
