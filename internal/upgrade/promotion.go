package upgrade

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/stack"
)

// PromotionError refuses an upgrade that would take an environment to a
// chart version that no earlier environment of the promotion order runs,
// while an earlier one runs the component: the version-promotion policy's
// rule, checked before the config changes rather than after.
type PromotionError struct {
	Component, Version string
	// Environment is the first environment of the order that would run
	// Version untried, and Clusters its clusters that would.
	Environment string
	Clusters    []string
	// Earlier says what each earlier environment runs.
	Earlier []string
	Order   []string
	// First is the environment to upgrade first: the earliest that runs
	// the component, which nothing stops from taking Version.
	First string
}

func (e *PromotionError) Error() string {
	return fmt.Sprintf("refusing to upgrade %s to %s in %s (%s): no earlier environment runs %s (%s), and the config's promotion order is %s",
		e.Component, e.Version, e.Environment, clusterList(e.Clusters), e.Version, strings.Join(e.Earlier, "; "), strings.Join(e.Order, ", "))
}

func clusterList(names []string) string {
	if len(names) == 1 {
		return "cluster " + names[0]
	}
	return "clusters " + strings.Join(names, ", ")
}

// checkPromotion applies the promotion order to the clusters that move:
// for each environment after the first, in order, some earlier one must
// run the new version already, unless no earlier one runs the component
// at all (nothing to promote from). Environments outside the order are
// free.
func checkPromotion(s *stack.Stack, running map[string]*stack.Component, p *Plan) error {
	order := s.Promotion
	if len(order) == 0 {
		return nil
	}
	runs := map[string]map[string]bool{} // environment → versions
	for name, comp := range running {
		env := clusterOf(s, name).Environment
		if runs[env] == nil {
			runs[env] = map[string]bool{}
		}
		runs[env][comp.Version] = true
	}
	moving := map[string][]string{} // environment → clusters
	for _, m := range p.Changed {
		moving[m.Environment] = append(moving[m.Environment], m.Cluster)
	}
	for i, env := range order {
		if i == 0 || len(moving[env]) == 0 {
			continue
		}
		earlier := order[:i]
		first := ""
		tried := false
		var described []string
		for _, e := range earlier {
			if len(runs[e]) == 0 {
				described = append(described, fmt.Sprintf("%s does not run %s", e, p.Component))
				continue
			}
			if first == "" {
				first = e
			}
			tried = tried || runs[e][p.Version]
			described = append(described, fmt.Sprintf("%s runs %s", e, strings.Join(slices.Sorted(maps.Keys(runs[e])), ", ")))
		}
		if first == "" || tried {
			continue
		}
		return &PromotionError{
			Component: p.Component, Version: p.Version,
			Environment: env, Clusters: moving[env],
			Earlier: described, Order: order, First: first,
		}
	}
	return nil
}
