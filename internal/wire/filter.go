package wire

import (
	"regexp"
	"strings"
)

// FilterRegexp compiles an event-socket filter value written as
// /pattern/flags (FreeSWITCH hands it to PCRE) into Go's regexp, with the
// i and s flags carried over. It reports false for a value that is not in
// that form or uses what RE2 lacks: such a filter never matches, which is
// how both the client and the simulator treat it.
func FilterRegexp(v string) (*regexp.Regexp, bool) {
	end := strings.LastIndexByte(v, '/')
	if len(v) < 2 || v[0] != '/' || end <= 0 {
		return nil, false
	}
	pat, flags := v[1:end], v[end+1:]
	prefix := ""
	if strings.Contains(flags, "i") {
		prefix += "i"
	}
	if strings.Contains(flags, "s") {
		prefix += "s"
	}
	if prefix != "" {
		pat = "(?" + prefix + ")" + pat
	}
	re, err := regexp.Compile(pat)
	return re, err == nil
}
