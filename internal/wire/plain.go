package wire

import "bytes"

// scanPlain validates and indexes a text/event-plain body without writing
// to it: header lines "Name: value" with percent-encoded values up to a
// blank line; when the last header is a non-zero Content-Length, that many
// bytes after the blank line are the body and that header is the body
// marker, not a header. Values with a '%' (to decode) or in the "ARRAY::"
// form (to split) get a fixup.
func (d *EventDecoder) scanPlain(b []byte) (bs, be int, err error) {
	hs, nhs, fix := d.hs, d.nhs, d.fix
	narrow := d.narrow
	// pct is the next '%' at or after the current line (len(b) if none):
	// one search per line that has one, instead of one per line.
	pct := bytes.IndexByte(b, '%')
	if pct < 0 {
		pct = len(b)
	}
	pos := 0
	for pos < len(b) {
		// A blank line ends the headers.
		if b[pos] == '\n' {
			pos++
			break
		}
		if b[pos] == '\r' && (pos+1 == len(b) || b[pos+1] == '\n') {
			pos = min(pos+2, len(b))
			break
		}
		// The ':' and the '\n' are searched for independently (the colon
		// not only within the line), so that the two searches overlap in
		// the processor instead of one waiting for the other's result.
		c := bytes.IndexByte(b[pos:], ':')
		end, next := len(b), len(b)
		if i := bytes.IndexByte(b[pos:], '\n'); i >= 0 {
			end = pos + i
			next = end + 1
		}
		if end > pos && b[end-1] == '\r' {
			end--
		}
		if c <= 0 || pos+c >= end {
			d.hs, d.nhs, d.fix = hs, nhs, fix
			return 0, 0, ErrMalformedHeader
		}
		vs := pos + c + 1
		for vs < end && (b[vs] == ' ' || b[vs] == '\t') {
			vs++
		}
		// A value needs fixing when it has an escape or is in the
		// "ARRAY::" form. A '%' in the name alone does not count: the
		// value must still be checked for the array form.
		escaped := false
		if pct < end {
			escaped = pct >= vs || bytes.IndexByte(b[vs:end], '%') >= 0
			if pct = bytes.IndexByte(b[next:], '%'); pct < 0 {
				pct = len(b)
			} else {
				pct += next
			}
		}
		if escaped || isArrayForm(b[vs:end]) {
			fix = append(fix, fixup{int32(len(hs) + len(nhs)), fixValue})
		}
		if narrow {
			nhs = append(nhs, narrowSpan{uint16(pos), uint16(pos + c), uint16(vs), uint16(end)})
		} else {
			hs = append(hs, Span{NameStart: int32(pos), NameEnd: int32(pos + c), ValueStart: int32(vs), ValueEnd: int32(end)})
		}
		pos = next
	}
	d.hs, d.nhs, d.fix = hs, nhs, fix
	rest := b[pos:]
	if n := d.nspans(); n > 0 {
		last := d.spanAt(n - 1)
		if EqualFold(bytesString(b[last.NameStart:last.NameEnd]), "Content-Length") {
			v := b[last.ValueStart:last.ValueEnd]
			fixed := len(fix) > 0 && fix[len(fix)-1].idx == int32(n-1)
			if fixed {
				d.small = PercentDecode(d.small[:0], v)
				v = d.small
			}
			cl, err := ParseContentLength(bytesString(v))
			switch {
			case err != nil && len(rest) > 0:
				return 0, 0, err
			case err != nil || cl == 0:
				// A real header that happens to be last; FreeSWITCH never
				// writes a marker for an empty body.
			case cl > len(rest):
				return 0, 0, ErrMalformedEvent
			default:
				d.dropLast()
				if fixed {
					d.fix = fix[:len(fix)-1]
				}
				return pos, pos + cl, nil
			}
		}
	}
	return len(b), len(b), nil
}
