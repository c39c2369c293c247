module github.com/eslkit/esl

go 1.26
