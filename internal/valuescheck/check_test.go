package valuescheck

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	commonutil "helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"

	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
)

var shopDir = filepath.Join("..", "helmrender", "testdata", "charts", "shop")

func loadShop(t *testing.T) *chart.Chart {
	t.Helper()
	c, err := helmrender.FromDir(shopDir)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := c.Load()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// lineOf is the 1-based line of the first line of content containing s.
func lineOf(t *testing.T, content, s string) int {
	t.Helper()
	for i, l := range strings.Split(content, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%q not in the values", s)
	return 0
}

type want struct {
	rule, path, at, msg string // at: text on the expected line
}

func TestCheck(t *testing.T) {
	header := "# Helm values of shop in cluster dev.\n"
	for _, tc := range []struct {
		name     string
		values   string
		freeform []string
		want     []want
	}{
		{"clean", "replicaCount: 2\nimage:\n  tag: \"2.1\"\npodAnnotations:\n  a: b\nresources:\n  limits:\n    cpu: \"1\"\n", nil, nil},
		{"typo where the schema is closed", "image:\n  tagg: \"2.1\"\n", nil, []want{
			{RuleSchema, "image.tagg", "tagg:", "additional properties 'tagg' not allowed; did you mean \"tag\"?"},
		}},
		{"wrong type", "replicaCount: two\n", nil, []want{
			{RuleSchema, "replicaCount", "replicaCount:", "got string, want integer"},
		}},
		{"enum", "image:\n  pullPolicy: Sometimes\n", nil, []want{
			{RuleSchema, "image.pullPolicy", "pullPolicy:", "value must be one of"},
		}},
		{"typo where Helm ignores it", "replicaCont: 2\nservice:\n  portt: 80\n", nil, []want{
			{RuleUnknownKey, "replicaCont", "replicaCont:", `did you mean "replicaCount"?`},
			{RuleUnknownKey, "service.portt", "portt:", `did you mean "port"?`},
		}},
		{"subchart schema", "cache:\n  enabled: true\n  maxMemory: lots\n  persistence:\n    sise: 1Gi\n", nil, []want{
			{RuleSchema, "cache.maxMemory", "maxMemory:", "does not match pattern"},
			{RuleSchema, "cache.persistence.sise", "sise:", "additional properties 'sise' not allowed"},
		}},
		{"disabled subchart is not validated", "cache:\n  enabled: false\n  replicas: 0\n", nil, nil},
		{"free-form subtree declared", "database:\n  storage:\n    storageClass: fast\n", []string{"database.storage"}, nil},
		{"free-form subtree not declared", "database:\n  storage:\n    storageClass: fast\n", nil, []want{
			{RuleUnknownKey, "database.storage.storageClass", "storageClass:", ""},
		}},
		{"annotation-like defaults are data", "service:\n  annotations:\n    other.example.test/owner: shop\n", nil, nil},
		{"condition and global keys", "cache:\n  enabled: true\nglobal:\n  anything: 1\n", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := header + tc.values
			got, err := Check(loadShop(t), Target{File: "clusters/dev/values/shop.yaml", Content: []byte(content), Cluster: "dev", Component: "shop", Freeform: tc.freeform})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tc.want), dump(got))
			}
			for _, w := range tc.want {
				f := findRule(got, w.rule, w.path)
				if f == nil {
					t.Errorf("no %s finding at %s:\n%s", w.rule, w.path, dump(got))
					continue
				}
				if line := lineOf(t, content, w.at); f.Line != line || f.Column == 0 {
					t.Errorf("%s %s at line %d col %d, want line %d", w.rule, w.path, f.Line, f.Column, line)
				}
				if !strings.Contains(f.Message, w.msg) || f.File != "clusters/dev/values/shop.yaml" || f.Cluster != "dev" || f.Component != "shop" {
					t.Errorf("finding %+v; want message containing %q", f, w.msg)
				}
				wantSev := finding.Error
				if w.rule == RuleUnknownKey {
					wantSev = finding.Warning
				}
				if f.Severity != wantSev {
					t.Errorf("%s is %s", w.rule, f.Severity)
				}
			}
		})
	}
}

func findRule(fs []finding.Finding, rule, path string) *finding.Finding {
	for i := range fs {
		var parts []string
		for _, p := range fs[i].Field {
			parts = append(parts, fmt.Sprint(p))
		}
		if fs[i].Rule == rule && strings.Join(parts, ".") == path {
			return &fs[i]
		}
	}
	return nil
}

func dump(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s:%d:%d %v %s\n", f.Rule, f.File, f.Line, f.Column, f.Field, f.Message)
	}
	return b.String()
}

// TestOrigin: a finding names where the config sets the value: the value
// itself, else the first value below it (an unknown key whose subtree the
// config sets), else the nearest above it (a key inside a struct set whole).
func TestOrigin(t *testing.T) {
	j := func(p ...string) string { return strings.Join(p, "\x1f") }
	origins := map[string]string{
		j("replicaCount"):              "dorgu.cue:3:2",
		j("controler", "replicaCount"): "dorgu.cue:4:13",
		j("controler", "image", "tag"): "dorgu.cue:5:20",
		j("podAnnotations"):            "dorgu.cue:6:2",
	}
	for _, tc := range []struct {
		path []string
		want string
	}{
		{[]string{"replicaCount"}, "dorgu.cue:3:2"},
		{[]string{"controler"}, "dorgu.cue:5:20"}, // the first below, in key order
		{[]string{"podAnnotations", "a"}, "dorgu.cue:6:2"},
		{[]string{"image"}, ""},
	} {
		if got := origin(origins, tc.path); got != tc.want {
			t.Errorf("origin(%v) = %q, want %q", tc.path, got, tc.want)
		}
	}
	h := hint(Target{Component: "web", Cluster: "dev", Origins: origins}, []string{"replicaCount"}, false)
	if h != "the config sets it at dorgu.cue:3:2" {
		t.Errorf("hint %q", h)
	}
}

// TestSubchartConditionKey: a subchart's condition key (cache.enabled) is
// known even when the subchart's own values and schema do not name it.
func TestSubchartConditionKey(t *testing.T) {
	ch := loadShop(t)
	for _, d := range ch.Dependencies() {
		d.Schema = nil
	}
	vals, err := readValues([]byte("cache:\n  enabled: true\n  enabeld: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := Keys(ch, vals, nil)
	if len(got) != 1 || PathString(got[0].Path) != "cache.enabeld" || got[0].Suggestion != "enabled" {
		t.Errorf("got %+v, want only cache.enabeld, with enabled suggested", got)
	}
}

// TestSchemaAgreesWithHelm: where Helm 4's own ValidateAgainstSchema
// (called as helm template calls it) refuses values, Schema reports a
// violation, and where Helm accepts them, Schema reports none.
func TestSchemaAgreesWithHelm(t *testing.T) {
	for _, values := range []string{
		"replicaCount: 2\n",
		"replicaCount: two\n",
		"replicaCount: -1\n",
		"image:\n  tagg: x\n",
		"image: nope\n",
		"extraObjects: [1]\n",
		"cache:\n  enabled: true\n  replicas: 0\n",
		"cache:\n  enabled: false\n  replicas: 0\n",
		"cache:\n  enabled: true\n  extra: 1\n",
		"cache: 5\n",
		"database:\n  storage: {size: 2Gi}\n",
	} {
		vals, err := readValues([]byte(values))
		if err != nil {
			t.Fatal(err)
		}
		helmErr := helmValidate(t, loadShop(t), vals)
		vs, err := Schema(loadShop(t), vals)
		if err != nil {
			if helmErr == nil {
				t.Errorf("%q: Helm accepts it; Schema: %v", values, err)
			}
			continue
		}
		if (helmErr != nil) != (len(vs) > 0) {
			t.Errorf("%q: Helm says %v; Schema found %+v", values, helmErr, vs)
		}
	}
}

func helmValidate(t *testing.T, ch *chart.Chart, vals map[string]any) error {
	t.Helper()
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return err
	}
	_, err := commonutil.ToRenderValuesWithSchemaValidation(ch, vals, common.ReleaseOptions{Name: "shop", Namespace: "shop", Revision: 1, IsInstall: true}, nil, false)
	return err
}

// TestSchemaRefusesRemoteRefs: a schema that points elsewhere is not
// fetched; the error names what it wanted.
func TestSchemaRefusesRemoteRefs(t *testing.T) {
	for _, ref := range []string{"https://schemas.example.test/values.json", "file:///etc/passwd"} {
		ch := &chart.Chart{
			Metadata: &chart.Metadata{APIVersion: "v2", Name: "remote", Version: "1.0.0"},
			Schema:   []byte(`{"type": "object", "properties": {"a": {"$ref": "` + ref + `"}}}`),
		}
		_, err := Schema(ch, map[string]any{"a": 1})
		if err == nil || !strings.Contains(err.Error(), "does not fetch") {
			t.Errorf("%s: got %v", ref, err)
		}
	}
}
