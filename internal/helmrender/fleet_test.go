package helmrender_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
)

// testCharts serves the test charts for the components of the test config.
func testCharts(t testing.TB) helmrender.LocalCharts {
	t.Helper()
	charts := helmrender.LocalCharts{}
	for comp, dir := range map[string]string{"shop": "shop", "monitor": "monitor"} {
		c, err := helmrender.FromDir(filepath.Join("testdata", "charts", dir))
		if err != nil {
			t.Fatal(err)
		}
		charts[comp] = c
	}
	return charts
}

func testChartsOnly(_, component string) bool { return component == "shop" || component == "monitor" }

// releases plans the test config and lists its releases.
func releases(t testing.TB, opts config.Options) []*helmrender.Release {
	t.Helper()
	if opts.Path == "" {
		opts.Path = filepath.Join("testdata", "configs", "shop")
	}
	res, err := pipeline.Render(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	rels, err := helmrender.Releases(context.Background(), res.Stack, res.Tree, testCharts(t), testChartsOnly)
	if err != nil {
		t.Fatal(err)
	}
	return rels
}

func find(objs []helmrender.Object, kind, name string) *helmrender.Object {
	for i := range objs {
		if objs[i].Kind == kind && objs[i].Name == name {
			return &objs[i]
		}
	}
	return nil
}

func TestRenderAllObjects(t *testing.T) {
	rels := releases(t, config.Options{})
	if len(rels) != 3 {
		t.Fatalf("got %d releases, want dev/monitor, dev/shop, prod/shop", len(rels))
	}
	out, err := helmrender.RenderAll(context.Background(), rels, helmrender.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]helmrender.Rendered{}
	for _, r := range out {
		byKey[r.Cluster+"/"+r.Component] = r
	}
	dev, prod := byKey["dev/shop"], byKey["prod/shop"]

	// The release name and namespace come from the Application, the values
	// from the scaffold's values file.
	if dev.Input.ReleaseName != "shop" || dev.Input.Namespace != "shop" || dev.ValuesPath != "clusters/dev/values/shop.yaml" {
		t.Errorf("dev/shop input: %+v, values %s", dev.Input, dev.ValuesPath)
	}
	// kubeVersion: declared in dev; in prod the newest the chart allows
	// (<1.36).
	if dev.Input.KubeVersion != "1.33.1" || prod.Input.KubeVersion != "1.35.0" {
		t.Errorf("kube versions: dev %q, prod %q", dev.Input.KubeVersion, prod.Input.KubeVersion)
	}
	if !strings.Contains(dev.Result.Manifest, `value: "33"`) || !strings.Contains(prod.Result.Manifest, `value: "35"`) {
		t.Errorf("Capabilities.KubeVersion did not reach the templates")
	}

	objs := dev.Objects
	svc := find(objs, "Service", "shop")
	if svc == nil || svc.Namespace != "shop" || svc.Source != "shop/templates/service.yaml" {
		t.Fatalf("Service: %+v", svc)
	}
	var meta struct {
		Metadata struct{ Namespace string } `json:"metadata"`
	}
	if err := json.Unmarshal(svc.Object, &meta); err != nil || meta.Metadata.Namespace != "shop" {
		t.Errorf("the Service's metadata.namespace was not defaulted: %s", svc.Object)
	}
	if cr := find(objs, "ClusterRole", "shop-reader"); cr == nil || cr.Namespace != "" {
		t.Errorf("a cluster-scoped kind has a namespace: %+v", cr)
	}
	// The leader-election Role goes where the values say: "" is the
	// release's namespace here.
	if role := find(objs, "Role", "shop:leader-election"); role == nil || role.Namespace != "shop" {
		t.Errorf("Role: %+v", role)
	}
	// The Shelf CRD (crds/, cluster-scoped) is rendered, and with it
	// served, the chart's Shelf appears: the second pass.
	if crd := find(objs, "CustomResourceDefinition", "shelves.shop.example.test"); crd == nil || crd.Source != "shop/crds/widgets.yaml" {
		t.Errorf("CRD: %+v", crd)
	}
	if shelf := find(objs, "Shelf", "shop-default"); shelf == nil || shelf.Namespace != "" {
		t.Errorf("Shelf (cluster-scoped by its CRD): %+v", shelf)
	}
	if w := find(objs, "Widget", "shop-db"); w == nil || w.Namespace != "shop" || !strings.Contains(string(w.Object), `"storageClass":"fast"`) {
		t.Errorf("Widget: %+v", w)
	}
	// The monitor chart's templated CRD makes the shop's ServiceMonitor
	// appear in dev, not in prod where monitor is off.
	if find(objs, "ServiceMonitor", "shop") == nil || find(prod.Objects, "ServiceMonitor", "shop") != nil {
		t.Errorf("ServiceMonitor: the cluster's CRDs do not decide .Capabilities.APIVersions")
	}
	if !slices.Contains(dev.Input.APIVersions, "monitoring.coreos.com/v1/ServiceMonitor") || !slices.Contains(dev.Input.APIVersions, "policy/v1/PodDisruptionBudget") ||
		!slices.Contains(dev.Input.APIVersions, "example.test/v1/Thing") || slices.Contains(prod.Input.APIVersions, "example.test/v1") {
		t.Errorf("dev API versions: %v", dev.Input.APIVersions)
	}
	if pdb := find(objs, "PodDisruptionBudget", "shop"); pdb == nil || pdb.APIVersion != "policy/v1" {
		t.Errorf("PDB: %+v", pdb)
	}
	if job := find(objs, "Job", "shop-migrate"); job == nil || !reflect.DeepEqual(job.Hook, []string{"pre-install", "pre-upgrade"}) {
		t.Errorf("hook: %+v", job)
	}
	if pod := find(objs, "Pod", "shop-test"); pod == nil || !reflect.DeepEqual(pod.Hook, []string{"test"}) {
		t.Errorf("test hook: %+v", pod)
	}
	if sec := find(objs, "Secret", "shop-db"); sec == nil || !strings.Contains(string(sec.Object), "Y2hhbmdlbWU=") {
		t.Errorf("lookup is empty in template mode, so the default password renders: %+v", sec)
	}
	for _, o := range objs {
		if o.Cluster != "dev" || o.Component != "shop" || o.APIVersion == "" || o.Name == "" {
			t.Errorf("incomplete object %+v", o)
		}
	}
}

// TestRenderAllDeterministic: the same releases give the same objects, in
// the same order, whatever the parallelism.
func TestRenderAllDeterministic(t *testing.T) {
	var first []byte
	for _, p := range []int{1, 4, 1, 8} {
		out, err := helmrender.RenderAll(context.Background(), releases(t, config.Options{}), helmrender.Options{Parallel: p})
		if err != nil {
			t.Fatal(err)
		}
		var all []helmrender.Object
		for _, r := range out {
			all = append(all, r.Objects...)
		}
		data, err := json.Marshal(all)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = data
		} else if string(data) != string(first) {
			t.Fatalf("Parallel %d gives other objects", p)
		}
	}
}

// TestRenderAllCache: a warm cache answers without loading a chart, and a
// changed input misses.
func TestRenderAllCache(t *testing.T) {
	store, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rels := releases(t, config.Options{})
	want, err := helmrender.RenderAll(context.Background(), rels, helmrender.Options{Cache: store})
	if err != nil {
		t.Fatal(err)
	}
	// The same charts by digest, which can no longer be loaded.
	broken := errors.New("chart loaded despite a warm cache")
	for _, r := range rels {
		r.Chart = helmrender.Unloadable(r.Chart, broken)
	}
	got, err := helmrender.RenderAll(context.Background(), rels, helmrender.Options{Cache: store})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i].Objects, want[i].Objects) || got[i].Result.Manifest != want[i].Result.Manifest {
			t.Errorf("%s/%s: cached render differs", want[i].Cluster, want[i].Component)
		}
	}
	// Changed values: a miss, which must load the chart.
	rels[0].Input.ValuesFiles = append(rels[0].Input.ValuesFiles, []byte("replicaCount: 9\n"))
	if _, err := helmrender.RenderAll(context.Background(), rels, helmrender.Options{Cache: store}); !errors.Is(err, broken) {
		t.Errorf("changed values: got %v, want a miss that loads the chart", err)
	}
}

// TestKubeVersionRefused: a declared version the chart does not allow is
// an error naming both.
func TestKubeVersionRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := `package dorgu
components: shop: {
	description: "The shop"
	chart: {repoURL: "https://charts.example.test", name: "shop", version: "1.4.0"}
}
clusters: old: {environment: "development", kubeVersion: "1.28.9"}
`
	helmrender.WriteFile(t, filepath.Join(dir, "dorgu.cue"), cfg)
	res, err := pipeline.Render(context.Background(), config.Options{Path: filepath.Join(dir, "dorgu.cue")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = helmrender.Releases(context.Background(), res.Stack, res.Tree, testCharts(t), testChartsOnly)
	if err == nil || !strings.Contains(err.Error(), ">=1.29.0-0 <1.36.0-0") || !strings.Contains(err.Error(), "1.28.9") || !strings.Contains(err.Error(), "shop in cluster old") {
		t.Errorf("got %v", err)
	}
}
