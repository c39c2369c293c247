package wire

import "testing"

func TestFilterRegexp(t *testing.T) {
	for _, c := range []struct {
		v, s    string
		ok, hit bool
	}{
		{"/^CHANNEL_/", "CHANNEL_CREATE", true, true},
		{"/^channel_/", "CHANNEL_CREATE", true, false},
		{"/^channel_/i", "CHANNEL_CREATE", true, true},
		{"/a.b/s", "a\nb", true, true},
		{"/a.b/", "a\nb", true, false},
		{"/(?<=x)y/", "xy", false, false}, // lookbehind: PCRE only
		{"/", "x", false, false},
		{"plain", "plain", false, false},
	} {
		re, ok := FilterRegexp(c.v)
		if ok != c.ok || ok && re.MatchString(c.s) != c.hit {
			t.Errorf("FilterRegexp(%q) on %q: ok %v, want ok %v hit %v", c.v, c.s, ok, c.ok, c.hit)
		}
	}
}
