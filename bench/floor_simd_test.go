//go:build goexperiment.simd && amd64

package bench

import (
	"math/bits"
	"simd/archsimd"
	"unsafe"
)

// With GOEXPERIMENT=simd (bench/run sets it for this floor alone), the
// index floor again with AVX2 and no search calls: 64 bytes at a time are
// compared with the structural bytes, and the positions of the matches
// are taken from the bitmaps. It only records positions (plain: every
// '\n' and ':'; json: every '"'), which is less than a header index.
func init() {
	if !archsimd.X86.AVX2() {
		return
	}
	decodeFloors = append(decodeFloors, decodeFloor{"floor-simd", simdPositions, countStructural})
}

// simdPositions records the position of every structural byte of b.
func simdPositions(b []byte, format string) int {
	first, second := byte('\n'), byte(':')
	if format == "json" {
		first, second = '"', '"'
	}
	c1 := archsimd.BroadcastUint8x32(first)
	c2 := archsimd.BroadcastUint8x32(second)
	ps := posScratch[:0]
	n := len(b) &^ 63
	for blk := 0; blk < n; blk += 64 {
		lo := archsimd.LoadUint8x32((*[32]uint8)(unsafe.Pointer(&b[blk])))
		hi := archsimd.LoadUint8x32((*[32]uint8)(unsafe.Pointer(&b[blk+32])))
		m := uint64(lo.Equal(c1).Or(lo.Equal(c2)).ToBits()) |
			uint64(hi.Equal(c1).Or(hi.Equal(c2)).ToBits())<<32
		for m != 0 {
			ps = append(ps, int32(blk+bits.TrailingZeros64(m)))
			m &= m - 1
		}
	}
	for i := n; i < len(b); i++ {
		if b[i] == first || b[i] == second {
			ps = append(ps, int32(i))
		}
	}
	posScratch = ps
	return len(ps)
}

// countStructural counts what simdPositions finds, one byte at a time.
func countStructural(b []byte, format string) int {
	first, second := byte('\n'), byte(':')
	if format == "json" {
		first, second = '"', '"'
	}
	k := 0
	for _, c := range b {
		if c == first || c == second {
			k++
		}
	}
	return k
}
