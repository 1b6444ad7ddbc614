// Package fleet generates the configs that the benchmarks render: a fleet
// of clusters over the embedded default stack, optionally with generated
// user components. The Go benchmarks (internal/pipeline/bench_test.go) and
// the comparison script (bench/compare.sh, through bench/genfleet) use it,
// so both measure the same work.
package fleet

import (
	"fmt"
	"strings"
)

// Environments and Providers are cycled through by cluster index.
var (
	Environments = []string{"development", "staging", "production", "sandbox"}
	Providers    = []string{"aws", "gcp", "azure", "generic"}
)

// BlessedComponents is the number of components embedded in dorgu-gen.
const BlessedComponents = 6

// RepoURL is the scaffold repository of the generated configs; it is set so
// that no placeholder warning is reported.
const RepoURL = "https://github.com/acme/infra-gitops.git"

// ClusterName names the i-th cluster.
func ClusterName(i int) string { return fmt.Sprintf("c%04d", i) }

// ComponentName names the i-th generated component (1-based).
func ComponentName(i int) string { return fmt.Sprintf("app-%02d", i) }

// Config returns a dorgu.cue with n clusters and extra generated components
// on top of the six blessed ones. Cluster i has environment
// Environments[i%4] and provider Providers[(i/4)%4], so every pair occurs.
//
// The generated components use the chart repository
// https://charts.example.com and pinned versions; every sixth starts a
// dependsOn chain of six (app-02 depends on app-01, app-03 on app-02, ...),
// the first of each chain depends on cert-manager, every fifth syncs with
// ServerSideApply=true, and each has base, environment and provider values
// that refer to the cluster being rendered.
func Config(n, extra int) []byte {
	var b strings.Builder
	b.WriteString("package dorgu\n\n")
	fmt.Fprintf(&b, "repo: {url: %q, revision: \"main\"}\n", RepoURL)
	for i := 0; i < n; i++ {
		name := ClusterName(i)
		env := Environments[i%len(Environments)]
		prov := Providers[(i/len(Environments))%len(Providers)]
		fmt.Fprintf(&b, "\nclusters: %q: {\n", name)
		fmt.Fprintf(&b, "\tenvironment: %q\n", env)
		fmt.Fprintf(&b, "\tprovider:    %q\n", prov)
		fmt.Fprintf(&b, "\tdomain:      \"%s.fleet.example.com\"\n", name)
		b.WriteString("\tacmeEmail:   \"platform@acme.io\"\n")
		b.WriteString("}\n")
	}
	for i := 1; i <= extra; i++ {
		name := ComponentName(i)
		var deps []string
		switch (i - 1) % 6 {
		case 0:
			deps = []string{"cert-manager"}
		default:
			deps = []string{ComponentName(i - 1)}
		}
		var sync []string
		if i%5 == 0 {
			sync = []string{"ServerSideApply=true"}
		}
		fmt.Fprintf(&b, "\ncomponents: %q: {\n", name)
		fmt.Fprintf(&b, "\tdescription: \"Generated component %d\"\n", i)
		fmt.Fprintf(&b, "\tchart: {repoURL: \"https://charts.example.com\", name: %q, version: \"1.%d.%d\"}\n", name, i/10, i%10)
		fmt.Fprintf(&b, "\tdependsOn: [%s]\n", quoteList(deps))
		fmt.Fprintf(&b, "\tsyncOptions: [%s]\n", quoteList(sync))
		b.WriteString("\t#cluster: _\n")
		fmt.Fprintf(&b, "\tvalues: {image: {repository: \"registry.example.com/%s\", tag: \"1.%d.%d\"}, service: {type: \"ClusterIP\", port: 8080}}\n", name, i/10, i%10)
		b.WriteString("\tenvironmentValues: {\n")
		b.WriteString("\t\treplicaCount: #cluster.settings.replicas\n")
		b.WriteString("\t\tresources: #cluster.settings.resources\n")
		b.WriteString("\t\tlogLevel: #cluster.settings.logLevel\n")
		b.WriteString("\t\tif #cluster.settings.podDisruptionBudget {podDisruptionBudget: {enabled: true, minAvailable: 1}}\n")
		fmt.Fprintf(&b, "\t\tingress: {enabled: true, hosts: [\"%s.\\(#cluster.domain)\"]}\n", name)
		b.WriteString("\t}\n")
		b.WriteString("\tproviderValues: {\n")
		b.WriteString("\t\tif #cluster.storageClass != \"\" {persistence: storageClass: #cluster.storageClass}\n")
		b.WriteString("\t\tservice: annotations: #cluster.loadBalancer.annotations\n")
		b.WriteString("\t}\n")
		b.WriteString("}\n")
	}
	return []byte(b.String())
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// ValuesComponent names the component of ValuesConfig.
const ValuesComponent = "big"

// ValuesConfig returns a dorgu.cue with one cluster and one component
// whose values map holds keys keys, as the values of a chart with a large
// values file would: the input of the size benchmarks (issue 14).
func ValuesConfig(keys int) []byte {
	var b strings.Builder
	b.WriteString("package dorgu\n\n")
	fmt.Fprintf(&b, "repo: {url: %q, revision: \"main\"}\n\n", RepoURL)
	fmt.Fprintf(&b, "clusters: %q: environment: \"development\"\n\n", ClusterName(0))
	fmt.Fprintf(&b, "components: %q: {\n", ValuesComponent)
	b.WriteString("\tdescription: \"A component with a large values map\"\n")
	fmt.Fprintf(&b, "\tchart: {repoURL: \"https://charts.example.com\", name: %q, version: \"1.0.0\"}\n", ValuesComponent)
	b.WriteString("\tvalues: {\n")
	for i := range keys {
		fmt.Fprintf(&b, "\t\tkey%06d: \"value %d\"\n", i, i)
	}
	b.WriteString("\t}\n}\n")
	return []byte(b.String())
}

// ListConfig returns a dorgu.cue with one cluster and one component whose
// values hold a list of n items, each a small map: written out when
// comprehension is false, else built by a list comprehension over
// list.Range, as a config generating its items would. The input of the
// list benchmarks (issue 14).
func ListConfig(n int, comprehension bool) []byte {
	var b strings.Builder
	b.WriteString("package dorgu\n\n")
	if comprehension {
		b.WriteString("import \"list\"\n\n")
	}
	fmt.Fprintf(&b, "repo: {url: %q, revision: \"main\"}\n\n", RepoURL)
	fmt.Fprintf(&b, "clusters: %q: environment: \"development\"\n\n", ClusterName(0))
	fmt.Fprintf(&b, "components: %q: {\n", ValuesComponent)
	b.WriteString("\tdescription: \"A component with a long list in its values\"\n")
	fmt.Fprintf(&b, "\tchart: {repoURL: \"https://charts.example.com\", name: %q, version: \"1.0.0\"}\n", ValuesComponent)
	if comprehension {
		fmt.Fprintf(&b, "\tvalues: items: [for i in list.Range(0, %d, 1) {name: \"item-\\(i)\", port: 8000 + i}]\n", n)
	} else {
		b.WriteString("\tvalues: items: [\n")
		for i := range n {
			fmt.Fprintf(&b, "\t\t{name: \"item-%d\", port: %d},\n", i, 8000+i)
		}
		b.WriteString("\t]\n")
	}
	b.WriteString("}\n")
	return []byte(b.String())
}
