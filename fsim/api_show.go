package fsim

import (
	"github.com/eslkit/esl/internal/wire"

	"strconv"
	"strings"
)

// Columns of FreeSWITCH's core database views that "show channels" and
// "show calls" print.
var channelColumns = []string{"uuid", "direction", "created", "created_epoch", "name", "state",
	"cid_name", "cid_num", "ip_addr", "dest", "application", "application_data", "dialplan", "context",
	"read_codec", "read_rate", "read_bit_rate", "write_codec", "write_rate", "write_bit_rate", "secure",
	"hostname", "presence_id", "presence_data", "accountcode", "callstate", "callee_name", "callee_num",
	"callee_direction", "call_uuid", "sent_callee_name", "sent_callee_num", "initial_cid_name",
	"initial_cid_num", "initial_ip_addr", "initial_dest", "initial_dialplan", "initial_context"}

var callColumns = []string{"uuid", "direction", "created", "created_epoch", "name", "state", "cid_name",
	"cid_num", "ip_addr", "dest", "presence_id", "presence_data", "accountcode", "callstate",
	"callee_name", "callee_num", "callee_direction", "call_uuid", "hostname", "sent_callee_name",
	"sent_callee_num", "b_uuid", "b_direction", "b_created", "b_created_epoch", "b_name", "b_state",
	"b_cid_name", "b_cid_num", "b_ip_addr", "b_dest", "b_presence_id", "b_presence_data",
	"b_accountcode", "b_callstate", "b_callee_name", "b_callee_num", "b_callee_direction",
	"b_sent_callee_name", "b_sent_callee_num", "call_created_epoch"}

func apiShow(s *Sim, c *apiCall) (string, bool) {
	args := tokens(c.args)
	if len(args) == 0 {
		return "-USAGE: codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calllog|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits|status\n", true
	}
	asJSON := len(args) >= 3 && strings.EqualFold(args[len(args)-2], "as") && strings.EqualFold(args[len(args)-1], "json")
	count := len(args) >= 2 && strings.EqualFold(args[1], "count")
	var cols []string
	var rows [][]string
	switch strings.ToLower(args[0]) {
	case "channels":
		cols = channelColumns
		for _, ch := range s.liveChannels() {
			rows = append(rows, ch.showRow())
		}
	case "calls":
		cols = callColumns
		rows = s.callRows()
	default:
		return "", false
	}
	if count {
		return "\n" + strconv.Itoa(len(rows)) + " total.\n", true
	}
	if asJSON {
		return showJSON(cols, rows), true
	}
	if len(rows) == 0 {
		return "\n0 total.\n", true
	}
	var b strings.Builder
	b.WriteString(strings.Join(cols, ","))
	b.WriteByte('\n')
	for _, r := range rows {
		b.WriteString(strings.Join(r, ","))
		b.WriteByte('\n')
	}
	b.WriteString("\n" + strconv.Itoa(len(rows)) + " total.\n")
	return b.String(), true
}

// showJSON prints the rows as cJSON_Print does (tab-indented).
func showJSON(cols []string, rows [][]string) string {
	if len(rows) == 0 {
		return "{\"row_count\": 0}\n"
	}
	var b []byte
	b = append(b, "{\n\t\"row_count\":\t"...)
	b = strconv.AppendInt(b, int64(len(rows)), 10)
	b = append(b, ",\n\t\"rows\":\t["...)
	for i, r := range rows {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, "{\n"...)
		for j, col := range cols {
			b = append(b, "\t\t\t"...)
			b = wire.AppendJSONString(b, col)
			b = append(b, ":\t"...)
			b = wire.AppendJSONString(b, r[j])
			if j < len(cols)-1 {
				b = append(b, ',')
			}
			b = append(b, '\n')
		}
		b = append(b, "\t\t}"...)
	}
	b = append(b, "]\n}\n"...)
	return string(b)
}

func (s *Sim) liveChannels() []*channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*channel, 0, len(s.order))
	out = append(out, s.order...)
	return out
}
