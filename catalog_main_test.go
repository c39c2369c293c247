package esl

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test of package esl leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
