package textdiff

import (
	"fmt"
	"strings"
)

// MaxBytes bounds the diffs one run shows, over all its files together: a
// render that rewrites a fleet, or a pull request that replaces every
// file, would otherwise pour megabytes that nobody reads into a terminal,
// a CI log or a report.
const MaxBytes = 1 << 20

// Budget is what is left of a run's bound on the diffs it shows.
type Budget struct {
	max, left int
	// cut counts the diffs cut short or not shown.
	cut int
}

// NewBudget returns a budget of max bytes.
func NewBudget(max int) *Budget { return &Budget{max: max, left: max} }

// Unified returns the diff Unified returns, as much of it as is left of
// the budget: cut at the end of a line, with a line saying what was cut,
// or only that line once the budget is spent.
func (b *Budget) Unified(nameA, nameB string, x, y []byte) string {
	if b.left == 0 {
		if string(x) == string(y) {
			return ""
		}
		b.cut++
		return fmt.Sprintf("[diff of %s not shown: the diffs shown reached their limit of %s]\n", nameB, size(b.max))
	}
	d := Unified(nameA, nameB, x, y)
	if len(d) <= b.left {
		b.left -= len(d)
		return d
	}
	b.cut++
	keep := d[:b.left]
	keep = keep[:strings.LastIndexByte(keep, '\n')+1]
	b.left = 0
	rest := d[len(keep):]
	return keep + fmt.Sprintf("[diff cut here: %d more lines (%d bytes) not shown; the diffs shown reached their limit of %s]\n", strings.Count(rest, "\n"), len(rest), size(b.max))
}

// Cut returns how many diffs were cut short or not shown.
func (b *Budget) Cut() int { return b.cut }

// Limit returns the budget's bound, for messages ("1 MiB").
func (b *Budget) Limit() string { return size(b.max) }

func size(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
