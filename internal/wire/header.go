package wire

// Header is one header of a frame or an event, in wire order. Value is
// already percent-decoded. A multi-valued FreeSWITCH header (its scalar form
// is "ARRAY::v1|:v2") keeps all its values in Array, and Value holds the
// first of them so that a plain lookup still sees something sensible.
type Header struct {
	Name  string   // as sent, case preserved
	Value string   // decoded; the first element for an array header
	Array []string // every element of an array header, nil otherwise
}

// Values returns every value of h: the elements of an array header, or its
// single value.
func (h Header) Values() []string {
	if h.Array != nil {
		return h.Array
	}
	return []string{h.Value}
}

// Headers is an ordered list of headers. Names may repeat.
type Headers []Header

// Get returns the value of the first header whose name matches name
// case-insensitively (FreeSWITCH sends both "Unique-ID" and "unique-id").
func (hs Headers) Get(name string) string {
	for i := range hs {
		if EqualFold(hs[i].Name, name) {
			return hs[i].Value
		}
	}
	return ""
}

// Lookup is Get that also reports whether the header exists.
func (hs Headers) Lookup(name string) (string, bool) {
	for i := range hs {
		if EqualFold(hs[i].Name, name) {
			return hs[i].Value, true
		}
	}
	return "", false
}

// EqualFold reports whether a and b are equal under ASCII case folding.
// Header names are ASCII; this avoids strings.EqualFold's Unicode tables on
// the hot path.
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
