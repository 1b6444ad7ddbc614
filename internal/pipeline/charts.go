package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/limits"
	"github.com/dorgu/dorgu-gen/internal/manifests"
	"github.com/dorgu/dorgu-gen/internal/policy"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// ChartsFunc decides the charts step of a run, once the config is loaded
// and evaluated: it returns where the charts come from, or nil to skip the
// step (no dorgu.lock, --no-charts). An error, such as a chart that is
// neither cached nor downloadable, ends the run before anything is
// written. The engine knows nothing of flags and lock files: the command
// decides.
type ChartsFunc func(ctx context.Context, cfg *config.Config, s *stack.Stack) (helmrender.ChartSource, error)

// Option tunes Render.
type Option func(*options)

type options struct {
	charts ChartsFunc
}

// WithCharts runs the charts step between planning and the policies, as
// charts decides.
func WithCharts(charts ChartsFunc) Option { return func(o *options) { o.charts = charts } }

// Charts is the charts step: the values of every component of the written
// clusters are checked against its chart, the charts are rendered as
// ArgoCD renders them, every rendered object becomes an input of the
// policies (Check), and each written cluster's AppProject is planned again
// from those objects, so that it allows exactly the namespaces and
// cluster-scoped kinds they need. The values checks' findings join the
// policies' in Check.
func (r *Result) Charts(ctx context.Context, charts helmrender.ChartSource) error {
	built, err := manifests.Build(ctx, r.Stack, r.all, charts, manifests.Options{Cache: r.cache})
	if err != nil {
		return err
	}
	r.Manifests = built
	return r.reproject(ctx)
}

// reproject plans the AppProject of every written cluster from what its
// charts render. A project whose input is the one its components declare
// is already planned; the others are evaluated by schema #Project, the one
// model of a project, from the cache when it holds them.
func (r *Result) reproject(ctx context.Context) error {
	ins := ProjectInputs(r.Stack, r.Manifests.Releases)
	todo := map[string]stack.ProjectInput{}
	projects := map[string]json.RawMessage{}
	keys := map[string]cache.Key{}
	for _, c := range r.Stack.WrittenClusters() {
		in, ok := ins[c.Name]
		if !ok || sameInput(in, c.ProjectIn) {
			continue
		}
		if r.cache != nil {
			keys[c.Name] = r.projectKey(c.Name, in)
			var p json.RawMessage
			if cache.GetJSON(r.cache, keys[c.Name], &p) && json.Valid(p) {
				projects[c.Name] = p
				continue
			}
		}
		todo[c.Name] = in
	}
	if len(todo) > 0 {
		// CUE evaluation, within the evaluation's time limit.
		got, err := limits.Eval(ctx, func() (map[string]json.RawMessage, error) { return stack.Projects(r.Config, todo) })
		if err != nil {
			return err
		}
		for name, p := range got {
			projects[name] = p
			cache.PutJSON(r.cache, keys[name], p)
		}
	}
	if len(projects) == 0 {
		return nil
	}
	// A copy: the planned files may be shared with the selection, or
	// with a caller.
	files := slices.Clone(r.all.Files)
	for _, c := range r.Stack.Clusters {
		p, ok := projects[c.Name]
		if !ok {
			continue
		}
		c.Project, c.ProjectIn = p, ins[c.Name]
		f, err := scaffold.ProjectFile(c)
		if err != nil {
			return err
		}
		if err := scaffold.Verify(f); err != nil {
			return err
		}
		i, found := slices.BinarySearchFunc(files, f.Path, func(f scaffold.File, p string) int { return strings.Compare(f.Path, p) })
		if !found {
			return fmt.Errorf("no AppProject planned for cluster %s", c.Name)
		}
		files[i] = f
	}
	r.all = &scaffold.Tree{Files: files}
	r.Tree = r.all
	if r.Stack.Subset {
		r.Tree = selected(r.Stack, r.all)
	}
	return nil
}

// projectKey is the cache key of a project evaluated from in: the config
// decides the rest (schema #Project, the cluster's persona).
func (r *Result) projectKey(cluster string, in stack.ProjectInput) cache.Key {
	data, _ := json.Marshal(in)
	return r.cache.NewKey("project").Bytes(r.planKey[:]).String(cluster).Bytes(data).Sum()
}

func sameInput(a, b stack.ProjectInput) bool {
	return slices.Equal(a.SourceRepos, b.SourceRepos) && slices.Equal(a.Namespaces, b.Namespaces) && slices.Equal(a.ClusterResources, b.ClusterResources)
}

// ProjectInputs says what each cluster's AppProject must allow for what
// its charts render, and nothing more: the repositories its components
// declare, the destination namespace of every Application and the
// namespace of every namespaced object, and the group and kind of every
// cluster-scoped object, plus Namespace where an Application syncs with
// CreateNamespace=true (ArgoCD then creates its destination namespace,
// and checks that object against the project too: gitops-engine's
// autoCreateNamespace task goes through the controller's
// validateSyncPermissions like any other).
func ProjectInputs(s *stack.Stack, rels []helmrender.Rendered) map[string]stack.ProjectInput {
	type sets struct {
		namespaces map[string]bool
		kinds      map[stack.GroupKind]bool
	}
	by := map[string]*sets{}
	for _, r := range rels {
		st := by[r.Cluster]
		if st == nil {
			st = &sets{namespaces: map[string]bool{}, kinds: map[stack.GroupKind]bool{}}
			by[r.Cluster] = st
		}
		if r.DestNamespace != "" {
			st.namespaces[r.DestNamespace] = true
		}
		if comp := component(s, r.Cluster, r.Component); comp != nil && createsNamespace(comp.Application) {
			st.kinds[stack.GroupKind{Kind: "Namespace"}] = true
		}
		for _, o := range r.Objects {
			if o.Namespace != "" {
				st.namespaces[o.Namespace] = true
				continue
			}
			st.kinds[stack.GroupKind{Group: group(o.APIVersion), Kind: o.Kind}] = true
		}
	}
	out := map[string]stack.ProjectInput{}
	for _, c := range s.Clusters {
		st, ok := by[c.Name]
		if !ok {
			continue
		}
		in := stack.ProjectInput{SourceRepos: c.ProjectIn.SourceRepos}
		for ns := range st.namespaces {
			in.Namespaces = append(in.Namespaces, ns)
		}
		slices.Sort(in.Namespaces)
		for gk := range st.kinds {
			in.ClusterResources = append(in.ClusterResources, gk)
		}
		slices.SortFunc(in.ClusterResources, stack.GroupKind.Compare)
		out[c.Name] = in
	}
	return out
}

func component(s *stack.Stack, cluster, name string) *stack.Component {
	for _, c := range s.Clusters {
		if c.Name != cluster {
			continue
		}
		for _, comp := range c.Components {
			if comp.Name == name {
				return comp
			}
		}
	}
	return nil
}

// createsNamespace reports whether an Application syncs with
// CreateNamespace=true.
func createsNamespace(app json.RawMessage) bool {
	var a struct {
		Spec struct {
			SyncPolicy struct {
				SyncOptions []string `json:"syncOptions"`
			} `json:"syncPolicy"`
		} `json:"spec"`
	}
	return json.Unmarshal(app, &a) == nil && slices.Contains(a.Spec.SyncPolicy.SyncOptions, "CreateNamespace=true")
}

// group is the API group of an apiVersion, "" for the core group.
func group(apiVersion string) string {
	for i := len(apiVersion) - 1; i >= 0; i-- {
		if apiVersion[i] == '/' {
			return apiVersion[:i]
		}
	}
	return ""
}

// ManifestDocuments turns the rendered objects into the policies' input:
// one document of kind manifest per object, at the path of its
// component's values file in its cluster (see policy.ObjectMeta).
func ManifestDocuments(s *stack.Stack, rels []helmrender.Rendered) []policy.Document {
	envs := map[string]string{}
	for _, c := range s.Clusters {
		envs[c.Name] = c.Environment
	}
	var docs []policy.Document
	for _, r := range rels {
		p := r.ValuesPath
		if p == "" {
			p = scaffold.ValuesPath(r.Cluster, r.Component)
		}
		for _, o := range r.Objects {
			docs = append(docs, policy.Document{
				Path: p, Kind: policy.KindManifest, Cluster: r.Cluster, Component: r.Component, Environment: envs[r.Cluster],
				Content: o.Object,
				Object: &policy.ObjectMeta{
					APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name,
					Source: o.Source, Hook: hookAnnotation(o),
				},
			})
		}
	}
	return docs
}

// hookAnnotation is the helm.sh/hook annotation of a hook, as written.
func hookAnnotation(o helmrender.Object) string {
	if len(o.Hook) == 0 {
		return ""
	}
	var m struct {
		Metadata struct {
			Annotations map[string]any `json:"annotations"`
		} `json:"metadata"`
	}
	if json.Unmarshal(o.Object, &m) != nil {
		return ""
	}
	s, _ := m.Metadata.Annotations["helm.sh/hook"].(string)
	return s
}
