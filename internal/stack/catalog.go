package stack

import (
	"github.com/dorgu/dorgu-gen/internal/config"

	"maps"
	"slices"
	"strings"
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
	e, _, err := load(cfg, true)
	if err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(e.components))
	w := waves(e.deps, names)
	out := make([]Entry, 0, len(names))
	for _, n := range names {
		c := e.components[n]
		en := Entry{Name: n, Wave: w[n], Required: c.required, EnabledByDefault: c.enabledByDefault, DependsOn: e.deps[n]}
		if en.DependsOn == nil {
			en.DependsOn = []string{}
		}
		en.Description, _ = lookup(c.v, "description").String()
		en.RepoURL, _ = lookup(c.v, "chart", "repoURL").String()
		en.Chart, _ = lookup(c.v, "chart", "name").String()
		v, _ := lookup(c.v, "chart", "version").Default()
		en.Version, _ = v.String()
		ns, _ := lookup(c.v, "#effective", "namespace").Default()
		en.Namespace, _ = ns.String()
		en.Deprecated, _ = lookup(c.v, "deprecated").String()
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
