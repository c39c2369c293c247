package main

import (
	"strings"
	"unicode/utf8"
)

// wrapText breaks text into lines of at most width display columns. ASCII
// words break at spaces; wide (CJK) characters count two columns and may
// break anywhere, except before closing punctuation.
func wrapText(text string, width int) []string {
	if width < 20 {
		width = 20
	}
	var lines []string
	var line strings.Builder
	col := 0
	flush := func() {
		l := strings.TrimRight(line.String(), " ")
		line.Reset()
		col = 0
		// An opening bracket moves down to what it opens.
		if r, size := utf8.DecodeLastRuneInString(l); size > 0 && size < len(l) && strings.ContainsRune("（「『(", r) {
			l = l[:len(l)-size]
			line.WriteRune(r)
			col = runeWidth(r)
		}
		lines = append(lines, l)
	}
	for len(text) > 0 {
		// The next unit: a run of ASCII non-space bytes, one space, or one
		// non-ASCII rune.
		var unit string
		var w int
		switch r, size := utf8.DecodeRuneInString(text); {
		case r == ' ':
			unit, w = " ", 1
		case r < utf8.RuneSelf:
			end := strings.IndexFunc(text, func(r rune) bool { return r == ' ' || r >= utf8.RuneSelf })
			if end < 0 {
				end = len(text)
			}
			unit, w = text[:end], end
		default:
			unit, w = text[:size], runeWidth(r)
		}
		text = text[len(unit):]
		if unit == " " {
			if col > 0 {
				line.WriteString(" ")
				col++
			}
			continue
		}
		if col > 0 && col+w > width && !closingPunct(unit) {
			flush()
		}
		line.WriteString(unit)
		col += w
	}
	if line.Len() > 0 || len(lines) == 0 {
		lines = append(lines, strings.TrimRight(line.String(), " "))
	}
	return lines
}

// runeWidth is 2 for East Asian wide characters and fullwidth punctuation.
func runeWidth(r rune) int {
	switch {
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf, r >= 0xac00 && r <= 0xd7a3,
		r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f, r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6:
		return 2
	}
	return 1
}

// closingPunct reports units that must not start a line.
func closingPunct(s string) bool {
	return strings.Contains("，。、；：）」』！？,.;:)", s) && s != ""
}
