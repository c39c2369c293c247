//go:build !unix

package bench

import "time"

// cpuTime is not measured on this platform (0 means unknown).
func cpuTime() time.Duration { return 0 }
