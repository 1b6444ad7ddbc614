// Package conformance checks rendered scaffolds against the real things they
// are consumed by: the Application CRD of ArgoCD v3.5.1 and the values.yaml
// and values.schema.json of each chart at its pinned version.
//
// That ground truth lives outside the repository, in the directory named by
// DORGU_REFERENCE (CI sets it):
//
//	argocd/jsonschema/argoproj.io/application_v1alpha1.json
//	charts/<chart>/{Chart.yaml,values.yaml[,values.schema.json]}
//
// Without it every test skips.
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
)

const referenceEnv = "DORGU_REFERENCE"

// reference returns the reference directory, or skips the test.
func reference(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(referenceEnv)
	if dir == "" {
		t.Skipf("conformance against the real ArgoCD CRDs and Helm charts needs %s=<reference directory> (CI sets it)", referenceEnv)
	}
	for _, p := range []string{applicationSchemaPath, "charts"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Fatalf("%s=%s is not a reference directory: %v", referenceEnv, dir, err)
		}
	}
	return dir
}

const applicationSchemaPath = "argocd/jsonschema/argoproj.io/application_v1alpha1.json"

const appProjectSchemaPath = "argocd/jsonschema/argoproj.io/appproject_v1alpha1.json"

// ---------------------------------------------------------------------------
// The configs under test.

var (
	environments = []string{"development", "staging", "production", "sandbox"}
	providers    = []string{"aws", "gcp", "azure", "generic"}
)

const (
	matrixRepoURL = "https://github.com/acme/infra.git"
	// overrideCluster has an override of every kind a cluster can make.
	overrideCluster     = "overrides"
	overrideCertManager = "v1.20.3"
	overrideDestination = "hub-prod"
	overrideDisabled    = "external-secrets"
	// gatewayCluster publishes its UIs through the Gateway API.
	gatewayCluster = "gateway-production"
)

// matrixConfig declares one cluster per environment and provider, plus
// overrideCluster.
func matrixConfig() string {
	var b strings.Builder
	fmt.Fprintf(&b, "package dorgu\n\nrepo: url: %q\n\nclusters: {\n", matrixRepoURL)
	for _, env := range environments {
		for _, prov := range providers {
			fmt.Fprintf(&b, "\t%q: {environment: %q, provider: %q, acmeEmail: \"platform@acme.io\"}\n", env+"-"+prov, env, prov)
		}
	}
	// Clusters that publish their UIs through the Gateway API, one that
	// runs ArgoCD (whose HTTPRoute is then rendered) and one it manages.
	for _, c := range []struct{ name, env, prov, managedBy string }{
		{gatewayCluster, "production", "aws", ""},
		{"gateway-staging", "staging", "gcp", gatewayCluster},
	} {
		fmt.Fprintf(&b, "\t%q: {environment: %q, provider: %q, acmeEmail: \"platform@acme.io\", ingress: \"gateway\"", c.name, c.env, c.prov)
		if c.managedBy != "" {
			fmt.Fprintf(&b, ", managedBy: %q, destination: name: %q", c.managedBy, c.name)
		}
		b.WriteString(`, components: {"envoy-gateway": enabled: true, "ingress-nginx": enabled: false}}` + "\n")
	}
	fmt.Fprintf(&b, `	%q: {
		environment: "production"
		provider:    "aws"
		acmeEmail:   "platform@acme.io"
		managedBy:   "production-aws"
		destination: name: %q
		components: {
			"cert-manager": version: %q
			"ingress-nginx": values: controller: replicaCount: 5
			%q: enabled: false
		}
	}
}
`, overrideCluster, overrideDestination, overrideCertManager, overrideDisabled)
	return b.String()
}

type scenario struct {
	name   string
	result *pipeline.Result
	err    error
}

var (
	scenariosOnce sync.Once
	scenarios     []scenario
	scenariosErr  error
)

// rendered renders every scenario once per test binary and fails the test
// if any of them does not render or has an error-severity finding.
func rendered(t *testing.T) []scenario {
	t.Helper()
	scenariosOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dorgu-conformance-")
		if err != nil {
			scenariosErr = err
			return
		}
		defer os.RemoveAll(dir)
		matrix := filepath.Join(dir, "matrix")
		if err := os.Mkdir(matrix, 0o755); err != nil {
			scenariosErr = err
			return
		}
		if err := os.WriteFile(filepath.Join(matrix, "matrix.cue"), []byte(matrixConfig()), 0o644); err != nil {
			scenariosErr = err
			return
		}
		empty := filepath.Join(dir, "empty")
		if err := os.Mkdir(empty, 0o755); err != nil {
			scenariosErr = err
			return
		}
		for _, s := range []struct {
			name string
			opts config.Options
		}{
			{"matrix", config.Options{Dir: matrix, Path: "matrix.cue"}},
			{"embedded-default", config.Options{Dir: empty}},
		} {
			res, err := pipeline.Render(context.Background(), s.opts, nil)
			scenarios = append(scenarios, scenario{name: s.name, result: res, err: err})
		}
	})
	if scenariosErr != nil {
		t.Fatal(scenariosErr)
	}
	for _, s := range scenarios {
		if s.err != nil {
			t.Fatalf("%s: render: %v", s.name, s.err)
		}
		for _, f := range s.result.Findings {
			if f.Severity == finding.Error {
				t.Errorf("%s: %s: %s [%s] %s", s.name, f.Location(), f.Message, f.Rule, f.Hint)
			}
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return scenarios
}

// TestMatrix renders every scenario and checks that the matrix's overrides
// took effect, so that the tests below do check them.
func TestMatrix(t *testing.T) {
	reference(t)
	for _, s := range rendered(t) {
		warnings := 0
		for _, f := range s.result.Findings {
			if f.Severity == finding.Warning {
				warnings++
			}
		}
		apps := 0
		for _, f := range s.result.Tree.Files {
			if f.Kind == scaffold.Application {
				apps++
			}
		}
		t.Logf("%s: %d clusters, %d applications, %d warnings", s.name, len(s.result.Stack.Clusters), apps, warnings)
	}
	tree := rendered(t)[0].result.Tree
	if n := len(rendered(t)[0].result.Stack.Clusters); n != len(environments)*len(providers)+3 {
		t.Errorf("matrix: %d clusters, want %d", n, len(environments)*len(providers)+3)
	}
	for _, p := range []string{scaffold.AppPath(gatewayCluster, "envoy-gateway"), scaffold.AppPath("gateway-staging", "envoy-gateway")} {
		if _, ok := tree.Lookup(p); !ok {
			t.Errorf("matrix: no %s: the gateway clusters are not what the tests below check", p)
		}
	}
	if f, ok := tree.Lookup(scaffold.ValuesPath(gatewayCluster, "argocd")); !ok || dig(fileData(t, f), "server", "httproute", "enabled") != true {
		t.Errorf("matrix: %s: no HTTPRoute for ArgoCD's UI", scaffold.ValuesPath(gatewayCluster, "argocd"))
	}
	if f, ok := tree.Lookup(scaffold.ValuesPath("gateway-staging", "openobserve")); !ok || dig(fileData(t, f), "gateway", "enabled") != true {
		t.Errorf("matrix: %s: no HTTPRoute for OpenObserve's UI", scaffold.ValuesPath("gateway-staging", "openobserve"))
	}
	if _, ok := tree.Lookup(scaffold.AppPath(overrideCluster, overrideDisabled)); ok {
		t.Errorf("matrix: %s is disabled in cluster %s but has an Application", overrideDisabled, overrideCluster)
	}
	cm, ok := tree.Lookup(scaffold.AppPath(overrideCluster, "cert-manager"))
	if !ok {
		t.Fatalf("matrix: no cert-manager Application in cluster %s", overrideCluster)
	}
	if got := dig(fileData(t, cm), "spec", "sources", 0, "targetRevision"); got != overrideCertManager {
		t.Errorf("matrix: %s: targetRevision %v, want the override %s", cm.Path, got, overrideCertManager)
	}
	if got := dig(fileData(t, cm), "spec", "destination"); !equalJSON(got, map[string]any{"name": overrideDestination, "namespace": "cert-manager"}) {
		t.Errorf("matrix: %s: destination %v, want name %s and no server", cm.Path, got, overrideDestination)
	}
	v, ok := tree.Lookup(scaffold.ValuesPath(overrideCluster, "ingress-nginx"))
	if !ok {
		t.Fatalf("matrix: no ingress-nginx values in cluster %s", overrideCluster)
	}
	if got := dig(fileData(t, v), "controller", "replicaCount"); !equalJSON(got, 5) {
		t.Errorf("matrix: %s: controller.replicaCount %v, want the override 5", v.Path, got)
	}
}

// ---------------------------------------------------------------------------
// Applications against the CRD.

// TestAppProjectsMatchCRD validates every cluster's AppProject against the
// strict AppProject schema, and checks that no project allows a wildcard.
func TestAppProjectsMatchCRD(t *testing.T) {
	ref := reference(t)
	sch := compileSchema(t, filepath.Join(ref, appProjectSchemaPath))
	for _, s := range rendered(t) {
		t.Run(s.name, func(t *testing.T) {
			n := 0
			for _, f := range s.result.Tree.Files {
				if f.Kind != scaffold.AppProject {
					continue
				}
				n++
				if err := validate(sch, fileData(t, f)); err != nil {
					t.Errorf("%s: does not match the AppProject CRD:\n%v", f.Path, err)
				}
				if b, _ := json.Marshal(fileData(t, f)); strings.Contains(string(b), `"*"`) {
					t.Errorf("%s: allows a wildcard: %s", f.Path, b)
				}
			}
			if n != len(s.result.Stack.Clusters) {
				t.Errorf("%d AppProjects for %d clusters", n, len(s.result.Stack.Clusters))
			}
		})
	}
	t.Run("broken", func(t *testing.T) {
		for _, f := range rendered(t)[0].result.Tree.Files {
			if f.Kind != scaffold.AppProject {
				continue
			}
			doc := deepCopy(t, fileData(t, f)).(map[string]any)
			sub(doc, "spec")["sourceRepo"] = []any{"x"}
			if validate(sch, doc) == nil {
				t.Fatal("the AppProject schema accepted spec.sourceRepo")
			}
			return
		}
		t.Fatal("no AppProject rendered")
	})
}

func TestApplicationsMatchCRD(t *testing.T) {
	ref := reference(t)
	sch := compileSchema(t, filepath.Join(ref, applicationSchemaPath))
	for _, s := range rendered(t) {
		t.Run(s.name, func(t *testing.T) {
			tree := s.result.Tree
			n := 0
			for _, f := range tree.Files {
				if f.Kind != scaffold.Application && f.Kind != scaffold.RootApplication {
					continue
				}
				n++
				if err := validate(sch, fileData(t, f)); err != nil {
					t.Errorf("%s: does not match the Application CRD:\n%v", f.Path, err)
				}
				for _, p := range applicationProblems(fileData(t, f), tree) {
					t.Errorf("%s: %s", f.Path, p)
				}
			}
			if n == 0 {
				t.Fatal("no Applications rendered")
			}
		})
	}

	t.Run("broken", func(t *testing.T) {
		tree := rendered(t)[0].result.Tree
		app, ok := tree.Lookup(scaffold.AppPath("production-aws", "cert-manager"))
		if !ok {
			t.Fatal("no production-aws cert-manager Application")
		}
		for _, tc := range []struct {
			name   string
			mutate func(doc map[string]any)
			crd    bool   // the CRD schema rejects it
			check  string // applicationProblems reports this
		}{
			{"unknown spec field", func(d map[string]any) { sub(d, "spec")["bogus"] = 1 }, true, ""},
			{"unknown helm field", func(d map[string]any) { sub(d, "spec", "sources", 0, "helm")["valueFile"] = "x.yaml" }, true, ""},
			{"wrong type", func(d map[string]any) { sub(d, "spec", "syncPolicy", "retry")["limit"] = "5" }, true, ""},
			{"missing required", func(d map[string]any) { delete(sub(d, "spec", "sources", 0), "repoURL") }, true, ""},
			{"values file not in tree", func(d map[string]any) {
				sub(d, "spec", "sources", 0, "helm")["valueFiles"] = []any{"$values/clusters/production-aws/values/nope.yaml"}
			}, false, "nope.yaml"},
			{"chart with repo alias", func(d map[string]any) { sub(d, "spec", "sources", 0)["chart"] = "jetstack/cert-manager" }, false, "jetstack/cert-manager"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				doc := deepCopy(t, fileData(t, app)).(map[string]any)
				tc.mutate(doc)
				err := validate(sch, doc)
				if tc.crd && err == nil {
					t.Error("the CRD schema accepted the broken Application")
				}
				if tc.crd && err != nil {
					t.Logf("rejected as expected: %v", err)
				}
				if !tc.crd && err != nil {
					t.Errorf("the CRD schema rejected a schema-valid Application: %v", err)
				}
				probs := applicationProblems(doc, tree)
				if tc.check == "" && len(probs) > 0 {
					t.Errorf("unexpected problems: %q", probs)
				}
				if tc.check != "" && !slices.ContainsFunc(probs, func(p string) bool { return strings.Contains(p, tc.check) }) {
					t.Errorf("problems %q do not mention %q", probs, tc.check)
				}
			})
		}
	})
}

// applicationProblems checks what the CRD cannot: that every $values/ file
// is in the tree and that chart names are bare.
func applicationProblems(doc any, tree *scaffold.Tree) []string {
	var out []string
	var sources []any
	if s, ok := dig(doc, "spec", "source").(map[string]any); ok {
		sources = append(sources, s)
	}
	if ss, ok := dig(doc, "spec", "sources").([]any); ok {
		sources = append(sources, ss...)
	}
	for i, src := range sources {
		if chart, ok := dig(src, "chart").(string); ok && strings.Contains(chart, "/") {
			out = append(out, fmt.Sprintf("source %d: chart %q is not a bare chart name", i, chart))
		}
		vf, _ := dig(src, "helm", "valueFiles").([]any)
		for _, v := range vf {
			s, _ := v.(string)
			p, ok := strings.CutPrefix(s, "$values/")
			if !ok {
				out = append(out, fmt.Sprintf("source %d: value file %q is not a $values/ path", i, s))
				continue
			}
			f, ok := tree.Lookup(p)
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("source %d: value file %q names no file of the scaffold", i, s))
			case f.Kind != scaffold.Values:
				out = append(out, fmt.Sprintf("source %d: value file %q is a %s file, not values", i, s, f.Kind))
			}
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Values against the charts' values.yaml.

// freeFormMaps are chart values that are maps of arbitrary keys although
// values.yaml gives them some: the chart passes them on verbatim, so any key
// is legitimate below them. A map that values.yaml leaves empty ({}) is
// free-form without being listed. Keep this list short and give a reason.
var freeFormMaps = []struct {
	chart, path, reason string
}{
	{"argo-cd", "configs.cm", "rendered verbatim as the data of the argocd-cm ConfigMap"},
	{"argo-cd", "configs.params", "rendered verbatim as the data of the argocd-cmd-params-cm ConfigMap"},
	{"openobserve", "postgres.spec.storage", "copied verbatim into the CloudNativePG Cluster's spec.storage"},
	// values.yaml sets four nginx annotations here and says to add
	// cert-manager.io/cluster-issuer to them.
	{"openobserve", "ingress.annotations", "rendered verbatim as the Ingress's metadata.annotations"},
}

// subchartKeys are keys of a dependency's own values.yaml that its parent's
// values.yaml does not repeat: the reference holds only the parent's, and
// Helm passes them to the subchart (dorgu-gen's values check reads the
// subchart's values.yaml from the chart archive).
var subchartKeys = []struct {
	chart, path, reason string
}{
	{"argo-cd", "redis-ha.podDisruptionBudget", "redis-ha 4.38.0's values.yaml: the redis servers' PodDisruptionBudget"},
	{"argo-cd", "redis-ha.haproxy.podDisruptionBudget", "redis-ha 4.38.0's values.yaml: the HAProxies' PodDisruptionBudget"},
	{"openobserve", "nats.podTemplate", "nats 2.14.2's values.yaml: the NATS pod template (topologySpreadConstraints)"},
}

func isSubchartKey(chart string, path []string) bool {
	return slices.ContainsFunc(subchartKeys, func(f struct{ chart, path, reason string }) bool {
		return f.chart == chart && f.path == strings.Join(path, ".")
	})
}

func isFreeForm(chart string, path []string) bool {
	return slices.ContainsFunc(freeFormMaps, func(f struct{ chart, path, reason string }) bool {
		return f.chart == chart && f.path == strings.Join(path, ".")
	})
}

type chartRef struct {
	name    string
	version string // Chart.yaml's version
	values  map[string]any
}

func loadChart(t *testing.T, ref, name string) *chartRef {
	t.Helper()
	dir := filepath.Join(ref, "charts", name)
	var meta struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	readYAML(t, filepath.Join(dir, "Chart.yaml"), &meta)
	if meta.Name != name {
		t.Fatalf("%s/Chart.yaml: name %q, want %q", dir, meta.Name, name)
	}
	c := &chartRef{name: name, version: meta.Version}
	readYAML(t, filepath.Join(dir, "values.yaml"), &c.values)
	return c
}

// unreferencedCharts are the charts of opt-in components that the
// reference directory does not hold, with how their values were checked
// instead. Their Applications are still checked against the CRD; their
// values files are not checked here, and are referenced nonetheless. A
// chart listed here that gains a reference fails the test, so the list
// only shrinks.
var unreferencedCharts = map[string]string{
	"gateway-helm": "Envoy Gateway v1.9.0, published only as OCI: every key the envoy-gateway component writes was read in charts/gateway-helm/values.tmpl.yaml at tag v1.9.0, the values.yaml its release builds by substituting the image",
}

// unknownChartVersions are charts whose reference Chart.yaml does not carry
// the real version: cert-manager's chart is built from source with a
// placeholder v0.0.0, so which release its values.yaml belongs to is not
// recorded. Its pinned version is not checked.
var unknownChartVersions = map[string]string{"cert-manager": "v0.0.0"}

func TestValuesKeysExistInCharts(t *testing.T) {
	ref := reference(t)
	charts := map[string]*chartRef{}
	chart := func(t *testing.T, name string) *chartRef {
		t.Helper()
		if c, ok := charts[name]; ok {
			return c
		}
		if strings.ContainsAny(name, `/\`) || name == "" || name == "." || name == ".." {
			t.Fatalf("chart %q is not a bare name", name)
		}
		_, err := os.Stat(filepath.Join(ref, "charts", name))
		if how, ok := unreferencedCharts[name]; ok {
			if err == nil {
				t.Fatalf("chart %q now has a reference in %s/charts: remove it from unreferencedCharts", name, ref)
			}
			t.Logf("chart %q has no reference: its values are not checked here (%s)", name, how)
			charts[name] = nil
			return nil
		}
		if err != nil {
			t.Fatalf("chart %q has no reference in %s/charts: %v", name, ref, err)
		}
		c := loadChart(t, ref, name)
		charts[name] = c
		return c
	}

	for name, placeholder := range unknownChartVersions {
		if c := chart(t, name); c.version == placeholder {
			t.Logf("%s: the reference Chart.yaml says version %s, so the pinned version is not compared with it", name, placeholder)
		}
	}

	t.Run("free-form list", func(t *testing.T) {
		// Every listed map exists as a map in its chart, so the list cannot
		// go stale and silently widen.
		for _, f := range freeFormMaps {
			v, ok := lookupPath(chart(t, f.chart).values, strings.Split(f.path, "."))
			if _, isMap := v.(map[string]any); !ok || !isMap {
				t.Errorf("%s: free-form %s is not a map in values.yaml (got %T)", f.chart, f.path, v)
			}
		}
	})

	for _, s := range rendered(t) {
		t.Run(s.name, func(t *testing.T) {
			tree := s.result.Tree
			referenced := map[string]bool{}
			for _, app := range tree.Files {
				if app.Kind != scaffold.Application {
					continue
				}
				srcs, _ := dig(fileData(t, app), "spec", "sources").([]any)
				if src, ok := dig(fileData(t, app), "spec", "source").(map[string]any); ok {
					srcs = append(srcs, src)
				}
				for _, src := range srcs {
					name, _ := dig(src, "chart").(string)
					if name == "" {
						continue
					}
					c := chart(t, name)
					rev, _ := dig(src, "targetRevision").(string)
					if c != nil { // nil: see unreferencedCharts
						checkVersion(t, app, c, rev)
					}
					vf, _ := dig(src, "helm", "valueFiles").([]any)
					for _, v := range vf {
						p, _ := strings.CutPrefix(fmt.Sprint(v), "$values/")
						vals, ok := tree.Lookup(p)
						if !ok || vals.Kind != scaffold.Values {
							t.Errorf("%s: value file %v is not a values file of the scaffold", app.Path, v)
							continue
						}
						referenced[p] = true
						if c == nil {
							continue
						}
						doc, ok := fileData(t, vals).(map[string]any)
						if !ok {
							t.Errorf("%s: values are a %T, not a map", vals.Path, fileData(t, vals))
							continue
						}
						for _, m := range missingKeys(c, doc) {
							t.Errorf("%s (chart %s %s): %s", vals.Path, c.name, rev, m)
						}
					}
				}
			}
			for _, f := range tree.Files {
				if f.Kind == scaffold.Values && !referenced[f.Path] {
					t.Errorf("%s: no Application reads it", f.Path)
				}
			}
		})
	}

	t.Run("broken", func(t *testing.T) {
		c := chart(t, "ingress-nginx")
		v, ok := rendered(t)[0].result.Tree.Lookup(scaffold.ValuesPath("production-aws", "ingress-nginx"))
		if !ok {
			t.Fatal("no production-aws ingress-nginx values")
		}
		for _, tc := range []struct {
			name   string
			mutate func(doc map[string]any)
			want   string // "" means no problem
		}{
			{"unknown top-level key", func(d map[string]any) { d["bogus"] = 1 }, "bogus"},
			{"unknown nested key", func(d map[string]any) { sub(d, "controller")["replicas"] = 2 }, "controller.replicas"},
			{"typo under a map", func(d map[string]any) { sub(d, "controller", "metrics")["enable"] = true }, "controller.metrics.enable"},
			{"map where the chart has a scalar", func(d map[string]any) { sub(d, "controller")["replicaCount"] = map[string]any{"x": 1} }, "controller.replicaCount"},
			{"key under an empty map", func(d map[string]any) { sub(d, "controller", "service", "annotations")["example.com/x"] = "y" }, ""},
			{"list items are leaves", func(d map[string]any) {
				sub(d, "controller")["extraVolumes"] = []any{map[string]any{"name": "x", "anyKey": map[string]any{"deeper": 1}}}
			}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				doc := deepCopy(t, fileData(t, v)).(map[string]any)
				tc.mutate(doc)
				probs := missingKeys(c, doc)
				t.Logf("problems: %q", probs)
				if tc.want == "" && len(probs) > 0 {
					t.Errorf("unexpected problems: %q", probs)
				}
				if tc.want != "" && !slices.ContainsFunc(probs, func(p string) bool { return strings.HasPrefix(p, tc.want+":") }) {
					t.Errorf("problems %q do not report %s", probs, tc.want)
				}
			})
		}
		t.Run("listed free-form map", func(t *testing.T) {
			c := chart(t, "argo-cd")
			doc := map[string]any{"configs": map[string]any{"cm": map[string]any{"any.key": "x"}, "bogus": map[string]any{"any.key": "x"}}}
			probs := missingKeys(c, doc)
			if len(probs) != 1 || !strings.HasPrefix(probs[0], "configs.bogus:") {
				t.Errorf("problems %q, want exactly configs.bogus", probs)
			}
		})
	})
}

// checkVersion compares an Application's targetRevision with the reference
// chart's version where the cluster runs the pinned version.
func checkVersion(t *testing.T, app scaffold.File, c *chartRef, rev string) {
	t.Helper()
	if app.Cluster == overrideCluster && app.Component == "cert-manager" {
		if rev != overrideCertManager {
			t.Errorf("%s: targetRevision %q, want the cluster's override %s", app.Path, rev, overrideCertManager)
		}
		return
	}
	if placeholder, ok := unknownChartVersions[c.name]; ok && c.version == placeholder {
		return // see unknownChartVersions
	}
	if rev != c.version {
		t.Errorf("%s: targetRevision %q, but the reference chart %s (whose values are checked) is version %q", app.Path, rev, c.name, c.version)
	}
}

// missingKeys returns, sorted, every key path of values that neither exists
// in the chart's values.yaml nor lies below a free-form map there. A map is
// free-form if values.yaml has it empty ({}) or freeFormMaps lists it. Lists
// are leaves: their items are not looked into.
func missingKeys(c *chartRef, values map[string]any) []string {
	var out []string
	var walk func(path []string, chart, vals map[string]any)
	walk = func(path []string, chart, vals map[string]any) {
		for _, k := range slices.Sorted(maps.Keys(vals)) {
			p := append(path[:len(path):len(path)], k)
			cv, ok := chart[k]
			if !ok && isSubchartKey(c.name, p) {
				continue
			}
			if !ok {
				where := "at the top level"
				if len(path) > 0 {
					where = "in " + strings.Join(path, ".") + ", which is not a free-form map"
				}
				out = append(out, fmt.Sprintf("%s: no such key %s of the chart's values.yaml", strings.Join(p, "."), where))
				continue
			}
			vm, ok := vals[k].(map[string]any)
			if !ok {
				continue // a scalar, a list or null: a leaf
			}
			cm, ok := cv.(map[string]any)
			if !ok {
				out = append(out, fmt.Sprintf("%s: set to a map, but the chart's values.yaml has %s there", strings.Join(p, "."), describe(cv)))
				continue
			}
			if len(cm) == 0 || isFreeForm(c.name, p) {
				continue
			}
			walk(p, cm, vm)
		}
	}
	walk(nil, c.values, values)
	return out
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the string %q", v)
	default:
		return fmt.Sprintf("%v (%T)", v, v)
	}
}

// ---------------------------------------------------------------------------
// Merged values against the charts' values.schema.json.

func TestValuesPassChartSchema(t *testing.T) {
	ref := reference(t)
	type schemaChart struct {
		chart  *chartRef
		schema *jsonschema.Schema
	}
	charts := map[string]schemaChart{}
	for _, name := range []string{"cert-manager", "cloudnative-pg", "external-secrets"} {
		c := loadChart(t, ref, name)
		sch := compileSchema(t, filepath.Join(ref, "charts", name, "values.schema.json"))
		charts[name] = schemaChart{c, sch}
		// The chart's own defaults must pass, or the reference is broken.
		if err := validate(sch, c.values); err != nil {
			t.Fatalf("%s: the chart's own values.yaml fails its values.schema.json:\n%v", name, err)
		}
	}

	for _, s := range rendered(t) {
		t.Run(s.name, func(t *testing.T) {
			n := 0
			for _, app := range s.result.Tree.Files {
				if app.Kind != scaffold.Application {
					continue
				}
				srcs, _ := dig(fileData(t, app), "spec", "sources").([]any)
				for _, src := range srcs {
					sc, ok := charts[fmt.Sprint(dig(src, "chart"))]
					if !ok {
						continue
					}
					vf, _ := dig(src, "helm", "valueFiles").([]any)
					for _, v := range vf {
						p, _ := strings.CutPrefix(fmt.Sprint(v), "$values/")
						vals, ok := s.result.Tree.Lookup(p)
						if !ok {
							t.Errorf("%s: value file %v is not in the scaffold", app.Path, v)
							continue
						}
						n++
						merged := helmMerge(sc.chart.values, fileData(t, vals).(map[string]any))
						if err := validate(sc.schema, merged); err != nil {
							t.Errorf("%s merged over %s's values.yaml fails values.schema.json:\n%v", vals.Path, sc.chart.name, err)
						}
					}
				}
			}
			if n == 0 {
				t.Fatal("no values of a chart with a values.schema.json")
			}
		})
	}

	t.Run("broken", func(t *testing.T) {
		tree := rendered(t)[0].result.Tree
		for _, tc := range []struct {
			name, chart string
			mutate      func(doc map[string]any)
		}{
			{"unknown top-level key", "cert-manager", func(d map[string]any) { d["bogus"] = 1 }},
			{"wrong type", "cert-manager", func(d map[string]any) { d["replicaCount"] = "three" }},
			{"wrong nested type", "external-secrets", func(d map[string]any) { sub(d, "webhook")["replicaCount"] = "two" }},
			{"wrong type", "cloudnative-pg", func(d map[string]any) { d["replicaCount"] = "two" }},
		} {
			t.Run(tc.chart+"/"+tc.name, func(t *testing.T) {
				sc := charts[tc.chart]
				v, ok := tree.Lookup(scaffold.ValuesPath("production-aws", tc.chart))
				if !ok {
					t.Fatalf("no production-aws %s values", tc.chart)
				}
				doc := deepCopy(t, fileData(t, v)).(map[string]any)
				tc.mutate(doc)
				err := validate(sc.schema, helmMerge(sc.chart.values, doc))
				if err == nil {
					t.Error("the chart's schema accepted the broken values")
				} else {
					t.Logf("rejected as expected: %v", err)
				}
			})
		}
		t.Run("merge", func(t *testing.T) {
			base := map[string]any{"a": map[string]any{"x": 1, "y": 2}, "b": []any{1}, "c": "keep", "d": map[string]any{"z": 1}}
			over := map[string]any{"a": map[string]any{"y": 3, "x": nil}, "b": []any{2}, "d": "scalar", "e": nil}
			want := map[string]any{"a": map[string]any{"y": 3}, "b": []any{2}, "c": "keep", "d": "scalar"}
			if got := helmMerge(base, over); !equalJSON(got, want) {
				t.Errorf("helmMerge = %v, want %v", got, want)
			}
			if !equalJSON(base, map[string]any{"a": map[string]any{"x": 1, "y": 2}, "b": []any{1}, "c": "keep", "d": map[string]any{"z": 1}}) {
				t.Errorf("helmMerge modified its base: %v", base)
			}
		})
	})
}

// helmMerge layers over on base as Helm layers a values file on a chart's
// values.yaml: maps merge key by key, any other value replaces, and null
// deletes the key. Neither argument is modified.
func helmMerge(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range over {
		if v == nil {
			delete(out, k)
			continue
		}
		if vm, ok := v.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = helmMerge(bm, vm)
				continue
			}
			out[k] = helmMerge(nil, vm) // drop nested nulls
			continue
		}
		out[k] = v
	}
	return out
}

// ---------------------------------------------------------------------------
// Helpers.

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// A URL that no loader can fetch: every schema here is self-contained.
	url := "https://reference.dorgu.invalid/" + filepath.ToSlash(filepath.Base(filepath.Dir(path))) + "/" + filepath.Base(path)
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return sch
}

// validate validates doc, after turning it into the JSON values the
// validator expects (json.Number for numbers, []any and map[string]any).
func validate(sch *jsonschema.Schema, doc any) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// deepCopy copies a decoded document through JSON, which also normalizes its
// types to map[string]any, []any, float64, string, bool and nil.
func deepCopy(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func equalJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// dig follows string keys and int indices into a decoded document, whatever
// concrete map and slice types it is made of; it returns nil where the path
// ends.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			switch s := v.(type) {
			case []any:
				if k >= len(s) {
					return nil
				}
				v = s[k]
			case []map[string]any:
				if k >= len(s) {
					return nil
				}
				v = s[k]
			default:
				return nil
			}
		}
	}
	return v
}

// sub returns the map at path in a deep-copied document, creating nothing.
func sub(doc map[string]any, path ...any) map[string]any {
	m, ok := dig(doc, path...).(map[string]any)
	if !ok {
		panic(fmt.Sprintf("no map at %v", path))
	}
	return m
}

func lookupPath(m map[string]any, path []string) (any, bool) {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// fileData decodes a rendered file's document.
func fileData(t *testing.T, f scaffold.File) any {
	t.Helper()
	v, err := f.Data()
	if err != nil {
		t.Fatalf("%s: %v", f.Path, err)
	}
	return v
}
