package bench

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// eslgo's ListenAndServe has no way to stop its listener: the one
		// accept loop per outbound test lives until the process ends.
		goleak.IgnoreAnyFunction("github.com/percipia/eslgo.OutboundOptions.ListenAndServe"),
	)
}
