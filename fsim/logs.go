package fsim

import (
	"bufio"
	"fmt"
	"strconv"
)

// logLine is one log/data frame (§3.9).
type logLine struct {
	level   int
	channel int // Text-Channel: 0 log, 3 session
	file    string
	fn      string
	line    int
	uuid    string
	text    string
}

var levelNames = [...]string{"CONSOLE", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"}

// Log levels used by the simulated core.
const (
	logErr    = 3
	logNotice = 5
	logInfo   = 6
	logDebug  = 7
)

func (ln *logLine) write(w *bufio.Writer) {
	w.WriteString("Content-Type: log/data\nContent-Length: ")
	w.WriteString(strconv.Itoa(len(ln.text)))
	w.WriteString("\nLog-Level: ")
	w.WriteString(strconv.Itoa(ln.level))
	w.WriteString("\nText-Channel: ")
	w.WriteString(strconv.Itoa(ln.channel))
	w.WriteString("\nLog-File: " + ln.file + "\nLog-Func: " + ln.fn + "\nLog-Line: ")
	w.WriteString(strconv.Itoa(ln.line))
	w.WriteString("\nUser-Data: " + ln.uuid + "\n\n")
	w.WriteString(ln.text)
}

// logf sends a log line to every listener logging at that level, formatted
// as FreeSWITCH's console line.
func (s *Sim) logf(level int, o origin, uuid string, format string, args ...any) {
	ls := *s.listeners.Load()
	if len(ls) == 0 {
		return
	}
	var ln *logLine
	for _, l := range ls {
		l.mu.Lock()
		if l.logOn && level <= l.logLevel {
			if ln == nil {
				now := s.clock.Now().In(s.loc)
				msg := fmt.Sprintf(format, args...)
				ln = &logLine{level: level, channel: 3, file: o.file, fn: o.fn, line: o.line, uuid: uuid,
					text: now.Format("2006-01-02 15:04:05.000000") + " 99.00% [" + levelNames[level] + "] " +
						o.file + ":" + strconv.Itoa(o.line) + " " + msg + "\n"}
			}
			if len(l.logs) >= s.opts.QueueLimit {
				l.lostLogs++
				if l.lostLogs > 500 {
					l.mu.Unlock()
					l.killLost(noticeLostLogs)
					continue
				}
			} else {
				l.lostLogs = 0
				l.logs = append(l.logs, ln)
			}
			l.mu.Unlock()
			l.signal()
			continue
		}
		l.mu.Unlock()
	}
}
