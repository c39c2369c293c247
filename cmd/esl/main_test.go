package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test of the esl command leaves a goroutine
// behind (shared by every subcommand's tests in this package), and removes
// the binary the terminal tests built.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { removeBuilt() }))
}
