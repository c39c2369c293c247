package main

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const sample = `goos: linux
BenchmarkDecode/newline-scan/plain-2   3  800000 ns/op  0 allocs/event  6000000 events/s  160 ns/event
BenchmarkDecode/eslkit/plain-2         3  17000000 ns/op  3.0 allocs/event  300000 events/s  3400 ns/event
BenchmarkDecode/eslkit/plain-2         3  17000000 ns/op  3.0 allocs/event  200000 events/s  3600 ns/event
BenchmarkDecode/eslkit/plain-2         3  17000000 ns/op  3.0 allocs/event  100000 events/s  3500 ns/event
BenchmarkDecode/eslgo/plain-2          3  69000000 ns/op  139 allocs/event  50000 events/s  14000 ns/event
BenchmarkIngest/eslkit-2               5  100 ns/op  400000 events/s  0 lost/op
BenchmarkAPI/eslkit/callers=64-2       9  100 ns/op  1000000 ops/s  100 p50-µs  900 p99-µs  0 wrong/op
BenchmarkAPI/eslgo/callers=64-2        9  100 ns/op  200000 ops/s  300 p50-µs  4000 p99-µs  0.02 wrong/op
PASS
`

func TestReportJudgesDecodePerCPUSecond(t *testing.T) {
	r, err := parse(strings.NewReader(`BenchmarkDecode/eslkit/plain-2 3 1 ns/op 400000 events/cpu-s 300000 events/s 3000 ns/event
BenchmarkDecode/fsock/plain-2 3 1 ns/op 80000 events/cpu-s 30000 events/s 30000 ns/event
`))
	if err != nil {
		t.Fatal(err)
	}
	want := "| decode plain ≥ 5× the fastest peer | 5.0× fsock per CPU-second (wall clock: 10.0× fsock) | yes |"
	if md := render(r, "", ""); !strings.Contains(md, want) {
		t.Fatalf("report lacks %q\n%s", want, md)
	}
}

func TestReportMediansRatiosAndTargets(t *testing.T) {
	r, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := r.get("BenchmarkDecode/eslkit/plain", "events/s"); v != 200000 {
		t.Fatalf("median events/s = %v, want 200000", v)
	}
	md := render(r, "Machine: test", "")
	for _, want := range []string{
		"| decode plain (events/s) | 200k | 50k (×4.0) | n/a |",
		"| decode plain ≥ 5× the fastest peer | 4.0× eslgo | **no** |",
		"| decode plain within 3× of newline-scan | 21.9× (3500 vs 160 ns/event) | **no** |",
		"| ingest ≥ 300,000 events/s, none lost | 400k events/s, lost 0 per replay (worst run 0) | yes |",
		"| 64-caller api ≥ 10× the best peer (fsim) | 5.0× eslgo (1.00M vs 200k ops/s) | **no** |",
		"| BenchmarkAPI/eslgo/callers=64 | 200k ops/s | 300 µs | 4000 µs | — | 0.020 |",
		"Machine: test",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q\n%s", want, md)
		}
	}
}

func TestReportComparesTargetsWithFloors(t *testing.T) {
	r, err := parse(strings.NewReader(sample + `BenchmarkDecode/floor-copy/plain-2  3  1 ns/op  320 ns/event  500000 events/s
BenchmarkDecode/floor-index/plain-2  3  1 ns/op  1600 ns/event  100000 events/s
BenchmarkAPI/wire-floor/callers=64-2  9  100 ns/op  1500000 ops/s
BenchmarkAPI/wire-floor/callers=1-2  9  100 ns/op  100000 ops/s
BenchmarkAPI/eslkit/callers=1-2  9  100 ns/op  80000 ops/s
BenchmarkAPI/fsock/callers=1-2  9  100 ns/op  95000 ops/s
`))
	if err != nil {
		t.Fatal(err)
	}
	md := render(r, "", "")
	for _, want := range []string{
		"- decode plain: 3× newline-scan allows 480 ns/event; eslkit takes 3500. floor-copy alone takes 320 (2.0×). floor-index alone takes 1600 (10.0×). A decoder reading from an io.Reader does at least the copy and an index: 12.0× together.\n",
		"- api, 64 callers via fsim: 10× the best peer (eslgo) needs 2.00M ops/s; the wire floor reaches 1.50M (7.5× eslgo), and eslkit 1.00M (67% of the floor).\n",
		"| 64-caller api ≥ 10× the best peer (fsim) | 5.0× eslgo (1.00M vs 200k ops/s); the wire floor reaches 7.5× | **no** |",
		"- api, 1 caller via fsim (bound by latency, not CPU): the wire floor reaches 100k ops/s; eslkit 80k (80% of it), the best peer (fsock) 95k (95%).\n",
		"| BenchmarkDecode/floor-index/plain | 100k | — | 1600 | 0.0 | 0 | eslkit takes 2.2× this floor's time |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q\n%s", want, md)
		}
	}
	if strings.Contains(md, "BenchmarkDecode/floor-simd") || strings.Contains(md, "floor-simd alone") {
		t.Error("a floor that did not run has a row")
	}
}
