package stack

import (
	"maps"
	"slices"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/config"
)

// Entry describes one component a config can run, before any cluster.
type Entry struct {
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	RepoURL          string   `json:"repoURL"`
	Chart            string   `json:"chart"`
	Version          string   `json:"version"`
	Namespace        string   `json:"namespace"`
	Wave             int      `json:"wave"`
	DependsOn        []string `json:"dependsOn"`
	Required         bool     `json:"required"`
	EnabledByDefault bool     `json:"enabledByDefault"`
	Deprecated       string   `json:"deprecated,omitempty"`
}

// Catalog lists the components visible to cfg, embedded and the config's
// own, sorted by wave and name. The wave is the one a cluster running every
// component gets.
func Catalog(cfg *config.Config) ([]Entry, error) {
	e, err := load(cfg, true)
	if err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(e.components))
	// Dependencies by ingress are shown for the persona's default.
	deps := e.graphFor(ingresses[0])
	w := waves(deps, names)
	out := make([]Entry, 0, len(names))
	for _, n := range names {
		c := e.components[n]
		en := Entry{Name: n, Wave: w[n], Required: c.required, EnabledByDefault: c.enabledByDefault, DependsOn: deps[n]}
		if en.DependsOn == nil {
			en.DependsOn = []string{}
		}
		en.Description, _ = c.v.LookupPath(compDescription).String()
		en.RepoURL, _ = c.v.LookupPath(compChartRepoURL).String()
		en.Chart, _ = c.v.LookupPath(compChartName).String()
		v, _ := c.v.LookupPath(compChartVersion).Default()
		en.Version, _ = v.String()
		ns, _ := c.v.LookupPath(compNamespace).Default()
		en.Namespace, _ = ns.String()
		en.Deprecated, _ = c.v.LookupPath(compDeprecated).String()
		out = append(out, en)
	}
	slices.SortStableFunc(out, func(a, b Entry) int {
		if a.Wave != b.Wave {
			return a.Wave - b.Wave
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}
