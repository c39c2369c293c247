package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Default limits. The body limit is libesl's own; the header limit is large
// enough for an outbound connect reply carrying every channel variable.
const (
	DefaultMaxHeaderBytes = 1 << 20
	DefaultMaxBodyBytes   = 16 << 20
)

// Limits bound what a Reader accepts. Zero fields take the defaults.
type Limits struct {
	MaxHeaderBytes int
	MaxBodyBytes   int
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
	TypeAuthRequest      = "auth/request"
	TypeCommandReply     = "command/reply"
	TypeAPIResponse      = "api/response"
	TypeEventPlain       = "text/event-plain"
	TypeEventJSON        = "text/event-json"
	TypeEventXML         = "text/event-xml"
	TypeLogData          = "log/data"
	TypeDisconnectNotice = "text/disconnect-notice"
	TypeRudeRejection    = "text/rude-rejection"
)

// Frame is one message: a header block and, when the block has a
// Content-Length, exactly that many bytes of body. Header values are
// percent-decoded, as libesl does for every message.
type Frame struct {
	Headers Headers
	Body    []byte
}

// ContentType returns the frame's Content-Type header.
func (f *Frame) ContentType() string { return f.Headers.Get("Content-Type") }

// Clone returns a deep copy of f that does not alias any Reader buffer.
func (f *Frame) Clone() *Frame {
	c := &Frame{Headers: make(Headers, len(f.Headers))}
	copy(c.Headers, f.Headers)
	if f.Body != nil {
		c.Body = bytes.Clone(f.Body)
	}
	return c
}

// Reader reads frames from a byte stream.
type Reader struct {
	br    *bufio.Reader
	lim   Limits
	off   int64 // bytes consumed so far
	frame Frame
	body  []byte
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

// ReadFrame reads the next frame. The returned Frame and its Body are owned
// by the Reader and valid only until the next call; use Frame.Clone to keep
// one. At a clean end of stream (between frames) it returns io.EOF; a stream
// that ends inside a frame yields a *FrameError wrapping
// io.ErrUnexpectedEOF.
func (r *Reader) ReadFrame() (*Frame, error) {
	start := r.off
	f := &r.frame
	f.Headers = f.Headers[:0]
	f.Body = nil
	size := 0
	sawHeader := false
	for {
		line, err := r.readLine()
		if err != nil {
			if err == io.EOF && !sawHeader && size == 0 {
				return nil, io.EOF
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, &FrameError{Offset: start, Reading: "header block", Err: err}
		}
		size += len(line)
		if size > r.lim.MaxHeaderBytes {
			return nil, &FrameError{Offset: start, Reading: "header block", Err: ErrHeaderTooLarge}
		}
		line = trimEOL(line)
		if len(line) == 0 {
			if !sawHeader {
				continue // stray blank line between frames
			}
			break
		}
		sawHeader = true
		name, value, ok := splitHeader(line)
		if !ok {
			return nil, &FrameError{Offset: start, Reading: "header block", Err: ErrMalformedHeader}
		}
		f.Headers = append(f.Headers, Header{Name: string(name), Value: string(PercentDecode(nil, value))})
	}
	cl, ok := f.Headers.Lookup("Content-Length")
	if !ok {
		return f, nil
	}
	n, err := ParseContentLength(cl)
	if err != nil {
		return nil, &FrameError{Offset: start, Reading: "Content-Length", Err: err}
	}
	if n > r.lim.MaxBodyBytes {
		return nil, &FrameError{Offset: start, Reading: "body", Err: ErrBodyTooLarge}
	}
	if cap(r.body) < n || cap(r.body) > 4*r.lim.MaxBodyBytes/16 && n < cap(r.body)/4 {
		r.body = make([]byte, n)
	}
	f.Body = r.body[:n]
	got, err := io.ReadFull(r.br, f.Body)
	r.off += int64(got)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, &FrameError{Offset: start, Reading: "body", Err: err}
	}
	return f, nil
}

// readLine returns one line including its LF. The slice aliases the
// bufio buffer when the line fits in it.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	r.off += int64(len(line))
	if err == nil {
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
		line, err = r.br.ReadSlice('\n')
		r.off += int64(len(line))
		buf = append(buf, line...)
		if len(buf) > r.lim.MaxHeaderBytes {
			return nil, ErrHeaderTooLarge
		}
		if err == nil {
			return buf, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
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
