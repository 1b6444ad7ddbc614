package clusterdiff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/ondisk"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// Side is one of the two scaffolds compared.
type Side struct {
	// Label names the side in the output.
	Label string
	// Disk is the scaffold, read from its files.
	Disk *ondisk.Scaffold
	// Charts serve the charts its Applications name.
	Charts helmrender.ChartSource
}

// Cluster is what the files do not say about a cluster and a render
// needs: ArgoCD renders against the live cluster, which is the same
// whichever revision is rendered.
type Cluster struct {
	KubeVersion string
	APIVersions []string
}

// Options tune Compute.
type Options struct {
	// Clusters are the clusters' facts by name; a cluster without any
	// gets Helm's defaults (the newest Kubernetes version its charts
	// allow).
	Clusters map[string]Cluster
	// Keep selects the clusters to compare; nil compares every cluster of
	// either side.
	Keep func(cluster string) bool
	// Cache keeps the first render of each release; nil keeps nothing.
	Cache *cache.Store
	// Parallel bounds the charts rendered at once; 0 means GOMAXPROCS.
	Parallel int
}

// groupKey names an Application of a cluster.
type groupKey struct{ cluster, app string }

// loaded is one side, read and rendered once.
type loaded struct {
	label    string
	rendered []helmrender.Rendered
	// apps are the Application name and chart of each release, by
	// cluster/component.
	apps map[string]release
	// manifests are the objects of the scaffold's own files: what the
	// root Applications sync, and the argocd/ folder.
	manifests map[groupKey][]any
	notes     []string
}

type release struct {
	cluster string
	app     string
	chart   string
	index   int
}

// load reads one side's Applications and renders their charts.
func load(ctx context.Context, side Side, opts Options) (*loaded, error) {
	disk := side.Disk
	disk.Classify()
	l := &loaded{label: side.Label, apps: map[string]release{}, manifests: map[groupKey][]any{}}
	keep := func(c string) bool { return opts.Keep == nil || opts.Keep(c) }

	values := &scaffold.Tree{}
	for _, f := range disk.Files {
		if f.Kind == scaffold.Values && disk.Readable(f.Path) {
			values.Files = append(values.Files, scaffold.File{Path: f.Path, Kind: scaffold.Values, Cluster: f.Cluster, Component: f.Component, Content: f.Content})
		}
	}
	roots := rootNames(disk)
	s := &stack.Stack{}
	clusters := map[string]*stack.Cluster{}
	for _, f := range disk.Files {
		folder := path.Dir(f.Path)
		var cluster string
		switch {
		case folder == "argocd":
			cluster = f.Cluster
		case path.Base(folder) == "apps":
			cluster = clusterOf(f.Path)
		default:
			continue
		}
		if !keep(cluster) {
			continue
		}
		if !disk.Readable(f.Path) {
			l.notes = append(l.notes, fmt.Sprintf("%s: %s does not read one way (dorgu-gen vet says why), so its objects were not compared", side.Label, f.Path))
			continue
		}
		g := groupKey{cluster, ArgoCDFolder}
		if folder != "argocd" {
			g.app = roots[cluster]
		}
		for _, o := range f.Objects {
			l.manifests[g] = append(l.manifests[g], o.Content)
		}
		if f.Kind != scaffold.Application || f.Doc == nil {
			continue
		}
		comp, why := component(f, values)
		if comp == nil {
			if why != "" {
				l.notes = append(l.notes, fmt.Sprintf("%s: %s: %s, so what it deploys was not rendered", side.Label, f.Path, why))
			}
			continue
		}
		c := clusters[cluster]
		if c == nil {
			facts := opts.Clusters[cluster]
			c = &stack.Cluster{Name: cluster, KubeVersion: facts.KubeVersion, APIVersions: facts.APIVersions}
			clusters[cluster] = c
			s.Clusters = append(s.Clusters, c)
		}
		c.Components = append(c.Components, comp)
		name, _ := asMap(asMap(f.Doc)["metadata"])["name"].(string)
		if name == "" {
			name = f.Component
		}
		l.apps[cluster+"/"+comp.Name] = release{cluster: cluster, app: name, chart: comp.Chart + " " + comp.Version}
	}
	rels, err := helmrender.Releases(ctx, s, values, ociSource{side.Charts}, nil)
	if err != nil {
		return nil, err
	}
	if l.rendered, err = helmrender.RenderAll(ctx, rels, helmrender.Options{Cache: opts.Cache, Parallel: opts.Parallel}); err != nil {
		return nil, err
	}
	for i, r := range l.rendered {
		k := r.Cluster + "/" + r.Component
		rel := l.apps[k]
		rel.index = i
		l.apps[k] = rel
	}
	return l, nil
}

// component is the Application file f as a component to render, or nil
// with why not ("" when it is not a Helm Application at all: its objects
// are the files of another folder, which are not the scaffold's).
func component(f ondisk.File, values *scaffold.Tree) (*stack.Component, string) {
	src, ok := ondisk.HelmSource(f.Doc)
	if !ok {
		return nil, "it has no Helm chart source"
	}
	if helm := asMap(src["helm"]); helm["parameters"] != nil || helm["fileParameters"] != nil {
		return nil, "it sets helm parameters, which dorgu-gen does not render"
	}
	if !ondisk.ValuesOnDisk(src, values) {
		return nil, "a values file it names is not a values file of the scaffold that reads one way"
	}
	app, err := json.Marshal(f.Doc)
	if err != nil {
		return nil, err.Error()
	}
	str := func(k string) string { s, _ := src[k].(string); return s }
	return &stack.Component{Name: f.Component, Application: app, RepoURL: str("repoURL"), Chart: str("chart"), Version: str("targetRevision")}, ""
}

// rootNames are the names of the root Applications that sync each
// cluster's apps folder, by cluster; a cluster without one gets the name
// render gives it.
func rootNames(disk *ondisk.Scaffold) map[string]string {
	names := map[string]string{}
	for _, f := range disk.Files {
		if f.Kind != scaffold.RootApplication {
			continue
		}
		for _, o := range f.Objects {
			spec := asMap(asMap(o.Content)["spec"])
			p, _ := asMap(spec["source"])["path"].(string)
			parts := strings.Split(strings.Trim(path.Clean(p), "/"), "/")
			name, _ := asMap(asMap(o.Content)["metadata"])["name"].(string)
			if len(parts) == 3 && parts[0] == "clusters" && parts[2] == "apps" && name != "" {
				if _, ok := names[parts[1]]; !ok {
					names[parts[1]] = name
				}
			}
		}
	}
	var clusters []string
	for _, f := range disk.Files {
		if c := clusterOf(f.Path); c != "" && !slices.Contains(clusters, c) {
			clusters = append(clusters, c)
		}
	}
	for _, c := range clusters {
		if _, ok := names[c]; !ok {
			names[c] = c + "-root"
		}
	}
	return names
}

func clusterOf(p string) string {
	if parts := strings.Split(p, "/"); len(parts) > 2 && parts[0] == "clusters" {
		return parts[1]
	}
	return ""
}

// ociSource finds the chart of an OCI source: ArgoCD's Application names
// the registry without oci://, the lock and the chart client with it.
type ociSource struct{ helmrender.ChartSource }

func (s ociSource) Chart(ctx context.Context, ref helmrender.ChartRef) (*helmrender.Chart, error) {
	c, err := s.ChartSource.Chart(ctx, ref)
	var me *helmrender.MissingChartError
	if errors.As(err, &me) && !strings.Contains(ref.RepoURL, "://") && ref.RepoURL != "" {
		oci := ref
		oci.RepoURL = "oci://" + ref.RepoURL
		if c, err2 := s.ChartSource.Chart(ctx, oci); err2 == nil {
			return c, nil
		}
	}
	return c, err
}

// sameRelease reports whether two releases render the same objects: the
// same chart bytes and the same inputs.
func sameRelease(a, b helmrender.Rendered) bool {
	if a.Chart.Digest != b.Chart.Digest || a.DestNamespace != b.DestNamespace {
		return false
	}
	x, err1 := json.Marshal(a.Input)
	y, err2 := json.Marshal(b.Input)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func asMap(x any) map[string]any {
	m, _ := x.(map[string]any)
	return m
}
