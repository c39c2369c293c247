package main

import (
	"sort"
	"strings"

	"github.com/eslkit/esl"
)

// closestNames returns up to n catalogue names that look like name: first
// those containing it (or contained in it), then those a few edits away.
func closestNames(name string, n int) []string {
	q := strings.ToUpper(strings.TrimSpace(name))
	if q == "" {
		return nil
	}
	type cand struct {
		name  string
		score int
	}
	var cands []cand
	seen := map[string]bool{}
	for _, kind := range esl.EntryKinds() {
		for _, e := range esl.CatalogEntries(kind, esl.English) {
			if seen[e.Name] {
				continue
			}
			seen[e.Name] = true
			u := strings.ToUpper(e.Name)
			d := editDistance(q, u)
			switch {
			case strings.Contains(u, q) || (len(u) >= 4 && strings.Contains(q, u)):
				// A containing name ranks by how much it adds.
				d = min(d, abs(len(u)-len(q))/4)
			case d > max(2, len(q)/3):
				continue
			}
			cands = append(cands, cand{e.Name, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score < cands[j].score
		}
		return len(cands[i].name) < len(cands[j].name)
	})
	var out []string
	for _, c := range cands {
		if len(out) == n {
			break
		}
		out = append(out, c.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (catalogue names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
