// Package bench measures eslkit against the other Go ESL libraries that the
// Go module proxy serves (github.com/percipia/eslgo, github.com/cgrates/fsock),
// with identical workloads fed the same bytes: real FreeSWITCH captures from
// ../testdata/freeswitch.
//
// It is a separate module so that the peer libraries never become
// dependencies of eslkit itself. Run every benchmark with ./run (it writes
// ../BENCHMARKS.md), or one row by name, e.g.
//
//	go test -run '^$' -bench 'BenchmarkDecode/eslkit/plain'
//
// Workloads (each adapter lives in lib_<library>.go):
//
//   - Decode: a captured server→client stream decoded from memory.
//   - Ingest: a capture replayed over loopback TCP into the library's event API.
//   - API: api round-trips on one connection, 1 and 64 concurrent callers.
//   - BgAPI: bgapi jobs with their BACKGROUND_JOB results delivered.
//   - Outbound: call sessions accepted and driven to a first execute-complete.
//
// Next to the libraries run floors (floor_test.go): the least work any
// library must do for a workload, done alone, so that each target can be
// checked against what the machine allows.
package bench
