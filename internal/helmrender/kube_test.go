package helmrender

import (
	"slices"
	"strings"
	"testing"
)

func TestKubeVersionFor(t *testing.T) {
	newest := KubernetesVersions[len(KubernetesVersions)-1]
	for _, tc := range []struct {
		declared, constraint, want, err string
	}{
		{"", "", newest, ""},
		{"", ">=1.29.0-0 <1.36.0-0", "1.35.0", ""},
		{"", "<1.34.0", "1.33.0", ""},
		{"", "~1.32.0-0", "1.32.0", ""},
		{"1.31.2", ">=1.29.0-0", "1.31.2", ""},
		{"v1.34.2-eks-1", ">=1.29.0-0", "v1.34.2-eks-1", ""},
		{"1.28.0", ">=1.29.0-0", "", "the chart requires Kubernetes >=1.29.0-0; the cluster declares kubeVersion 1.28.0"},
		{"", "<1.20.0", "", "none of"},
		{"one", "", "", `kubeVersion "one"`},
	} {
		got, err := KubeVersionFor(tc.declared, tc.constraint)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("KubeVersionFor(%q, %q): error %v, want %q", tc.declared, tc.constraint, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("KubeVersionFor(%q, %q) = %q, %v; want %q", tc.declared, tc.constraint, got, err, tc.want)
		}
	}
}

func TestBuiltinAPIVersions(t *testing.T) {
	v33, v34 := BuiltinAPIVersions("1.33.0"), BuiltinAPIVersions("v1.34.1")
	for _, want := range []string{"v1", "v1/Secret", "apps/v1/Deployment", "policy/v1/PodDisruptionBudget", "networking.k8s.io/v1/ServiceCIDR"} {
		if !slices.Contains(v33, want) {
			t.Errorf("1.33 lacks %s", want)
		}
	}
	if slices.Contains(v33, "resource.k8s.io/v1") || !slices.Contains(v34, "resource.k8s.io/v1/ResourceClaim") {
		t.Errorf("resource.k8s.io/v1 is GA from 1.34 only")
	}
	if !slices.IsSorted(v33) {
		t.Errorf("not sorted")
	}
	s := NewScopes()
	if s.Namespaced("rbac.authorization.k8s.io/v1", "ClusterRole") || !s.Namespaced("v1", "ConfigMap") || !s.Namespaced("example.test/v1", "Unknown") {
		t.Errorf("scopes")
	}
}

// TestAPIVersionChecks: the chart's Has calls on literals are known, so a
// second pass runs only for an added version the chart asks about.
func TestAPIVersionChecks(t *testing.T) {
	c, err := FromDir("testdata/charts/shop")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"monitoring.coreos.com/v1", "policy/v1/PodDisruptionBudget", "shop.example.test/v1/Shelf"}
	if !slices.Equal(c.APIVersionChecks, want) || c.APIVersionsDynamic {
		t.Fatalf("checks %v, dynamic %v; want %v, false", c.APIVersionChecks, c.APIVersionsDynamic, want)
	}
	base := []string{"v1", "v1/Pod"}
	if asksAbout(c, base, append(slices.Clone(base), "example.test/v1")) {
		t.Error("an API version the chart never asks about re-renders it")
	}
	if !asksAbout(c, base, append(slices.Clone(base), "monitoring.coreos.com/v1")) {
		t.Error("an API version the chart asks about does not re-render it")
	}
	dyn := *c
	dyn.APIVersionsDynamic = true
	if !asksAbout(&dyn, base, append(slices.Clone(base), "example.test/v1")) || asksAbout(&dyn, base, base) {
		t.Error("a chart that reads APIVersions dynamically")
	}
}
