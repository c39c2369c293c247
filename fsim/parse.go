package fsim

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"github.com/eslkit/esl/internal/wire"
)

// Limits of mes.c read_packet.
const (
	maxCommandBlock = 10485760
	maxCommandBody  = 16777216
)

// readLoop parses commands off the socket and hands them to run. It ends
// at EOF, on a read error, or after a fatal framing error (which it passes
// on so that run can send the notice).
func (l *listener) readLoop() {
	defer close(l.cmds)
	br := bufio.NewReaderSize(l.nc, 64<<10)
	var scratch []byte
	for {
		c, err := readCommand(br, &l.partial, &scratch)
		if c != nil {
			select {
			case l.cmds <- c:
			case <-l.done:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

type partialFlag interface{ Store(bool) }

// readCommand reads one command block as read_packet does: leading CR/LF
// are skipped, the block ends at an empty line (CRs ignored), the first
// line is the command, later lines are "Name: value" headers (value after
// the spaces that follow the first colon, not URL-decoded), and a
// Content-Length header makes that many body bytes follow. The block is
// gathered in *scratch, kept for the next command, so that a command costs
// one string and its struct.
func readCommand(br *bufio.Reader, partial partialFlag, scratch *[]byte) (*command, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return nil, err
		}
		if b != '\r' && b != '\n' {
			br.UnreadByte()
			break
		}
	}
	partial.Store(true)
	defer partial.Store(false)
	buf := (*scratch)[:0]
	defer func() {
		if cap(buf) <= 64<<10 {
			*scratch = buf[:0]
		}
	}()
	for {
		start := len(buf)
		for {
			// One line, cut where the block reaches its limit.
			chunk, err := br.ReadSlice('\n')
			buf = append(buf, chunk...)
			if err == nil {
				break
			}
			if err != bufio.ErrBufferFull {
				if err == io.EOF {
					return nil, io.ErrUnexpectedEOF
				}
				return nil, err
			}
			if len(buf) >= maxCommandBlock {
				break
			}
		}
		if len(bytes.TrimRight(buf[start:], "\r\n")) == 0 {
			break
		}
		if len(buf) >= maxCommandBlock {
			break
		}
	}
	c := &command{raw: string(buf)}
	clen := -1
	first := true
	for rest := c.raw; rest != ""; {
		ln := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			ln, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = ""
		}
		ln = strings.TrimRight(ln, "\r\n")
		if ln == "" {
			break
		}
		if first {
			first = false
			c.line = ln
			if i := strings.IndexAny(c.line, "\r\n"); i >= 0 {
				c.line = c.line[:i]
			}
			continue
		}
		i := strings.IndexByte(ln, ':')
		if i < 0 {
			continue
		}
		name, value := ln[:i], strings.TrimLeft(ln[i+1:], " ")
		h := wireHeader{Name: name, Value: value}
		if strings.HasPrefix(value, "ARRAY::") {
			if arr := splitArray(value[7:]); len(arr) > 1 {
				h.Array, h.Value = arr, arr[0]
			} else {
				h.Value = arr[0]
			}
		}
		c.headers = append(c.headers, h)
		if equalFold(name, "Content-Length") {
			n := catoi(value)
			if n < 0 || n > maxCommandBody {
				c.fatal = true
				return c, nil
			}
			clen = n
		}
	}
	if clen >= 0 {
		body := make([]byte, clen)
		if _, err := io.ReadFull(br, body); err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		c.body, c.hasBody = string(body), true
	}
	return c, nil
}

// atoi parses an optionally signed decimal number (C atoi without the
// silent garbage tolerance for the sign check we need).
func atoi(s string) (int, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			break
		}
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			return 1 << 31, true
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// catoi is C's atoi: leading digits, 0 otherwise.
func catoi(s string) int {
	n, ok := atoi(s)
	if !ok {
		return 0
	}
	return n
}

// hasPrefixFold is strncasecmp(s, prefix, len(prefix)) == 0.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

// equalFold is wire's ASCII case folding, the comparison strncasecmp makes.
func equalFold(a, b string) bool { return wire.EqualFold(a, b) }
