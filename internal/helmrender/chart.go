package helmrender

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
)

// Chart is a chart to render: its identity and a way to load a fresh copy
// of it. Rendering changes a loaded chart (Helm drops the subcharts whose
// condition is off and imports values into it), so every render loads its
// own copy instead of sharing one between clusters.
type Chart struct {
	Name    string
	Version string
	// KubeVersion is the chart's Kubernetes version constraint
	// (Chart.yaml kubeVersion), "" for none.
	KubeVersion string
	// Digest identifies the chart's content: "sha256:<hex>" of the archive
	// for a chart from an archive, of its files for a directory.
	Digest string
	// APIVersionChecks are the API versions the chart's templates (and
	// its subcharts') ask .Capabilities.APIVersions.Has about by name;
	// APIVersionsDynamic is true when they also read APIVersions in any
	// other way. Only these can make the API versions a cluster serves
	// change the render.
	APIVersionChecks   []string
	APIVersionsDynamic bool

	load func() (*chart.Chart, error)
}

// Load returns a fresh copy of the chart.
func (c *Chart) Load() (*chart.Chart, error) { return c.load() }

// FromArchive takes a chart archive (.tgz) as a repository serves it.
// Helm's loader bounds the archive's decompressed size and refuses paths
// that leave the chart.
func FromArchive(data []byte) (*Chart, error) {
	load := func() (*chart.Chart, error) { return loader.LoadArchive(bytes.NewReader(data)) }
	sum := sha256.Sum256(data)
	return newChart(load, "sha256:"+hex.EncodeToString(sum[:]))
}

// FromDir takes a chart directory, as `helm template DIR` reads it
// (.helmignore applies). Its digest covers every file the chart loads.
func FromDir(dir string) (*Chart, error) {
	load := func() (*chart.Chart, error) { return loader.LoadDir(dir) }
	c, err := newChart(load, "")
	if err != nil {
		return nil, err
	}
	ch, err := load()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	hashChart(h, ch)
	c.Digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return c, nil
}

func newChart(load func() (*chart.Chart, error), digest string) (*Chart, error) {
	ch, err := load()
	if err != nil {
		return nil, err
	}
	if err := ch.Validate(); err != nil {
		return nil, fmt.Errorf("chart %s: %w", ch.Name(), err)
	}
	c := &Chart{
		Name: ch.Name(), Version: ch.Metadata.Version, KubeVersion: ch.Metadata.KubeVersion,
		Digest: digest, load: load,
	}
	checks := map[string]bool{}
	c.APIVersionsDynamic = apiVersionChecks(ch, checks)
	c.APIVersionChecks = sortedKeys(checks)
	return c, nil
}

// hasLiteral matches an APIVersions.Has call on a quoted string.
var hasLiteral = regexp.MustCompile(`APIVersions\.Has\s+"([^"\\]+)"`)

// apiVersionChecks gathers the API versions the templates ask about by
// name, and reports whether they read APIVersions in any other way.
func apiVersionChecks(ch *chart.Chart, into map[string]bool) (dynamic bool) {
	for _, t := range ch.Templates {
		all := bytes.Count(t.Data, []byte("APIVersions"))
		lits := hasLiteral.FindAllSubmatch(t.Data, -1)
		for _, m := range lits {
			into[string(m[1])] = true
		}
		if all > len(lits) {
			dynamic = true
		}
	}
	for _, d := range ch.Dependencies() {
		if apiVersionChecks(d, into) {
			dynamic = true
		}
	}
	return dynamic
}

type writer interface{ Write([]byte) (int, error) }

type chartFile = common.File

// hashChart writes every file of a loaded chart and its subcharts, each
// with its name and length, in name order.
func hashChart(h writer, ch *chart.Chart) {
	files := slices.Clone(ch.Raw)
	slices.SortFunc(files, func(a, b *chartFile) int { return strings.Compare(a.Name, b.Name) })
	fmt.Fprintf(h, "chart %q %d\n", ch.Name(), len(files))
	for _, f := range files {
		fmt.Fprintf(h, "%q %d\n", f.Name, len(f.Data))
		_, _ = h.Write(f.Data) // a hash never fails
	}
	for _, d := range ch.Dependencies() {
		hashChart(h, d)
	}
}
