// Package cputime reads the CPU time the process has used. Benchmarks
// report costs per CPU second with it, which a busy shared machine
// distorts far less than wall-clock time.
package cputime
