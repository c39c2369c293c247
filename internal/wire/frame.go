package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unsafe"
)

// Default limits. The body limit is libesl's own; the header limit is large
// enough for an outbound connect reply carrying every channel variable.
const (
	DefaultMaxHeaderBytes = 1 << 20  // 1 MiB of header block
	DefaultMaxBodyBytes   = 16 << 20 // 16 MiB of body
)

// Limits bound what a Reader accepts. Zero fields take the defaults.
type Limits struct {
	MaxHeaderBytes int // longest header block, in bytes
	MaxBodyBytes   int // longest body (Content-Length), in bytes
}

func (l Limits) withDefaults() Limits {
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return l
}

// Content types FreeSWITCH sends.
const (
	TypeAuthRequest      = "auth/request"           // the inbound greeting
	TypeCommandReply     = "command/reply"          // reply to a command (Reply-Text)
	TypeAPIResponse      = "api/response"           // reply to api (output in the body)
	TypeEventPlain       = "text/event-plain"       // event, plain format
	TypeEventJSON        = "text/event-json"        // event, json format
	TypeEventXML         = "text/event-xml"         // event, xml format
	TypeLogData          = "log/data"               // a log line
	TypeDisconnectNotice = "text/disconnect-notice" // disconnect or linger notice
	TypeRudeRejection    = "text/rude-rejection"    // refused by the ACL
)

// IsEvent reports whether contentType is one of the three event types.
func IsEvent(contentType string) bool {
	return contentType == TypeEventPlain || contentType == TypeEventJSON || contentType == TypeEventXML
}

// Frame is one message: a header block and, when the block has a
// Content-Length, exactly that many bytes of body. Header values are
// percent-decoded, as libesl does for every message.
type Frame struct {
	Headers Headers // the header block, in wire order
	Body    []byte  // Content-Length bytes, or nil
}

// ContentType returns the frame's Content-Type header.
func (f *Frame) ContentType() string { return f.Headers.Get("Content-Type") }

// Clone returns a copy of f that does not alias any Reader buffer. (Header
// strings are immutable and shared; the slice and the body are copied.)
func (f *Frame) Clone() *Frame {
	c := &Frame{Headers: make(Headers, len(f.Headers))}
	copy(c.Headers, f.Headers)
	if f.Body != nil {
		c.Body = bytes.Clone(f.Body)
	}
	return c
}

// Reader reads frames from a byte stream.
//
// Reuse contract: ReadFrame returns the same *Frame every time. Its Headers
// slice is overwritten by the next call and its Body aliases the Reader's
// buffers (read-only; valid until the next call). The header strings
// themselves are immutable and may be kept. Use Frame.Clone to keep a
// whole frame.
type Reader struct {
	br      *bufio.Reader
	lim     Limits
	off     int64 // bytes consumed so far
	err     error // sticky: after a framing fault the stream position is unknown
	frame   Frame
	body    []byte // for bodies larger than the bufio buffer
	scratch []byte // percent-decoding of one header value
	chunk   []byte // append-only backing store for short header strings
}

// NewReader returns a Reader over r. If r is already a *bufio.Reader it is
// used as is, so that no bytes are buffered twice.
func NewReader(r io.Reader, lim Limits) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &Reader{br: br, lim: lim.withDefaults()}
}

// Offset returns how many bytes the Reader has consumed.
func (r *Reader) Offset() int64 { return r.off }

// ReadFrame reads the next frame (see the reuse contract on Reader). At a
// clean end of stream (between frames) it returns io.EOF. A stream that
// ends inside a frame yields a *FrameError wrapping io.ErrUnexpectedEOF;
// oversize or malformed input yields a *FrameError wrapping
// ErrHeaderTooLarge, ErrBodyTooLarge, ErrBadContentLength or
// ErrMalformedHeader. After any such fault the position in the stream is
// lost, so every later call returns the same error.
func (r *Reader) ReadFrame() (*Frame, error) {
	if r.err != nil {
		return nil, r.err
	}
	f, err := r.readFrame()
	if err != nil && err != io.EOF {
		r.err = err
	}
	return f, err
}

func (r *Reader) readFrame() (*Frame, error) {
	start := r.off
	f := &r.frame
	f.Headers = f.Headers[:0]
	f.Body = nil
	size := 0
	cl := -1
	for {
		line, err := r.readLine(r.lim.MaxHeaderBytes - size)
		if err != nil {
			if err == io.EOF && len(f.Headers) == 0 && size == 0 {
				return nil, io.EOF
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, &FrameError{Offset: start, Reading: "header block", Err: err}
		}
		size += len(line)
		line = trimEOL(line)
		if len(line) == 0 {
			if len(f.Headers) == 0 {
				start = r.off // a stray blank line between frames
				continue
			}
			break
		}
		name, value, ok := splitHeader(line)
		if !ok {
			return nil, &FrameError{Offset: start, Reading: "header block", Err: ErrMalformedHeader}
		}
		h := Header{Name: r.str(name)}
		if bytes.IndexByte(value, '%') >= 0 {
			r.scratch = PercentDecode(r.scratch[:0], value)
			h.Value = r.str(r.scratch)
		} else {
			h.Value = r.str(value)
		}
		if cl < 0 && EqualFold(h.Name, "Content-Length") {
			n, err := ParseContentLength(h.Value)
			if err != nil {
				return nil, &FrameError{Offset: start, Reading: "Content-Length", Err: err}
			}
			cl = n
		}
		f.Headers = append(f.Headers, h)
	}
	if cl < 0 {
		return f, nil
	}
	if cl > r.lim.MaxBodyBytes {
		return nil, &FrameError{Offset: start, Reading: "body", Err: ErrBodyTooLarge}
	}
	if cl <= r.br.Size() {
		// Hand out the bytes in place: no copy.
		b, err := r.br.Peek(cl)
		if err != nil {
			n, _ := r.br.Discard(len(b))
			r.off += int64(n)
			return nil, &FrameError{Offset: start, Reading: "body", Err: unexpected(err)}
		}
		n, _ := r.br.Discard(cl)
		r.off += int64(n)
		f.Body = b
		return f, nil
	}
	if cap(r.body) < cl || cap(r.body) > 4*cl && cap(r.body) > 1<<20 {
		r.body = make([]byte, cl)
	}
	f.Body = r.body[:cl]
	got, err := io.ReadFull(r.br, f.Body)
	r.off += int64(got)
	if err != nil {
		return nil, &FrameError{Offset: start, Reading: "body", Err: unexpected(err)}
	}
	return f, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// str returns b as a string without a fresh allocation for the common
// case: well-known header names and values are interned, and other short
// strings are carved out of an append-only chunk that is never written
// again once a string refers to it.
func (r *Reader) str(b []byte) string {
	if s, ok := interned(b); ok {
		return s
	}
	if len(b) == 0 {
		return ""
	}
	if len(b) > 512 {
		return string(b)
	}
	if cap(r.chunk)-len(r.chunk) < len(b) {
		r.chunk = make([]byte, 0, 8<<10)
	}
	s := len(r.chunk)
	r.chunk = append(r.chunk, b...)
	return unsafe.String(&r.chunk[s], len(b))
}

// interned returns the constant equal to b for the header names and
// values that recur in nearly every frame, so that reading them costs no
// allocation. A switch on a string compiles to a few length and byte
// comparisons, which is cheaper than hashing b for a map.
func interned(b []byte) (string, bool) {
	switch string(b) {
	case "Content-Type":
		return "Content-Type", true
	case "Content-Length":
		return "Content-Length", true
	case "Reply-Text":
		return "Reply-Text", true
	case "Job-UUID":
		return "Job-UUID", true
	case "Content-Disposition":
		return "Content-Disposition", true
	case "Controlled-Session-UUID":
		return "Controlled-Session-UUID", true
	case "Channel-Name":
		return "Channel-Name", true
	case "Linger-Time":
		return "Linger-Time", true
	case "Socket-Mode":
		return "Socket-Mode", true
	case "Control":
		return "Control", true
	case "Log-Level":
		return "Log-Level", true
	case "Text-Channel":
		return "Text-Channel", true
	case "Log-File":
		return "Log-File", true
	case "Log-Func":
		return "Log-Func", true
	case "Log-Line":
		return "Log-Line", true
	case "User-Data":
		return "User-Data", true
	case TypeAuthRequest:
		return TypeAuthRequest, true
	case TypeCommandReply:
		return TypeCommandReply, true
	case TypeAPIResponse:
		return TypeAPIResponse, true
	case TypeEventPlain:
		return TypeEventPlain, true
	case TypeEventJSON:
		return TypeEventJSON, true
	case TypeEventXML:
		return TypeEventXML, true
	case TypeLogData:
		return TypeLogData, true
	case TypeDisconnectNotice:
		return TypeDisconnectNotice, true
	case TypeRudeRejection:
		return TypeRudeRejection, true
	case "+OK":
		return "+OK", true
	case "+OK\n":
		return "+OK\n", true
	case "linger":
		return "linger", true
	case "disconnect":
		return "disconnect", true
	case "async":
		return "async", true
	case "static":
		return "static", true
	case "full":
		return "full", true
	}
	return "", false
}

// readLine returns one line including its LF, reading at most max bytes.
// The slice aliases the bufio buffer when the line fits in it.
func (r *Reader) readLine(max int) ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	r.off += int64(len(line))
	if err == nil {
		if len(line) > max {
			return nil, ErrHeaderTooLarge
		}
		return line, nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		if err == io.EOF && len(line) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	// A line longer than the buffer: accumulate, bounded by the header limit.
	buf := append([]byte(nil), line...)
	for {
		if len(buf) > max {
			return nil, ErrHeaderTooLarge
		}
		line, err = r.br.ReadSlice('\n')
		r.off += int64(len(line))
		buf = append(buf, line...)
		if err == nil {
			if len(buf) > max {
				return nil, ErrHeaderTooLarge
			}
			return buf, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, unexpected(err)
		}
	}
}

func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line
}

// splitHeader splits "Name: value" at the first colon and skips the spaces
// and tabs after it.
func splitHeader(line []byte) (name, value []byte, ok bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return nil, nil, false
	}
	name, value = line[:i], line[i+1:]
	for len(value) > 0 && (value[0] == ' ' || value[0] == '\t') {
		value = value[1:]
	}
	return name, value, true
}

// ParseContentLength parses a decimal byte count. Signs, spaces and
// anything but digits are refused, as is a value that overflows.
func ParseContentLength(s string) (int, error) {
	if len(s) == 0 || len(s) > 10 {
		return 0, ErrBadContentLength
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, ErrBadContentLength
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// bytesString views b as a string for comparisons and lookups that do not
// keep it.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
