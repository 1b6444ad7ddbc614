// Package charts gets the Helm charts a stack deploys: it resolves each
// chart at its pinned version in its HTTP repository (index.yaml) or OCI
// registry, downloads it (from a mirror where one is configured), checks
// its bytes against the repository's digest and dorgu.lock, validates the
// archive with Helm's loader, and keeps it in dorgu-gen's cache, addressed
// by its sha256. It also lists the releases a repository publishes (its
// index, a registry's tags), newest first in SemVer order, and keeps what
// it read for listing offline.
//
// Everything that reaches the network goes through a Client, which knows
// the mirrors, the offline switch, the bounds and the cache, and nothing
// of flags. The repository index, the registry protocol and chart loading
// are Helm's (helm.sh/helm/v4), as ArgoCD's repo-server uses them.
package charts

import (
	"slices"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// Ref names one chart version as the Applications do: the upstream
// repository URL (https:// or oci://), the bare chart name, the version.
type Ref struct {
	RepoURL string `json:"repoURL"`
	Chart   string `json:"chart"`
	Version string `json:"version"`
}

func (r Ref) String() string {
	return r.Entry("").String()
}

// Entry returns the lock entry of r with digest d.
func (r Ref) Entry(d string) chartlock.Entry {
	return chartlock.Entry{RepoURL: r.RepoURL, Chart: r.Chart, Version: r.Version, Digest: d}
}

// RefOf is the chart an entry locks.
func RefOf(e chartlock.Entry) Ref { return Ref{RepoURL: e.RepoURL, Chart: e.Chart, Version: e.Version} }

// Find returns the lock entry of r.
func Find(l *chartlock.Lock, r Ref) (chartlock.Entry, bool) {
	return l.Find(r.RepoURL, r.Chart, r.Version)
}

// Refs lists the chart versions a stack deploys, every cluster's, each
// once, in the lock's order. Every cluster counts, not only those selected
// with --cluster: the lock belongs to the whole config.
func Refs(s *stack.Stack) []Ref {
	seen := map[Ref]bool{}
	var out []Ref
	for _, c := range s.Clusters {
		for _, comp := range c.Components {
			r := Ref{RepoURL: comp.RepoURL, Chart: comp.Chart, Version: comp.Version}
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, compareRefs)
	return out
}

func compareRefs(a, b Ref) int { return chartlock.Compare(a.Entry(""), b.Entry("")) }
