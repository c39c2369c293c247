package fsim

import "strings"

// expand substitutes ${var} (channel variable, else global) and $${var}
// (global) as switch_channel_expand_variables does for the simple cases.
func (s *Sim) expand(str string, c *channel) string {
	if !strings.Contains(str, "${") {
		return str
	}
	var b strings.Builder
	for i := 0; i < len(str); i++ {
		global := false
		j := i
		if str[i] == '$' && i+2 < len(str) && str[i+1] == '$' && str[i+2] == '{' {
			global, j = true, i+1
		}
		if str[j] == '$' && j+1 < len(str) && str[j+1] == '{' {
			end := strings.IndexByte(str[j+2:], '}')
			if end >= 0 {
				name := str[j+2 : j+2+end]
				v := ""
				if c != nil && !global {
					v = c.getVar(name)
				}
				if v == "" {
					v = s.globals.get(name)
				}
				b.WriteString(v)
				i = j + 2 + end
				continue
			}
		}
		b.WriteByte(str[i])
	}
	return b.String()
}
