package helmrender

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	helmcmd "helm.sh/helm/v4/pkg/cmd"
)

// helmTemplate runs Helm 4.2.1's own `helm template` command in process,
// with the command line ArgoCD v3.5.1's repo-server builds
// (util/helm/cmd.go): --name-template, --namespace, --kube-version, one
// --values per file, one --api-versions per version, --include-crds unless
// skipped, --skip-tests when asked. Only the test links Helm's command
// package: it brings in the Kubernetes client, which dorgu-gen leaves out.
func helmTemplate(t *testing.T, chartDir string, in Input) (string, error) {
	t.Helper()
	dir := t.TempDir()
	args := []string{"template", chartDir, "--name-template", in.ReleaseName}
	// Helm's flags bind to one settings value per process, which keeps
	// the previous run's --namespace: an empty one is passed as the
	// "default" a repo-server without a kubeconfig context gets.
	ns := in.Namespace
	if ns == "" {
		ns = "default"
	}
	args = append(args, "--namespace", ns)
	if in.KubeVersion != "" {
		args = append(args, "--kube-version", in.KubeVersion)
	}
	for i, v := range in.ValuesFiles {
		p := filepath.Join(dir, "values-"+string(rune('a'+i))+".yaml")
		if err := os.WriteFile(p, v, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--values", p)
	}
	for _, v := range in.APIVersions {
		args = append(args, "--api-versions", v)
	}
	if !in.SkipCRDs {
		args = append(args, "--include-crds")
	}
	if in.SkipTests {
		args = append(args, "--skip-tests")
	}
	var out bytes.Buffer
	cmd, err := helmcmd.NewRootCmd(&out, args, func(bool) {})
	if err != nil {
		t.Fatal(err)
	}
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	err = cmd.Execute()
	return out.String(), err
}

// parityCases are inputs that exercise what ArgoCD varies: the Kubernetes
// version, API versions, several values files, CRDs and tests left out,
// subcharts switched on, tpl passthrough.
var parityCases = []struct {
	name string
	in   Input
}{
	{"defaults", Input{ReleaseName: "shop", Namespace: "shop", KubeVersion: "1.33.0"}},
	{"older kube, no namespace", Input{ReleaseName: "web", KubeVersion: "v1.30.4"}},
	{"provider version string", Input{ReleaseName: "shop", Namespace: "apps", KubeVersion: "v1.34.2-gke.1245000"}},
	{"api versions", Input{ReleaseName: "shop", Namespace: "shop", KubeVersion: "1.33.1",
		APIVersions: []string{"monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor", "policy/v1", "policy/v1/PodDisruptionBudget"},
		ValuesFiles: [][]byte{[]byte("podDisruptionBudget:\n  enabled: true\n")}}},
	{"values files in order", Input{ReleaseName: "shop-prod", Namespace: "prod", KubeVersion: "1.35.0",
		ValuesFiles: [][]byte{
			[]byte("replicaCount: 2\nresources:\n  requests:\n    cpu: 100m\n"),
			[]byte("# a comment\nreplicaCount: 3\ncache:\n  enabled: true\n  replicas: 2\nleaderElection:\n  namespace: \"\"\n---\npodAnnotations:\n  a: b\n"),
		}}},
	{"extra objects through tpl", Input{ReleaseName: "shop", Namespace: "shop", KubeVersion: "1.33.0",
		ValuesFiles: [][]byte{[]byte("extraObjects:\n  - |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: {{ .Release.Name }}-extra\n    data:\n      ns: {{ .Release.Namespace }}\n")}}},
	{"skip crds and tests", Input{ReleaseName: "shop", Namespace: "shop", KubeVersion: "1.33.0", SkipCRDs: true, SkipTests: true}},
	{"database off", Input{ReleaseName: "shop", Namespace: "shop", KubeVersion: "1.29.0",
		ValuesFiles: [][]byte{[]byte("database:\n  enabled: false\nmetrics:\n  serviceMonitor:\n    enabled: false\n")}}},
}

// TestParityWithHelmTemplate holds Render to byte-identical output with
// `helm template`, on every case, and to the same failure where Helm fails.
func TestParityWithHelmTemplate(t *testing.T) {
	chartDir := filepath.Join("testdata", "charts", "shop")
	for _, tc := range parityCases {
		t.Run(tc.name, func(t *testing.T) {
			want, werr := helmTemplate(t, chartDir, tc.in)
			ch, err := FromDir(chartDir)
			if err != nil {
				t.Fatal(err)
			}
			c, err := ch.Load()
			if err != nil {
				t.Fatal(err)
			}
			got, gerr := Render(c, tc.in)
			if werr != nil || gerr != nil {
				t.Fatalf("helm template: %v\nRender: %v", werr, gerr)
			}
			if got.Manifest != want {
				t.Errorf("Render differs from helm template:\n--- helm template\n%s\n--- Render\n%s", want, got.Manifest)
			}
			if strings.Count(want, "# Source:") < 5 {
				t.Errorf("suspiciously little output:\n%s", want)
			}
		})
	}
}

// TestParityErrors: where helm template refuses, Render refuses too.
func TestParityErrors(t *testing.T) {
	chartDir := filepath.Join("testdata", "charts", "shop")
	for _, in := range []Input{
		{ReleaseName: "shop", Namespace: "shop", KubeVersion: "1.28.3"},                     // below the chart's kubeVersion
		{ReleaseName: "Shop_Bad", Namespace: "shop", KubeVersion: "1.33.0"},                 // not a release name
		{ReleaseName: "shop", Namespace: "shop", KubeVersion: "one.two"},                    // not a version
		{ReleaseName: "shop", KubeVersion: "1.33.0", ValuesFiles: [][]byte{[]byte("a: [")}}, // not YAML
	} {
		_, werr := helmTemplate(t, chartDir, in)
		ch, err := FromDir(chartDir)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ch.Load()
		if err != nil {
			t.Fatal(err)
		}
		_, gerr := Render(c, in)
		if werr == nil || gerr == nil {
			t.Errorf("%+v: helm template error %v, Render error %v; want both to fail", in, werr, gerr)
		}
	}
}
