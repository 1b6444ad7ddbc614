package stack

import (
	"maps"
	"slices"
	"strings"
)

// findCycle returns one dependency cycle as a path that starts and ends at
// the same component, or nil. deps must name only known components.
func findCycle(deps map[string][]string) []string {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var stack []string
	var cycle []string
	var visit func(string) bool
	visit = func(n string) bool {
		state[n] = visiting
		stack = append(stack, n)
		for _, d := range deps[n] {
			switch state[d] {
			case visiting:
				i := slices.Index(stack, d)
				cycle = append(slices.Clone(stack[i:]), d)
				return true
			case unvisited:
				if visit(d) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return false
	}
	for _, n := range slices.Sorted(maps.Keys(deps)) {
		if state[n] == unvisited && visit(n) {
			return cycle
		}
	}
	return nil
}

// waves gives each enabled component its sync wave: 0 without
// dependencies, else one more than its latest dependency. The graph must be
// acyclic and every dependency enabled.
func waves(deps map[string][]string, enabled []string) map[string]int {
	w := make(map[string]int, len(enabled))
	var wave func(string) int
	wave = func(n string) int {
		if v, ok := w[n]; ok {
			return v
		}
		v := 0
		for _, d := range deps[n] {
			v = max(v, wave(d)+1)
		}
		w[n] = v
		return v
	}
	for _, n := range enabled {
		wave(n)
	}
	return w
}

func cycleString(c []string) string { return strings.Join(c, " -> ") }
