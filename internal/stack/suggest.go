package stack

import "strings"

// suggest returns the choice closest to got by edit distance, if it is
// close enough to be what was meant.
func suggest(got string, choices []string) string {
	// An abbreviation ("prod" for "production") is what was meant.
	if len(got) >= 3 {
		for _, c := range choices {
			if strings.HasPrefix(c, got) {
				return c
			}
		}
	}
	best, bestD := "", len(got)/2+1
	for _, c := range choices {
		if d := distance(got, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
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

// Suggest returns the choice closest to got, if it is close enough to be
// what was meant, or "": the one did-you-mean of dorgu-gen's messages.
func Suggest(got string, choices []string) string { return suggest(got, choices) }
