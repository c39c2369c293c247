package bench

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// outboundCapture holds what the fake FreeSWITCH sends an outbound socket,
// taken from the real outbound-7777 capture: the connect reply (channel
// data) and the CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE of "answer".
type outboundCapture struct {
	uuid         string // the channel UUID in the capture
	connectReply []byte
	execute      []byte // event body of CHANNEL_EXECUTE (answer)
	complete     []byte // event body of CHANNEL_EXECUTE_COMPLETE (answer)
}

var (
	outboundOnce sync.Once
	outboundCap  *outboundCapture
	outboundErr  error
)

func loadOutbound() (*outboundCapture, error) {
	outboundOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join(captureDir, "outbound-7777", "server.bin"))
		if err != nil {
			outboundErr = err
			return
		}
		oc := &outboundCapture{}
		end := bytes.Index(b, []byte("\n\n"))
		if end < 0 {
			outboundErr = errors.New("outbound-7777: no connect reply")
			return
		}
		oc.connectReply = b[:end+2]
		oc.uuid = string(headerValue(oc.connectReply, "Unique-ID"))
		err = splitFrames(b[end+2:], func(hdr, body []byte) error {
			if !bytes.Equal(headerValue(hdr, "Content-Type"), []byte("text/event-plain")) ||
				!bytes.Equal(headerValue(body, "Application"), []byte("answer")) {
				return nil
			}
			switch string(headerValue(body, "Event-Name")) {
			case "CHANNEL_EXECUTE":
				if oc.execute == nil {
					oc.execute = body
				}
			case "CHANNEL_EXECUTE_COMPLETE":
				if oc.complete == nil {
					oc.complete = body
				}
			}
			return nil
		}, nil)
		if err == nil && (oc.uuid == "" || oc.execute == nil || oc.complete == nil) {
			err = errors.New("outbound-7777: answer events not found")
		}
		outboundCap, outboundErr = oc, err
	})
	return outboundCap, outboundErr
}

// session returns the connect reply and the two answer events for a call
// with channel uuid whose execute had Event-UUID appUUID.
func (oc *outboundCapture) connectFor(uuid string) []byte {
	return bytes.ReplaceAll(oc.connectReply, []byte(oc.uuid), []byte(uuid))
}

func (oc *outboundCapture) answerEventsFor(uuid, appUUID string) []byte {
	var out []byte
	for _, body := range [][]byte{oc.execute, oc.complete} {
		ev := bytes.ReplaceAll(body, []byte(oc.uuid), []byte(uuid))
		ev = setPlainHeader(ev, "Application-UUID", appUUID)
		out = append(out, "Content-Length: "+strconv.Itoa(len(ev))+"\nContent-Type: text/event-plain\n\n"...)
		out = append(out, ev...)
	}
	return out
}

// setPlainHeader replaces the value of header name in a plain event body.
func setPlainHeader(ev []byte, name, value string) []byte {
	key := []byte("\n" + name + ": ")
	i := bytes.Index(ev, key)
	if i < 0 {
		return ev
	}
	start := i + len(key)
	end := start + bytes.IndexByte(ev[start:], '\n')
	return bytes.Join([][]byte{ev[:start], []byte(percentEncode(value)), ev[end:]}, nil)
}

// driveOutbound plays FreeSWITCH's socket application for one call: it
// dials addr, answers connect with the channel data, acknowledges
// myevents/linger, answers an execute with the CHANNEL_EXECUTE and
// CHANNEL_EXECUTE_COMPLETE carrying the execute's Event-UUID as
// Application-UUID, and serves until the library closes the socket (or ctx
// ends).
func driveOutbound(ctx context.Context, addr string) error {
	oc, err := loadOutbound()
	if err != nil {
		return err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	uuid := newUUID()
	s := newFakeSession(c, nil, 4<<10)
	s.connectReply = oc.connectFor(uuid)
	s.onExec = func(appUUID string) {
		if appUUID == "" {
			appUUID = newUUID() // FreeSWITCH makes one up
		}
		s.write(oc.answerEventsFor(uuid, appUUID))
	}
	s.serve("")
	return nil
}
