package ondisk

import (
	"strings"

	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
)

// Readable reports whether the file at p is read one way, as ArgoCD and
// Helm read it: not refused with a yaml finding.
func (s *Scaffold) Readable(p string) bool {
	return len(s.Filter([]finding.Finding{{File: p}})) == 1
}

// HelmSource returns the Helm chart source of an Application, as the
// repo-server picks it: spec.source, else the first of spec.sources that
// names a chart.
func HelmSource(doc any) (map[string]any, bool) {
	spec, _ := asMap(doc)["spec"].(map[string]any)
	if src, ok := spec["source"].(map[string]any); ok && str(src, "chart") != "" {
		return src, true
	}
	srcs, _ := spec["sources"].([]any)
	for _, x := range srcs {
		if src, ok := x.(map[string]any); ok && str(src, "chart") != "" {
			return src, true
		}
	}
	return nil, false
}

// ValuesOnDisk reports whether every $values file a chart source reads is
// a file of values: the render needs them all.
func ValuesOnDisk(src map[string]any, values *scaffold.Tree) bool {
	helm, _ := src["helm"].(map[string]any)
	files, _ := helm["valueFiles"].([]any)
	for _, x := range files {
		v, _ := x.(string)
		p, ok := strings.CutPrefix(v, "$values/")
		if !ok {
			return false
		}
		if _, ok := values.Lookup(p); !ok {
			return false
		}
	}
	return true
}

func asMap(x any) map[string]any {
	m, _ := x.(map[string]any)
	return m
}
