module github.com/eslkit/esl

go 1.26

require (
	go.uber.org/goleak v1.3.0
	golang.org/x/term v0.38.0
)

require golang.org/x/sys v0.39.0 // indirect
