package wire

import "unsafe"

// The decoder's header table comes in the two forms Compact keeps. For a
// body that narrow spans can address (nearly every event) the plain and
// JSON scanners write narrowSpans straight away, so that publishing the
// table is one copy instead of a conversion header by header; otherwise
// (and for XML, whose text is a decoded copy) they write Spans.
//
// In the narrow form every array index also fits: an array value takes at
// least two bytes of the text ("|:" or `"",`), so a text of at most
// narrowLimit bytes has fewer than narrowLimit/2 of them.

// nspans returns the number of headers in the table.
func (d *EventDecoder) nspans() int { return len(d.hs) + len(d.nhs) }

// addSpan appends sp to the table.
func (d *EventDecoder) addSpan(sp Span) {
	if d.narrow {
		d.nhs = append(d.nhs, narrowOf(sp))
		return
	}
	d.hs = append(d.hs, sp)
}

// spanAt returns header i of the table.
func (d *EventDecoder) spanAt(i int) Span {
	if d.narrow {
		return wideOf(d.nhs[i])
	}
	return d.hs[i]
}

// setSpan replaces header i of the table.
func (d *EventDecoder) setSpan(i int, sp Span) {
	if d.narrow {
		d.nhs[i] = narrowOf(sp)
		return
	}
	d.hs[i] = sp
}

// dropLast removes the last header of the table.
func (d *EventDecoder) dropLast() {
	if d.narrow {
		d.nhs = d.nhs[:len(d.nhs)-1]
		return
	}
	d.hs = d.hs[:len(d.hs)-1]
}

// setNarrow stores ns, already in the narrow form, in dst (which shares
// the text's allocation and has room for it).
func (c *Compact) setNarrow(ns []narrowSpan, dst []byte) {
	c.wide, c.narrow = nil, nil
	if len(ns) == 0 {
		return
	}
	out := unsafe.Slice((*narrowSpan)(unsafe.Pointer(unsafe.SliceData(dst))), len(ns))
	copy(out, ns)
	c.narrow = out
}
