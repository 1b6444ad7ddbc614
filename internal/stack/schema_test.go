package stack

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"

	dorgugen "github.com/dorgu/dorgu-gen"
	"github.com/dorgu/dorgu-gen/internal/config"
)

// The schema holds the constraints CUE can express; Go repeats a few of
// them only for a better message. These configs must fail on the schema
// alone, as `cue vet` of an ejected config would, without dorgu-gen's
// checks.
func TestSchemaRejects(t *testing.T) {
	const dev = "clusters: dev: environment: \"development\"\n"
	for _, tc := range []struct{ name, src, path string }{
		{"top-level field", dev + "cluster: x: 1\n", "cluster"},
		{"unknown environment", "clusters: dev: environment: \"prod\"\n", "clusters.dev.environment"},
		{"unknown provider", "clusters: dev: {environment: \"development\", provider: \"amazon\"}\n", "clusters.dev.provider"},
		{"destination server and name", "clusters: dev: {environment: \"development\", destination: {server: \"https://k\", name: \"k\"}}\n", "clusters.dev.destination"},
		{"promotion twice", dev + "promotion: [\"development\", \"staging\", \"development\"]\n", "promotion"},
		{"promotion unknown environment", dev + "promotion: [\"development\", \"qa\"]\n", "promotion.1"},
		{"chart repository without a scheme", dev + "components: a: {description: \"a\", chart: {repoURL: \"charts.example.com\", name: \"a\", version: \"1.0.0\"}}\n", "components.a.chart.repoURL"},
		{"cluster named default", "clusters: default: environment: \"development\"\n", "clusters.default.name"},
		{"acme contact missing", "clusters: prod: environment: \"production\"\n", "clusters.prod.acmeEmail"},
		{"acme contact at example.com", "clusters: dev: {environment: \"development\", acmeEmail: \"a@example.com\"}\n", "clusters.dev.acmeEmail"},
		{"acme contact at a reserved domain", "clusters: dev: {environment: \"development\", acmeEmail: \"a@b.invalid\"}\n", "clusters.dev.acmeEmail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := validateSchemaOnly(schemaOnly(t, tc.src))
			if err == nil {
				t.Fatal("the schema accepts it")
			}
			for _, e := range cueerrors.Errors(err) {
				if strings.Join(e.Path(), ".") == tc.path {
					return
				}
			}
			t.Fatalf("no error at %s in:\n%s", tc.path, cueerrors.Details(err, nil))
		})
	}
	// The same fields, valid, pass.
	good := "clusters: dev: {environment: \"development\", provider: \"aws\", destination: name: \"dev\"}\nclusters: prod: {environment: \"production\", acmeEmail: \"certs@example.co.uk\"}\npromotion: [\"development\", \"staging\", \"production\"]\n"
	if err := validateSchemaOnly(schemaOnly(t, good)); err != nil {
		t.Fatalf("the schema rejects a good config:\n%s", cueerrors.Details(err, nil))
	}
}

// schemaOnly builds src with the embedded schema and components, and runs
// none of dorgu-gen's own checks.
func schemaOnly(t *testing.T, src string) cue.Value {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dorgu.cue"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(config.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	root, err := buildInstance(cuecontext.New(), cfg.CUE)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// validateSchemaOnly validates as load does: the whole package, and the
// clusters concrete.
func validateSchemaOnly(root cue.Value) error {
	if err := root.Validate(); err != nil {
		return err
	}
	return root.LookupPath(pathClusters).Validate(cue.Concrete(true))
}

// The schema's closed top level and the names dorgu-gen's own message
// lists are the same fields.
func TestTopLevelMatchesSchema(t *testing.T) {
	data, err := fs.ReadFile(dorgugen.Defaults(), "schema/stack.cue")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\[Name=!~"\^\(([^)]*)\)\$"\]`).FindSubmatch(data)
	if m == nil {
		t.Fatal("schema/stack.cue: no pattern that closes the top level")
	}
	if got := strings.Split(string(m[1]), "|"); !slices.Equal(got, topLevel) {
		t.Errorf("schema allows %v at the top level, topLevel lists %v", got, topLevel)
	}
}
