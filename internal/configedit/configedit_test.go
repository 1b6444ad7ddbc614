package configedit

import (
	"fmt"
	"strings"
	"testing"
)

func edit(t *testing.T, src string, sets ...Set) (string, []Change) {
	t.Helper()
	res, err := Edit([]File{{Name: "dorgu.cue", Data: []byte(src)}}, sets)
	if err != nil {
		t.Fatal(err)
	}
	out, ok := res.Files["dorgu.cue"]
	if !ok {
		return src, res.Changes
	}
	return string(out), res.Changes
}

func clusterVersion(cluster, component, v string) Set {
	return Set{Path: Path{"clusters", cluster, "components", component, "version"}, Value: v}
}

func componentVersion(component, v string) Set {
	return Set{Path: Path{"components", component, "chart", "version"}, Value: v}
}

func TestEdits(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		set             Set
		line            int
		added           bool
	}{{
		name: "shorthand path",
		src:  "clusters: \"prod\": components: \"demo\": version: \"1.2.3\" // pinned\n",
		set:  clusterVersion("prod", "demo", "2.0.0"),
		want: "clusters: \"prod\": components: \"demo\": version: \"2.0.0\" // pinned\n",
		line: 1,
	}, {
		name: "nested structs",
		src:  "clusters: prod: {\n\tenvironment: \"production\"\n\tcomponents: {\n\t\t// why\n\t\tdemo: version: \"1.2.3\"\n\t}\n}\n",
		set:  clusterVersion("prod", "demo", "2.0.0"),
		want: "clusters: prod: {\n\tenvironment: \"production\"\n\tcomponents: {\n\t\t// why\n\t\tdemo: version: \"2.0.0\"\n\t}\n}\n",
		line: 5,
	}, {
		name: "a one-line chart struct",
		src:  "components: demo: {\n\tdescription: \"d\"\n\tchart: {repoURL: \"https://r\", name: \"demo\", version: \"1.2.3\"}\n}\n",
		set:  componentVersion("demo", "2.0.0"),
		want: "components: demo: {\n\tdescription: \"d\"\n\tchart: {repoURL: \"https://r\", name: \"demo\", version: \"2.0.0\"}\n}\n",
		line: 3,
	}, {
		name: "a default, as the embedded components write it",
		src:  "components: demo: chart: version: *\"1.2.3\" | string\n",
		set:  componentVersion("demo", "2.0.0"),
		want: "components: demo: chart: version: *\"2.0.0\" | string\n",
		line: 1,
	}, {
		name: "in a unification",
		src:  "#Base: {}\nclusters: prod: #Base & {components: demo: version: \"1.2.3\"}\n",
		set:  clusterVersion("prod", "demo", "2.0.0"),
		want: "#Base: {}\nclusters: prod: #Base & {components: demo: version: \"2.0.0\"}\n",
		line: 2,
	}, {
		name: "added to the cluster's struct",
		src:  "clusters: dev: {\n\tenvironment: \"development\" // the first\n\n\t// Per-component choices:\n\t// components: {}\n}\n",
		set:  clusterVersion("dev", "cert-manager", "v1.22.0"),
		want: "clusters: dev: {\n\tenvironment: \"development\" // the first\n\n\t// Per-component choices:\n\t// components: {}\n\tcomponents: \"cert-manager\": version: \"v1.22.0\"\n}\n",
		line: 6, added: true,
	}, {
		name: "added to the component's struct of the cluster",
		src:  "clusters: dev: {\n\tenvironment: \"development\"\n\tcomponents: demo: {\n\t\tvalues: a: 1\n\t}\n}\n",
		set:  clusterVersion("dev", "demo", "2.0.0"),
		want: "clusters: dev: {\n\tenvironment: \"development\"\n\tcomponents: demo: {\n\t\tvalues: a: 1\n\t\tversion: \"2.0.0\"\n\t}\n}\n",
		line: 5, added: true,
	}, {
		name: "added to a one-line struct",
		src:  "clusters: prod: {environment: \"production\"}\n",
		set:  clusterVersion("prod", "demo", "2.0.0"),
		want: "clusters: prod: {environment: \"production\", components: demo: version: \"2.0.0\"}\n",
		line: 1, added: true,
	}, {
		name: "added after a shorthand cluster",
		src:  "// Clusters.\nclusters: dev: environment: \"development\"\nclusters: prod: environment: \"production\" // big\n\nrepo: url: \"https://g\"\n",
		set:  clusterVersion("dev", "demo", "2.0.0"),
		want: "// Clusters.\nclusters: dev: environment: \"development\"\nclusters: dev: components: demo: version: \"2.0.0\"\nclusters: prod: environment: \"production\" // big\n\nrepo: url: \"https://g\"\n",
		line: 3, added: true,
	}, {
		name: "added after a struct closed after its last field",
		src:  "clusters: dev: {\n\tenvironment: \"development\"}\n",
		set:  clusterVersion("dev", "demo", "2.0.0"),
		want: "clusters: dev: {\n\tenvironment: \"development\"}\nclusters: dev: components: demo: version: \"2.0.0\"\n",
		line: 3, added: true,
	}, {
		name: "added for an embedded component",
		src:  "clusters: dev: environment: \"development\"\n",
		set:  componentVersion("cert-manager", "v1.22.0"),
		want: "clusters: dev: environment: \"development\"\n\ncomponents: \"cert-manager\": chart: version: \"v1.22.0\"\n",
		line: 3, added: true,
	}, {
		name: "a top-level name alone is no anchor",
		src:  "components: \"ingress-nginx\": enabledByDefault:    false\ncomponents: \"external-secrets\": enabledByDefault: false\n",
		set:  componentVersion("cert-manager", "v1.22.0"),
		want: "components: \"ingress-nginx\": enabledByDefault:    false\ncomponents: \"external-secrets\": enabledByDefault: false\n\ncomponents: \"cert-manager\": chart: version: \"v1.22.0\"\n",
		line: 4, added: true,
	}, {
		name: "added to a braced struct of every cluster",
		src:  "clusters: {\n\tdev: environment: \"development\"\n}\n",
		set:  clusterVersion("prod", "demo", "2.0.0"),
		want: "clusters: {\n\tdev: environment: \"development\"\n\tprod: components: demo: version: \"2.0.0\"\n}\n",
		line: 3, added: true,
	}, {
		name: "added next to the component's other settings",
		src:  "components: \"cert-manager\": enabledByDefault: false\nclusters: dev: environment: \"development\"\n",
		set:  componentVersion("cert-manager", "v1.22.0"),
		want: "components: \"cert-manager\": enabledByDefault: false\ncomponents: \"cert-manager\": chart: version: \"v1.22.0\"\nclusters: dev: environment: \"development\"\n",
		line: 2, added: true,
	}, {
		name: "a file that is not cue fmt's is spliced, not reformatted",
		src:  "clusters:   dev:   {environment:   \"development\",   components: demo: version:   \"1.0.0\"}\n",
		set:  clusterVersion("dev", "demo", "2.0.0"),
		want: "clusters:   dev:   {environment:   \"development\",   components: demo: version:   \"2.0.0\"}\n",
		line: 1,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, changes := edit(t, tc.src, tc.set)
			if got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
			if len(changes) != 1 || changes[0].Line != tc.line || changes[0].Added != tc.added || changes[0].File != "dorgu.cue" {
				t.Fatalf("changes %+v, want one at line %d (added %v)", changes, tc.line, tc.added)
			}
		})
	}
}

func TestSetEverywhereAndNothingWhenEqual(t *testing.T) {
	src := "components: demo: chart: version: \"1.2.3\"\ncomponents: demo: chart: version: \"1.2.3\" // again\n"
	got, changes := edit(t, src, componentVersion("demo", "2.0.0"))
	if want := strings.ReplaceAll(src, "1.2.3", "2.0.0"); got != want || len(changes) != 2 || changes[0].Old != "1.2.3" {
		t.Fatalf("got\n%s\nchanges %+v", got, changes)
	}
	got, changes = edit(t, got, componentVersion("demo", "2.0.0"))
	if len(changes) != 0 {
		t.Fatalf("an equal value changed %+v:\n%s", changes, got)
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"a reference", "#v: \"1.2.3\"\nclusters: dev: components: demo: version: #v\n", "dorgu.cue:2: clusters.dev.components.demo.version is set by an expression (#v), which dorgu-gen cannot change safely; change it by hand"},
		{"an interpolation", "#v: \"3\"\nclusters: dev: components: demo: version: \"1.2.\\(#v)\"\n", "dorgu.cue:2: clusters.dev.components.demo.version is set by an expression (\"1.2.\\(#v)\")"},
		{"two defaults", "clusters: dev: components: demo: version: *\"1\" | *\"2\"\n", "dorgu.cue:1: clusters.dev.components.demo.version is set by a disjunction without one default"},
		{"a struct closed after a field, then more on its line", "clusters: dev: {\n\tenvironment: \"development\"}, repo: url: \"https://g\"\n", "dorgu.cue:1: cannot add clusters.dev.components.demo.version next to clusters.dev here without rewriting the lines around it; add `clusters: dev: components: demo: version: \"2.0.0\"` by hand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Edit([]File{{Name: "dorgu.cue", Data: []byte(tc.src)}}, []Set{clusterVersion("dev", "demo", "2.0.0")})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// A config of several files: the file that sets the field is edited, and
// only it; a field no file sets is added where its cluster is declared.
func TestSeveralFiles(t *testing.T) {
	files := []File{
		{Name: "a.cue", Data: []byte("package dorgu\n\nclusters: dev: environment: \"development\"\n")},
		{Name: "b.cue", Data: []byte("package dorgu\n\nclusters: prod: {\n\tenvironment: \"production\"\n\tcomponents: demo: version: \"1.2.3\"\n}\n")},
	}
	res, err := Edit(files, []Set{clusterVersion("prod", "demo", "2.0.0"), clusterVersion("dev", "demo", "2.0.0")})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.Files["b.cue"]); got != strings.Replace(string(files[1].Data), "1.2.3", "2.0.0", 1) {
		t.Errorf("b.cue:\n%s", got)
	}
	if got := string(res.Files["a.cue"]); got != "package dorgu\n\nclusters: dev: environment: \"development\"\nclusters: dev: components: demo: version: \"2.0.0\"\n" {
		t.Errorf("a.cue:\n%s", got)
	}
	if len(res.Changes) != 2 || res.Changes[0].File != "b.cue" || res.Changes[0].Line != 5 || res.Changes[1].File != "a.cue" || res.Changes[1].Line != 4 {
		t.Errorf("changes %+v", res.Changes)
	}
}

func TestCommentsAreCounted(t *testing.T) {
	src := "// a\npackage dorgu\n\n// b\nx: 1 // c\n\n// d, free-floating\n\ny: {\n\t// e\n}\n// f\n"
	if got := comments([]byte(src)); strings.Join(got, "|") != "// a|// b|// c|// d, free-floating|// e|// f" {
		t.Fatalf("comments %q", got)
	}
}

// A fleet's config of 1000 clusters, each in a struct of its own with a
// comment, one version override each: setting one cluster's version reads
// every file once to find it, and once more to check the result.
func BenchmarkEditFleet(b *testing.B) {
	var src strings.Builder
	src.WriteString("package dorgu\n\n")
	for i := range 1000 {
		fmt.Fprintf(&src, "// Cluster %d.\nclusters: \"c%04d\": {\n\tenvironment: \"production\"\n\tcomponents: demo: version: \"1.2.3\"\n}\n\n", i, i)
	}
	files := []File{{Name: "dorgu.cue", Data: []byte(src.String())}}
	b.SetBytes(int64(src.Len()))
	for b.Loop() {
		res, err := Edit(files, []Set{clusterVersion("c0500", "demo", "2.0.0"), clusterVersion("c0999", "other", "1.0.0")})
		if err != nil || len(res.Changes) != 2 {
			b.Fatal(err, res)
		}
	}
}
