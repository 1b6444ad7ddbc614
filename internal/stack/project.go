package stack

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/config"
)

// GroupKind is a Kubernetes resource kind, as AppProjects list them.
type GroupKind struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
}

// Compare orders kinds by group, then kind.
func (a GroupKind) Compare(b GroupKind) int {
	if a.Group != b.Group {
		return strings.Compare(a.Group, b.Group)
	}
	return strings.Compare(a.Kind, b.Kind)
}

// ProjectInput is what a cluster's AppProject allows (schema #Project's
// #in), each list sorted: the repositories its Applications read, the
// namespaces they deploy to, and the cluster-scoped kinds they create.
type ProjectInput struct {
	SourceRepos      []string    `json:"sourceRepos"`
	Namespaces       []string    `json:"namespaces"`
	ClusterResources []GroupKind `json:"clusterResources"`
}

// project evaluates a cluster's AppProject from what it allows: schema
// #Project is the one model of it, whatever decides the input.
func (e *evaluator) project(persona map[string]any, in ProjectInput) (json.RawMessage, error) {
	project := e.root.LookupPath(pathProjectDef).Unify(e.args.FillPath(argCluster, persona).FillPath(argIn, in))
	return document(project.LookupPath(pathAppProject))
}

// Projects evaluates the AppProjects of the named clusters of cfg from
// other inputs than their components' declarations: what their charts
// render, once the charts step knows it. It loads the sources again (a
// stack read from the cache has no CUE values), so it is for the clusters
// whose project is not cached.
func Projects(cfg *config.Config, ins map[string]ProjectInput) (map[string]json.RawMessage, error) {
	e, err := load(cfg, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, len(ins))
	for name, in := range ins {
		cv, ok := e.clusters[name]
		if !ok {
			return nil, fmt.Errorf("no cluster %s in the config", name)
		}
		persona, err := concrete(cv)
		if err != nil {
			return nil, err
		}
		if out[name], err = e.project(persona, in); err != nil {
			return nil, err
		}
	}
	return out, nil
}
