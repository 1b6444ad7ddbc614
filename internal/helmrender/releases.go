package helmrender

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// ChartRef names the chart a component runs in a cluster, at its pinned
// version.
type ChartRef struct {
	Component string
	RepoURL   string
	Name      string
	Version   string
}

// ChartSource provides the charts to render: the chart client (pulled,
// verified against the lock) is one, local chart directories another.
type ChartSource interface {
	Chart(ctx context.Context, ref ChartRef) (*Chart, error)
}

// Release is one component's chart as one cluster runs it: what ArgoCD's
// repo-server renders for the component's Application.
type Release struct {
	Cluster   string
	Component string
	// ValuesPath is the scaffold's values file the Application reads
	// (slash-separated, relative to the scaffold), "" when it reads none.
	ValuesPath string
	// Freeform are the component's free-form values subtrees.
	Freeform []string
	// Origins are where the config's files set the values (see
	// stack.Component.ValueOrigins).
	Origins map[string]string
	Chart   *Chart
	Input   Input
	// DestNamespace is the Application's destination namespace, which
	// namespaced objects without one get.
	DestNamespace string
	// apisFixed is true when the Application names its own API versions
	// (spec.source.helm.apiVersions): the cluster's do not apply then.
	apisFixed bool
	// declared are the API versions the cluster declares.
	declared []string
}

// application is the part of an Application that decides the render.
type application struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Destination struct {
			Namespace string `json:"namespace"`
		} `json:"destination"`
		Source  *appSource  `json:"source"`
		Sources []appSource `json:"sources"`
	} `json:"spec"`
}

type appSource struct {
	Chart string `json:"chart"`
	Ref   string `json:"ref"`
	Helm  *struct {
		ReleaseName    string          `json:"releaseName"`
		Namespace      string          `json:"namespace"`
		KubeVersion    string          `json:"kubeVersion"`
		APIVersions    []string        `json:"apiVersions"`
		ValueFiles     []string        `json:"valueFiles"`
		Values         string          `json:"values"`
		ValuesObject   json.RawMessage `json:"valuesObject"`
		SkipCrds       bool            `json:"skipCrds"`
		SkipTests      bool            `json:"skipTests"`
		Parameters     []any           `json:"parameters"`
		FileParameters []any           `json:"fileParameters"`
	} `json:"helm"`
}

// Releases lists the releases of the written clusters of s, from their
// planned Applications and values files, with their charts from charts.
// keep, when not nil, selects the clusters and components to render.
func Releases(ctx context.Context, s *stack.Stack, tree *scaffold.Tree, charts ChartSource, keep func(cluster, component string) bool) ([]*Release, error) {
	var out []*Release
	// Every missing chart is named at once, not one per run.
	missing := &MissingChartError{}
	for _, c := range s.WrittenClusters() {
		for _, comp := range c.Components {
			if keep != nil && !keep(c.Name, comp.Name) {
				continue
			}
			ref := ChartRef{Component: comp.Name, RepoURL: comp.RepoURL, Name: comp.Chart, Version: comp.Version}
			ch, err := charts.Chart(ctx, ref)
			var me *MissingChartError
			if errors.As(err, &me) {
				for _, r := range me.Refs {
					if !slices.Contains(missing.Refs, r) {
						missing.Refs = append(missing.Refs, r)
					}
				}
				continue
			}
			if err != nil {
				return nil, err
			}
			r, err := newRelease(c, comp, ch, tree)
			if err != nil {
				return nil, fmt.Errorf("%s in cluster %s: %w", comp.Name, c.Name, err)
			}
			out = append(out, r)
		}
	}
	if len(missing.Refs) > 0 {
		return nil, missing
	}
	return out, nil
}

// newRelease reads what the repo-server would from the component's
// Application (reposerver/repository.go, helmTemplate): the release name
// (helm.releaseName, else the Application's name), the namespace
// (helm.namespace, else the destination's), the values files in order,
// inline values last, the Kubernetes and API versions (the source's, else
// the cluster's), skipCrds and skipTests.
func newRelease(c *stack.Cluster, comp *stack.Component, ch *Chart, tree *scaffold.Tree) (*Release, error) {
	var app application
	if err := json.Unmarshal(comp.Application, &app); err != nil {
		return nil, err
	}
	var src *appSource
	if app.Spec.Source != nil && app.Spec.Source.Chart != "" {
		src = app.Spec.Source
	}
	for i := range app.Spec.Sources {
		if app.Spec.Sources[i].Chart != "" {
			src = &app.Spec.Sources[i]
			break
		}
	}
	if src == nil {
		return nil, fmt.Errorf("the Application has no Helm chart source")
	}
	r := &Release{
		Cluster: c.Name, Component: comp.Name, Chart: ch, Freeform: comp.FreeformValues, Origins: comp.ValueOrigins,
		DestNamespace: app.Spec.Destination.Namespace, declared: c.APIVersions,
		Input: Input{ReleaseName: app.Metadata.Name, Namespace: app.Spec.Destination.Namespace},
	}
	kube := c.KubeVersion
	if h := src.Helm; h != nil {
		if len(h.Parameters) > 0 || len(h.FileParameters) > 0 {
			return nil, fmt.Errorf("helm parameters and fileParameters are not rendered by dorgu-gen; set values instead")
		}
		if h.ReleaseName != "" {
			r.Input.ReleaseName = h.ReleaseName
		}
		if h.Namespace != "" {
			r.Input.Namespace = h.Namespace
		}
		if h.KubeVersion != "" {
			kube = h.KubeVersion
		}
		if len(h.APIVersions) > 0 {
			r.Input.APIVersions, r.apisFixed = h.APIVersions, true
		}
		r.Input.SkipCRDs, r.Input.SkipTests = h.SkipCrds, h.SkipTests
		for _, vf := range h.ValueFiles {
			p, ok := strings.CutPrefix(vf, "$values/")
			if !ok {
				return nil, fmt.Errorf("values file %q: only $values/ files of the scaffold are rendered", vf)
			}
			f, ok := tree.Lookup(p)
			if !ok {
				return nil, fmt.Errorf("values file %q: not in the scaffold", vf)
			}
			if r.ValuesPath == "" {
				r.ValuesPath = p
			}
			r.Input.ValuesFiles = append(r.Input.ValuesFiles, f.Content)
		}
		// The repo-server writes inline values to one more file, read last.
		switch {
		case len(h.ValuesObject) > 0 && string(h.ValuesObject) != "null":
			r.Input.ValuesFiles = append(r.Input.ValuesFiles, h.ValuesObject)
		case h.Values != "":
			r.Input.ValuesFiles = append(r.Input.ValuesFiles, []byte(h.Values))
		}
	}
	var err error
	if r.Input.KubeVersion, err = KubeVersionFor(kube, ch.KubeVersion); err != nil {
		return nil, err
	}
	if !r.apisFixed {
		r.Input.APIVersions = clusterAPIs(r.Input.KubeVersion, c.APIVersions, nil)
	}
	return r, nil
}

// clusterAPIs are the API versions of a cluster: Kubernetes' own at its
// version, the ones it declares, and the ones the stack's CRDs add.
func clusterAPIs(kubeVersion string, declared []string, crds map[string]bool) []string {
	set := map[string]bool{}
	for _, v := range BuiltinAPIVersions(kubeVersion) {
		set[v] = true
	}
	for _, v := range declared {
		set[v] = true
	}
	for v := range crds {
		set[v] = true
	}
	return sortedKeys(set)
}
