module github.com/eslkit/esl/bench

go 1.26

require (
	github.com/cgrates/fsock v0.0.0-20241217115946-62b079e0b9bc
	github.com/eslkit/esl v0.0.0-00010101000000-000000000000
	github.com/percipia/eslgo v1.5.0
	go.uber.org/goleak v1.3.0
)

replace github.com/eslkit/esl => ..
