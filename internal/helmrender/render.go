// Package helmrender renders Helm charts in process the way ArgoCD v3.5.1's
// repo-server renders a Helm source: `helm template` (Helm 4.2.1) with the
// Application's release name and destination namespace, the destination's
// Kubernetes version and API versions, the values files in order and
// --include-crds. The text it produces is byte for byte what that command
// prints; a test runs Helm's own template command next to it.
//
// It uses the pieces of the Helm SDK that `helm template` runs (the chart
// loader, the engine, the manifest sorter) rather than action.Install,
// whose package links the whole Kubernetes client and its schemes into the
// binary and adds tens of milliseconds to every start of dorgu-gen, `version`
// included.
package helmrender

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	commonutil "helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	release "helm.sh/helm/v4/pkg/release/v1"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
	"sigs.k8s.io/yaml"
)

// Input is what ArgoCD's repo-server passes to `helm template` for one
// Helm source (util/helm/cmd.go, template()).
type Input struct {
	// ReleaseName is --name-template: the source's helm.releaseName, else
	// the Application's name.
	ReleaseName string
	// Namespace is --namespace: the source's helm.namespace, else the
	// Application's destination namespace.
	Namespace string
	// KubeVersion is --kube-version: the destination's server version
	// ("1.33.0", "v1.33.4-gke.1245000"); "" leaves Helm's default.
	KubeVersion string
	// APIVersions are --api-versions: the destination's group/versions
	// and group/version/kinds. Helm adds them to its own default set.
	APIVersions []string
	// ValuesFiles are the --values files' contents, in order: later files
	// win, as Helm merges them.
	ValuesFiles [][]byte
	// SkipCRDs drops --include-crds (the source's helm.skipCrds).
	SkipCRDs bool
	// SkipTests adds --skip-tests (the source's helm.skipTests).
	SkipTests bool
}

// Result is one rendered chart.
type Result struct {
	// Manifest is exactly what `helm template` prints on stdout.
	Manifest string `json:"manifest"`
	// Docs are the documents of Manifest, in the same order, each with the
	// template it came from.
	Docs []Doc `json:"docs"`
}

// Doc is one YAML document of the output.
type Doc struct {
	// Source is the chart-relative path of the template (the `# Source:`
	// comment), e.g. mychart/templates/deployment.yaml or
	// mychart/crds/crd.yaml.
	Source string `json:"source"`
	// Hook lists the Helm hook events of a hook document ("pre-install",
	// "test", ...); empty for a plain manifest or CRD.
	Hook []string `json:"hook,omitempty"`
	// CRD is true for a file of a chart's crds/ directory.
	CRD bool `json:"crd,omitempty"`
	// Object is the document as JSON, as a Kubernetes client reads it.
	Object json.RawMessage `json:"object"`
}

// Values reads values files the way `helm template --values` does
// (pkg/cli/values: every YAML document of every file, merged in order).
func Values(files [][]byte) (map[string]any, error) {
	base := map[string]any{}
	for i, f := range files {
		m, err := loader.LoadValues(bytes.NewReader(f))
		if err != nil {
			return nil, fmt.Errorf("values file %d: %w", i+1, err)
		}
		base = loader.MergeMaps(base, m)
	}
	return base, nil
}

// Render renders a freshly loaded chart. It checks what `helm template`
// checks before rendering, except the values schema: Check validates that
// with the same library and no network or file access, and reports each
// violation at its line.
func Render(ch *chart.Chart, in Input) (*Result, error) {
	vals, err := Values(in.ValuesFiles)
	if err != nil {
		return nil, err
	}
	caps, err := Capabilities(in.KubeVersion, in.APIVersions)
	if err != nil {
		return nil, err
	}
	if err := installable(ch); err != nil {
		return nil, err
	}
	if err := chartutil.ValidateReleaseName(in.ReleaseName); err != nil {
		return nil, fmt.Errorf("release name %q: %w", in.ReleaseName, err)
	}
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return nil, fmt.Errorf("chart dependencies processing failed: %w", err)
	}
	ns := in.Namespace
	if ns == "" {
		// Helm's own default without a kubeconfig context, which the
		// repo-server does not have.
		ns = "default"
	}
	opts := common.ReleaseOptions{Name: in.ReleaseName, Namespace: ns, Revision: 1, IsInstall: true}
	top, err := commonutil.ToRenderValuesWithSchemaValidation(ch, vals, opts, caps, true)
	if err != nil {
		return nil, err
	}
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", ch.Metadata.KubeVersion, caps.KubeVersion.Version)
	}
	var e engine.Engine
	files, err := e.Render(ch, top)
	if err != nil {
		return nil, err
	}
	// NOTES.txt is rendered like a template but is neither a manifest nor
	// a hook.
	for k := range files {
		if strings.HasSuffix(k, "NOTES.txt") {
			delete(files, k)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return nil, err
	}

	res := &Result{}
	var body strings.Builder
	if !in.SkipCRDs {
		for _, crd := range ch.CRDObjects() {
			fmt.Fprintf(&body, "---\n# Source: %s\n%s\n", crd.Filename, crd.File.Data)
			if err := res.add(crd.Filename, nil, true, string(crd.File.Data)); err != nil {
				return nil, err
			}
		}
	}
	for _, m := range manifests {
		fmt.Fprintf(&body, "---\n# Source: %s\n%s\n", m.Name, m.Content)
		if err := res.add(m.Name, nil, false, m.Content); err != nil {
			return nil, err
		}
	}
	var out strings.Builder
	out.WriteString(strings.TrimSpace(body.String()))
	out.WriteByte('\n')
	for _, h := range hooks {
		if in.SkipTests && slices.Contains(h.Events, release.HookTest) {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
		events := make([]string, len(h.Events))
		for i, ev := range h.Events {
			events[i] = string(ev)
		}
		if err := res.add(h.Path, events, false, h.Manifest); err != nil {
			return nil, err
		}
	}
	res.Manifest = out.String()
	return res, nil
}

// add records the documents of one printed entry, read as ArgoCD reads
// them: YAML to JSON, then an object that must name its apiVersion and
// kind. Manifests and hooks are one document each (Helm split them); a
// CRD file may hold several.
func (r *Result) add(source string, hook []string, crd bool, text string) error {
	docs := []string{text}
	switch {
	case crd && strings.Contains(text, "---"):
		docs = splitDocs(text)
	case emptyDoc(text):
		// A CRD file without a separator is one document: Helm's
		// splitting regular expression, slow on the megabytes of a
		// chart's CRDs, would find nothing to split.
		docs = nil
	}
	for _, d := range docs {
		j, err := yaml.YAMLToJSON([]byte(d))
		if err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := json.Unmarshal(j, &head); err != nil {
			return fmt.Errorf("%s: not a Kubernetes object: %w", source, err)
		}
		if head.APIVersion == "" || head.Kind == "" {
			return fmt.Errorf("%s: a document without apiVersion or kind", source)
		}
		r.Docs = append(r.Docs, Doc{Source: source, Hook: hook, CRD: crd, Object: j})
	}
	return nil
}

// splitDocs splits text at YAML document separators as Helm does,
// dropping documents that are empty or only comments: Kubernetes clients
// skip them too.
func splitDocs(text string) []string {
	m := releaseutil.SplitManifests(text)
	keys := slices.Collect(maps.Keys(m))
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))
	var out []string
	for _, k := range keys {
		if !emptyDoc(m[k]) {
			out = append(out, m[k])
		}
	}
	return out
}

func emptyDoc(s string) bool {
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return false
		}
	}
	return true
}

// installable refuses what `helm template` refuses before rendering:
// library charts, and dependencies named in Chart.yaml that the chart does
// not carry.
func installable(ch *chart.Chart) error {
	switch ch.Metadata.Type {
	case "", "application":
	default:
		return fmt.Errorf("%s charts are not installable", ch.Metadata.Type)
	}
	var missing []string
	for _, req := range ch.Metadata.Dependencies {
		if !slices.ContainsFunc(ch.Dependencies(), func(d *chart.Chart) bool { return d.Name() == req.Name }) {
			missing = append(missing, req.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: %w",
			errors.New("found in Chart.yaml, but missing in charts/ directory: "+strings.Join(missing, ", ")))
	}
	return nil
}

// Capabilities are what `helm template --kube-version --api-versions`
// gives the templates: Helm's defaults, the Kubernetes version, and the
// API versions added to Helm's default set.
func Capabilities(kubeVersion string, apiVersions []string) (*common.Capabilities, error) {
	caps := common.DefaultCapabilities.Copy()
	if kubeVersion != "" {
		kv, err := common.ParseKubeVersion(kubeVersion)
		if err != nil {
			return nil, fmt.Errorf("invalid kube version '%s': %w", kubeVersion, err)
		}
		caps.KubeVersion = *kv
	}
	caps.APIVersions = append(slices.Clip(caps.APIVersions), apiVersions...)
	return caps, nil
}
