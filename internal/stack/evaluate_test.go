package stack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/dorgu/dorgu-gen/internal/config"
)

func evaluate(t *testing.T, src string) (*Stack, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dorgu.cue"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(config.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return Evaluate(context.Background(), cfg)
}

// The checks of evaluate.go report at the user's file, never only inside
// the embedded schema.
func TestEvaluateErrorsAtUserPositions(t *testing.T) {
	const chart = `chart: {repoURL: "https://charts.example.com", name: "a", version: "1.0.0"}`
	for _, tc := range []struct {
		name, src, msg string
		line           int
	}{
		{"cluster name", "clusters: Dev: environment: \"development\"\n", `cluster name "Dev" is not a DNS-1123 label`, 1},
		{"component name", "clusters: dev: environment: \"development\"\ncomponents: a_b: {description: \"a\", " + chart + "}\n", `component name "a_b" is not a DNS-1123 label`, 2},
		{"repo url", "repo: url: \"ftp://x\"\nclusters: dev: environment: \"development\"\n", `repo.url "ftp://x": expected an https://, ssh:// or git@ Git URL`, 1},
		{"repo revision", "clusters: dev: environment: \"development\"\nrepo: revision: \"\"\n", `repo.revision: empty`, 2},
		{"missing chart", "clusters: dev: environment: \"development\"\ncomponents: a: description: \"a\"\n", `components.a: chart.repoURL, chart.name, chart.version are required`, 2},
		{"incomplete environment", "environments: qa: replicas: 1\nclusters: dev: environment: \"qa\"\n", `environment "qa" does not set them`, 1},
		{"destination", "clusters: dev: {environment: \"development\", destination: {server: \"https://k\", name: \"k\"}}\n", `clusters.dev.destination: set server or name, not both`, 1},
		{"not one environment", "clusters: dev: environment: \"staging\" | \"production\"\n", `clusters.dev.environment: not a single environment name`, 1},
		{"dependency off by default", "clusters: dev: environment: \"development\"\ncomponents: a: {description: \"a\", " + chart + "\n\tdependsOn: [\"b\"]}\ncomponents: b: {description: \"b\", " + chart + ", enabledByDefault: false}\n", `a depends on b, which is disabled in this cluster`, 3},
		{"cycle", "clusters: dev: environment: \"development\"\ncomponents: a: {description: \"a\", " + chart + "\n\tdependsOn: [\"a\"]}\n", `dependsOn cycle: a -> a`, 3},
		{"no acme contact", "clusters: dev: environment: \"development\"\nclusters: prod: environment: \"production\"\n", `clusters.prod: acmeEmail is required with the issuer letsencrypt-production`, 2},
		{"no acme contact in staging", "clusters: qa: {\n\tenvironment: \"development\"\n\tsettings: issuer: \"letsencrypt-staging\"\n}\n", `clusters.qa: acmeEmail is required with the issuer letsencrypt-staging`, 1},
		{"example contact", "clusters: prod: {\n\tenvironment: \"production\"\n\tacmeEmail: \"ops@mail.EXAMPLE.org\"\n}\n", `clusters.prod.acmeEmail "ops@mail.EXAMPLE.org": Let's Encrypt refuses contacts at mail.EXAMPLE.org`, 3},
		{"reserved domain contact", "clusters: dev: {\n\tenvironment: \"development\"\n\tacmeEmail: \"ops@cluster.test\"\n}\n", `Let's Encrypt refuses contacts at cluster.test`, 3},
		{"dependency disabled, override named", "clusters: dev: {environment: \"development\"\n\tcomponents: \"ingress-nginx\": enabled: false}\n", `openobserve depends on ingress-nginx (its ingressDependsOn for ingress "nginx"), which is disabled in this cluster; enable ingress-nginx, disable openobserve, or give openobserve the dependencies it has here (clusters.dev.components.openobserve.dependsOn)`, 2},
		{"override names an unknown component", "clusters: dev: {environment: \"development\"\n\tcomponents: openobserve: dependsOn: [\"cert-manger\"]}\n", `clusters.dev.components.openobserve.dependsOn: unknown component "cert-manger"; did you mean "cert-manager"?`, 2},
		{"override makes a cycle", "clusters: dev: {environment: \"development\"\n\tcomponents: \"cert-manager\": dependsOn: [\"openobserve\"]}\n", `dependsOn cycle in cluster dev: cert-manager -> openobserve -> cert-manager`, 2},
		{"ingress dependency unknown", "clusters: dev: environment: \"development\"\ncomponents: a: {description: \"a\", " + chart + "\n\tingressDependsOn: gateway: [\"nope\"]}\n", `components.a.ingressDependsOn.gateway: unknown component "nope"`, 3},
		{"ingress dependency disabled", "clusters: dev: {environment: \"development\", ingress: \"gateway\"}\n", `openobserve depends on envoy-gateway (its ingressDependsOn for ingress "gateway"), which is disabled in this cluster; enable envoy-gateway, disable openobserve, or give openobserve`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evaluate(t, tc.src)
			if err == nil {
				t.Fatal("no error")
			}
			var ce cueerrors.Error
			if !errors.As(err, &ce) {
				t.Fatalf("%T %v, want a CUE error", err, err)
			}
			for _, e := range cueerrors.Errors(err) {
				if !strings.Contains(e.Error(), tc.msg) {
					continue
				}
				for _, p := range append([]token.Pos{e.Position()}, e.InputPositions()...) {
					if strings.HasSuffix(p.Filename(), "dorgu.cue") && p.Line() == tc.line {
						return
					}
				}
				t.Fatalf("%q at %v %v, want dorgu.cue:%d", e.Error(), e.Position(), e.InputPositions(), tc.line)
			}
			t.Fatalf("no error %q in:\n%s", tc.msg, cueerrors.Details(err, nil))
		})
	}
}

func TestEvaluateGood(t *testing.T) {
	s, err := evaluate(t, "clusters: dev: environment: \"development\"\nclusters: prod: {environment: \"production\", acmeEmail: \"platform@acme.io\", destination: name: \"prod\"}\n")
	if err != nil {
		t.Fatal(cueerrors.Details(err, nil))
	}
	if len(s.Clusters) != 2 || !s.MultiCluster || !s.Repo.Placeholder {
		t.Fatalf("stack = %+v", s)
	}
}

// A waiver's file is named relative to the working directory the config
// was loaded from, not the process's.
func TestWaiverFileRelativeToConfigDir(t *testing.T) {
	s, err := evaluate(t, "clusters: dev: environment: \"development\"\nwaivers: w: {rule: \"chart-version-pinned\", reason: \"r\"}\n")
	if err != nil {
		t.Fatal(cueerrors.Details(err, nil))
	}
	if len(s.Waivers) != 1 || s.Waivers[0].File != "dorgu.cue" || s.Waivers[0].Line != 2 {
		t.Fatalf("waivers = %+v, want one at dorgu.cue:2", s.Waivers)
	}
}

// upgrade follows the promotion order; a config without one has none.
func TestPromotionOrder(t *testing.T) {
	s, err := evaluate(t, "clusters: dev: environment: \"development\"\npromotion: [\"development\", \"staging\", \"production\"]\n")
	if err != nil {
		t.Fatal(cueerrors.Details(err, nil))
	}
	if strings.Join(s.Promotion, ",") != "development,staging,production" {
		t.Fatalf("promotion = %q", s.Promotion)
	}
	s, err = evaluate(t, "clusters: dev: environment: \"development\"\n")
	if err != nil || s.Promotion != nil {
		t.Fatalf("promotion = %q, %v; want none", s.Promotion, err)
	}
}

// openobserve asks the operator for its credentials Secret exactly where
// its values make the workloads read one (externalSecret): production by
// default, or wherever the config says, under the name the values give.
func TestRequiresSecretsFollowTheValues(t *testing.T) {
	s, err := evaluate(t, `clusters: dev: environment: "development"
clusters: lab: {environment: "development", components: openobserve: values: externalSecret: {enabled: true, name: "o2-creds"}}
clusters: prod: {environment: "production", acmeEmail: "platform@acme.io"}
clusters: edge: {environment: "production", acmeEmail: "platform@acme.io", components: openobserve: values: externalSecret: enabled: false}
`)
	if err != nil {
		t.Fatal(cueerrors.Details(err, nil))
	}
	want := map[string]string{"dev": "", "lab": "o2-creds", "prod": "openobserve-credentials", "edge": ""}
	for _, c := range s.Clusters {
		for _, comp := range c.Components {
			if comp.Name != "openobserve" {
				if comp.RequiresSecrets != nil {
					t.Errorf("%s/%s requires %+v", c.Name, comp.Name, comp.RequiresSecrets)
				}
				continue
			}
			var got string
			switch len(comp.RequiresSecrets) {
			case 0:
			case 1:
				got = comp.RequiresSecrets[0].Name
				if !slices.Contains(comp.RequiresSecrets[0].Keys, "ZO_ROOT_USER_PASSWORD") {
					t.Errorf("%s: keys %v", c.Name, comp.RequiresSecrets[0].Keys)
				}
			default:
				t.Errorf("%s: %+v", c.Name, comp.RequiresSecrets)
			}
			if got != want[c.Name] {
				t.Errorf("%s: openobserve requires %q, want %q", c.Name, got, want[c.Name])
			}
			annotation := strings.Contains(string(comp.Application), `"dorgu.io/operator-secrets":"`+got+`"`)
			if annotation != (got != "") {
				t.Errorf("%s: the Application's dorgu.io/operator-secrets annotation does not say %q:\n%s", c.Name, got, comp.Application)
			}
		}
	}
}

// A component may depend on other components according to the cluster's
// ingress: the same component waits for a different one in each cluster.
// A cluster may
// replace the list, and disable what the component no longer needs.
func TestDependsOnPerCluster(t *testing.T) {
	const chart = `chart: {repoURL: "https://charts.example.com", name: "a", version: "1.0.0"}`
	s, err := evaluate(t, `clusters: nginx: environment: "development"
clusters: gw: {environment: "development", ingress: "gateway"}
clusters: own: {
	environment: "development"
	components: "ingress-nginx": enabled: false
	components: openobserve: dependsOn: ["cloudnative-pg", "cert-manager"]
	components: a: enabled: false
}
clusters: gw: components: "envoy-gateway": enabled: true
components: a: {description: "a", `+chart+`
	ingressDependsOn: {nginx: ["ingress-nginx"], gateway: ["external-secrets"]}
}
`)
	if err != nil {
		t.Fatal(cueerrors.Details(err, nil))
	}
	waves := map[string]map[string]int{}
	for _, c := range s.Clusters {
		waves[c.Name] = map[string]int{}
		for _, comp := range c.Components {
			waves[c.Name][comp.Name] = comp.Wave
		}
	}
	if w := waves["nginx"]; w["a"] != 2 || w["ingress-nginx"] != 1 {
		t.Errorf("nginx cluster waves %v: a waits for ingress-nginx", w)
	}
	if w := waves["gw"]; w["a"] != 1 || w["external-secrets"] != 0 || w["openobserve"] != 2 || w["cert-manager"] != 1 || w["envoy-gateway"] != 0 {
		t.Errorf("gateway cluster waves %v: a waits for external-secrets, cert-manager for envoy-gateway, openobserve for both", w)
	}
	if w := waves["own"]; w["openobserve"] != 1 {
		t.Errorf("own cluster waves %v: openobserve waits for cloudnative-pg and cert-manager only", w)
	}
	if _, ok := waves["own"]["ingress-nginx"]; ok {
		t.Error("ingress-nginx runs in a cluster that disables it")
	}
}
