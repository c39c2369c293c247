package esl

import (
	"strconv"
	"strings"

	"github.com/eslkit/esl/internal/wire"
)

// LogLevel is a FreeSWITCH log level (switch_log_level_t). Lower is more
// severe; `log <level>` delivers every line at or below the level.
type LogLevel int

// FreeSWITCH's log levels.
const (
	LogDisable LogLevel = -1 // no log lines ("log DISABLE" stops them)
	LogConsole LogLevel = 0  // CONSOLE: always shown
	LogAlert   LogLevel = 1  // ALERT: action needed now
	LogCrit    LogLevel = 2  // CRIT: critical conditions
	LogErr     LogLevel = 3  // ERR: errors
	LogWarning LogLevel = 4  // WARNING: warnings
	LogNotice  LogLevel = 5  // NOTICE: normal but significant
	LogInfo    LogLevel = 6  // INFO: informational
	LogDebug   LogLevel = 7  // DEBUG: everything
)

var logLevelNames = [...]string{"CONSOLE", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"}

// String returns FreeSWITCH's name for the level ("DEBUG", "ERR", …).
func (l LogLevel) String() string {
	if l == LogDisable {
		return "DISABLE"
	}
	if l >= 0 && int(l) < len(logLevelNames) {
		return logLevelNames[l]
	}
	return "LogLevel(" + strconv.Itoa(int(l)) + ")"
}

// ParseLogLevel parses a level name as the log command accepts it
// (case-insensitive; "ERR", not "ERROR") or a number 0…7.
func ParseLogLevel(s string) (LogLevel, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		if n >= -1 && n <= 7 {
			return LogLevel(n), true
		}
		return 0, false
	}
	if strings.EqualFold(s, "DISABLE") {
		return LogDisable, true
	}
	for i, n := range logLevelNames {
		if strings.EqualFold(s, n) {
			return LogLevel(i), true
		}
	}
	return 0, false
}

// LogRecord is one log/data frame: a FreeSWITCH log line and where it
// came from.
type LogRecord struct {
	// Level is the line's severity (Log-Level).
	Level LogLevel
	// TextChannel is 0 (log), 1 (clean: no prefix in Text), 2 (event) or
	// 3 (session: UserData is the channel UUID).
	TextChannel int
	File        string // source file that logged (Log-File)
	Func        string // function that logged (Log-Func)
	Line        int    // source line that logged (Log-Line)
	// UserData is the session UUID for channel logs, "" otherwise.
	UserData string
	// Text is the formatted line as FreeSWITCH printed it, usually ending
	// in a newline.
	Text string
}

// parseLogRecord copies a log/data frame into a LogRecord. Missing or odd
// headers leave zero values: a log line is never worth dropping.
func parseLogRecord(f *wire.Frame) *LogRecord {
	rec := &LogRecord{Text: string(f.Body)}
	for _, h := range f.Headers {
		switch {
		case wire.EqualFold(h.Name, "Log-Level"):
			n, _ := strconv.Atoi(h.Value)
			rec.Level = LogLevel(n)
		case wire.EqualFold(h.Name, "Text-Channel"):
			rec.TextChannel, _ = strconv.Atoi(h.Value)
		case wire.EqualFold(h.Name, "Log-File"):
			rec.File = h.Value
		case wire.EqualFold(h.Name, "Log-Func"):
			rec.Func = h.Value
		case wire.EqualFold(h.Name, "Log-Line"):
			rec.Line, _ = strconv.Atoi(h.Value)
		case wire.EqualFold(h.Name, "User-Data"):
			rec.UserData = h.Value
		}
	}
	return rec
}
