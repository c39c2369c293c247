//go:build unix

package wire

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) this process has used, so
// benchmarks can report a cost per event that a busy shared machine
// distorts far less than wall-clock time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
