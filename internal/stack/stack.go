// Package stack evaluates the CUE sources of a stack: it unifies every
// enabled component with every cluster's persona, validates the result and
// hands back plain data (Applications and Helm values) for the scaffold.
package stack

import (
	"encoding/json"
	"slices"

	"github.com/dorgu/dorgu-gen/internal/finding"
)

// Stack is the evaluated stack: what each cluster runs and with which values.
type Stack struct {
	Repo     Repo
	Clusters []*Cluster // every cluster of the config, sorted by name
	// MultiCluster is true when the config declares more than one cluster,
	// even if only some were selected: it decides the root Application's
	// file name, which must not change with the selection.
	MultiCluster bool
	// Subset is true when --cluster selected some of the config's
	// clusters: the repository-wide files (the README) are then left as
	// they are.
	Subset bool
	// Selected names the clusters to write, sorted; Clusters holds every
	// cluster of the config.
	Selected []string
	// Waivers are the config's exceptions to the policies.
	Waivers []finding.Waiver
	// ChartMirrors maps a chart repository URL (or a prefix of one) to
	// the mirror that dorgu-gen downloads its charts from.
	ChartMirrors map[string]string `json:",omitempty"`
	// Promotion is the order in which a chart version goes through the
	// environments, earliest first; nil without promotion: in the config.
	Promotion []string `json:",omitempty"`
}

// Repo is the Git repository the Applications point at.
type Repo struct {
	URL      string
	Revision string
	// Path is the scaffold's folder inside the repository, slash-separated
	// and clean; "" is the repository's root.
	Path string
	// Placeholder is true when no URL was configured and a placeholder
	// that ArgoCD cannot fetch stands in for it.
	Placeholder bool
}

// PlaceholderRepoURL stands in for an unconfigured repository. The .invalid
// top-level domain cannot resolve, so a forgotten placeholder fails loudly.
const PlaceholderRepoURL = "https://git.example.invalid/REPLACE-ME/infra-gitops.git"

// Cluster is one cluster with its enabled components.
type Cluster struct {
	Name        string
	Environment string
	Provider    string
	// Ingress is how the cluster's components publish their UIs: "nginx"
	// or "gateway".
	Ingress string
	// Root is the root Application that watches clusters/<name>/apps.
	Root json.RawMessage
	// Manages names the clusters whose ArgoCD this cluster is, sorted:
	// they name it in managedBy. A cluster that manages any is a hub.
	Manages []string `json:",omitempty"`
	// Roots is a hub's root of roots, the Application that syncs its own
	// root Application and those of the clusters it manages; nil for a
	// cluster that manages none.
	Roots json.RawMessage `json:",omitempty"`
	// Project is the cluster's AppProject, which its root Application
	// syncs before any component, and ProjectIn what it allows as the
	// components declare it.
	Project   json.RawMessage
	ProjectIn ProjectInput
	// ManagedBy names the hub cluster whose ArgoCD manages this one; ""
	// when the cluster runs its own.
	ManagedBy string
	// KubeVersion is the cluster's declared Kubernetes version, "" when
	// it declares none; APIVersions the API versions it declares beyond
	// Kubernetes' own. Charts are rendered for them.
	KubeVersion string
	APIVersions []string
	// Components are sorted by sync wave, then name.
	Components []*Component
}

// Component is one component as one cluster runs it.
type Component struct {
	Name        string
	Description string
	// RepoURL is the chart's repository as the config names it (https://
	// or oci://), which dorgu-gen downloads from; SourceRepoURL is the
	// same repository as the Application and the AppProject name it for
	// ArgoCD (an OCI registry without oci://).
	RepoURL       string
	SourceRepoURL string
	Chart         string
	Version       string
	Namespace     string
	Wave          int
	Deprecated    string
	// FreeformValues are the dotted paths of values subtrees the chart
	// copies verbatim into a resource: their keys are not checked against
	// the chart's values.yaml.
	FreeformValues []string
	// RequiresSecrets are the Secrets the cluster's operator must create
	// in the component's namespace, which the scaffold README lists.
	RequiresSecrets []RequiredSecret `json:",omitempty"`
	// ValueOrigins says where the config's own files set the component's
	// values: the path of each leaf (keys joined by OriginSep) to its
	// file:line:column. Values from the embedded files are not in it.
	ValueOrigins map[string]string `json:",omitempty"`
	// The documents are compact JSON with sorted keys: a fleet holds tens
	// of thousands of them, and decoded maps cost several times more memory.
	Application json.RawMessage
	Values      json.RawMessage
}

// RequiredSecret is a Secret a component needs from the cluster's operator
// (#RequiredSecret).
type RequiredSecret struct {
	Name        string   `json:"name"`
	Keys        []string `json:"keys"`
	Description string   `json:"description"`
}

// Written reports whether a cluster is one to write; "" (a file or
// finding about no cluster in particular) always is.
func (s *Stack) Written(cluster string) bool {
	return cluster == "" || !s.Subset || slices.Contains(s.Selected, cluster)
}

// WrittenClusters returns the clusters to write.
func (s *Stack) WrittenClusters() []*Cluster {
	var out []*Cluster
	for _, c := range s.Clusters {
		if s.Written(c.Name) {
			out = append(out, c)
		}
	}
	return out
}
