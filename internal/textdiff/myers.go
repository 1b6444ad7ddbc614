package textdiff

// Myers' O(ND) difference algorithm in linear space ("An O(ND) Difference
// Algorithm and Its Variations", 1986, section 4b): find the middle of an
// optimal edit path by searching from both ends at once, then recurse on
// each half. Time grows with the size of the files times the number of
// lines that differ, space only with the size of the files. The search is
// given a budget of work, past which it gives up and the caller falls back
// to the anchored diff, as GNU diff gives up on a costly minimal diff.

type kind byte

const (
	equal kind = ' '
	del   kind = '-'
	ins   kind = '+'
)

// op is one line of the edit script: x[i] or y[j], or both when equal.
type op struct {
	k    kind
	i, j int
}

// myers computes edit scripts between a and b, lines as numbers.
type myers struct {
	a, b   []int
	budget int // steps left
	ops    []op
}

// script returns a shortest edit script turning x into y, or false when
// finding it would take more than budget steps.
func script(x, y []string, budget int) ([]op, bool) {
	ids := map[string]int{}
	number := func(ls []string) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	m := &myers{a: number(x), b: number(y), budget: budget, ops: make([]op, 0, len(x)+len(y))}
	if !m.diff(0, len(x), 0, len(y)) {
		return nil, false
	}
	return m.ops, true
}

// diff appends the script of a[a0:a1] against b[b0:b1].
func (m *myers) diff(a0, a1, b0, b1 int) bool {
	for a0 < a1 && b0 < b1 && m.a[a0] == m.b[b0] {
		m.ops = append(m.ops, op{equal, a0, b0})
		a0, b0 = a0+1, b0+1
	}
	var suffix int
	for a1-suffix > a0 && b1-suffix > b0 && m.a[a1-suffix-1] == m.b[b1-suffix-1] {
		suffix++
	}
	a1s, b1s := a1-suffix, b1-suffix
	switch {
	case a0 == a1s:
		for j := b0; j < b1s; j++ {
			m.ops = append(m.ops, op{ins, a0, j})
		}
	case b0 == b1s:
		for i := a0; i < a1s; i++ {
			m.ops = append(m.ops, op{del, i, b0})
		}
	default:
		x, y, ok := m.bisect(a0, a1s, b0, b1s)
		switch {
		case !ok:
			return false
		case x == a0 && y == b0:
			// Nothing in common: replace the one with the other.
			for i := a0; i < a1s; i++ {
				m.ops = append(m.ops, op{del, i, b0})
			}
			for j := b0; j < b1s; j++ {
				m.ops = append(m.ops, op{ins, a1s, j})
			}
		case !m.diff(a0, x, b0, y) || !m.diff(x, a1s, y, b1s):
			return false
		}
	}
	for k := 0; k < suffix; k++ {
		m.ops = append(m.ops, op{equal, a1s + k, b1s + k})
	}
	return true
}

// bisect finds a point (x, y) on an optimal path through a[a0:a1] and
// b[b0:b1], neither at its end nor, unless the ranges have no line in
// common, at its start, searching forward and backward until the paths
// meet. Both ranges are non-empty and differ in their first and last
// lines. It is false when the budget runs out.
func (m *myers) bisect(a0, a1, b0, b1 int) (int, int, bool) {
	n, mm := a1-a0, b1-b0
	maxD := (n + mm + 1) / 2
	off := maxD
	size := 2*maxD + 2
	v1 := make([]int, size)
	v2 := make([]int, size)
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[off+1], v2[off+1] = 0, 0
	delta := n - mm
	front := delta%2 != 0
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for d := 0; d < maxD; d++ {
		m.budget -= 2*d + 1
		if m.budget < 0 {
			return 0, 0, false
		}
		for k1 := -d + k1start; k1 <= d-k1end; k1 += 2 {
			k1off := off + k1
			var x1 int
			if k1 == -d || (k1 != d && v1[k1off-1] < v1[k1off+1]) {
				x1 = v1[k1off+1]
			} else {
				x1 = v1[k1off-1] + 1
			}
			y1 := x1 - k1
			for x1 < n && y1 < mm && m.a[a0+x1] == m.b[b0+y1] {
				x1++
				y1++
			}
			v1[k1off] = x1
			switch {
			case x1 > n:
				k1end += 2
			case y1 > mm:
				k1start += 2
			case front:
				if k2off := off + delta - k1; k2off >= 0 && k2off < size && v2[k2off] != -1 {
					if x2 := n - v2[k2off]; x1 >= x2 {
						return a0 + x1, b0 + y1, true
					}
				}
			}
		}
		for k2 := -d + k2start; k2 <= d-k2end; k2 += 2 {
			k2off := off + k2
			var x2 int
			if k2 == -d || (k2 != d && v2[k2off-1] < v2[k2off+1]) {
				x2 = v2[k2off+1]
			} else {
				x2 = v2[k2off-1] + 1
			}
			y2 := x2 - k2
			for x2 < n && y2 < mm && m.a[a1-x2-1] == m.b[b1-y2-1] {
				x2++
				y2++
			}
			v2[k2off] = x2
			switch {
			case x2 > n:
				k2end += 2
			case y2 > mm:
				k2start += 2
			case !front:
				if k1off := off + delta - k2; k1off >= 0 && k1off < size && v1[k1off] != -1 {
					x1 := v1[k1off]
					y1 := off + x1 - k1off
					if x1 >= n-x2 {
						return a0 + x1, b0 + y1, true
					}
				}
			}
		}
	}
	// The paths did not meet: the ranges have no line in common.
	return a0, b0, true
}
