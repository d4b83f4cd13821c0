package linkage

import "slices"

// OneToOne keeps, best first, each pair whose left and right records are not
// yet taken: a greedy one-to-one assignment, for when each report can be at
// most one located child and each located child at most one report. Pairs
// must be sorted best first (as Pairs returns them).
func OneToOne(pairs []Pair) []Pair {
	left, right := map[int]bool{}, map[int]bool{}
	var out []Pair
	for _, p := range pairs {
		if left[p.Left] || right[p.Right] {
			continue
		}
		left[p.Left], right[p.Right] = true, true
		out = append(out, p)
	}
	return out
}

// Clusters groups records connected by pairs with probability at least
// threshold (connected components). Records are numbered left rows first,
// then right rows offset by nLeft (for deduplication pass nLeft = 0 and both
// sides are the one dataset). Each cluster is sorted; clusters are ordered by
// their first member; records in no pair are left out.
func Clusters(pairs []Pair, threshold float64, nLeft int) [][]int {
	parent := map[int]int{}
	var find func(int) int
	find = func(x int) int {
		p, ok := parent[x]
		if !ok {
			parent[x] = x
			return x
		}
		if p == x {
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	for _, p := range pairs {
		if p.Probability < threshold {
			continue
		}
		a, b := find(p.Left), find(p.Right+nLeft)
		if a != b {
			if a < b {
				parent[b] = a
			} else {
				parent[a] = b
			}
		}
	}
	groups := map[int][]int{}
	for x := range parent {
		r := find(x)
		groups[r] = append(groups[r], x)
	}
	out := make([][]int, 0, len(groups))
	for _, g := range groups {
		slices.Sort(g)
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	return out
}
