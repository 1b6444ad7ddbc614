package vet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
	"github.com/dorgu/dorgu-gen/internal/manifests"
	"github.com/dorgu/dorgu-gen/internal/ondisk"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// onDiskManifests renders the charts as ArgoCD would deploy the scaffold
// on disk: each component's Application and values files as they are in
// the files, so that a hand edit of either is checked against the chart
// and its objects by the policies. The config says what the files do not:
// which components of which clusters to render, the clusters' Kubernetes
// and API versions, the components' free-form values. A component whose
// files cannot be read as ArgoCD reads them is left out (its yaml finding
// says why), and so is one whose Application names a chart that the
// charts step does not have (a version edited by hand, which drift
// reports): notes say which.
func onDiskManifests(ctx context.Context, s *stack.Stack, rendered *scaffold.Tree, disk *ondisk.Scaffold, charts helmrender.ChartSource, store *cache.Store) (*manifests.Result, []string, error) {
	disk.Classify()
	values := &scaffold.Tree{}
	for _, f := range disk.Files {
		if f.Kind == scaffold.Values && readable(disk, f.Path) {
			values.Files = append(values.Files, scaffold.File{Path: f.Path, Kind: scaffold.Values, Cluster: f.Cluster, Component: f.Component, Content: f.Content})
		}
	}
	sub := *s
	sub.Clusters = nil
	var notes []string
	for _, c := range s.WrittenClusters() {
		cc := *c
		cc.Components = nil
		for _, comp := range c.Components {
			p := scaffold.AppPath(c.Name, comp.Name)
			f, ok := disk.Lookup(p)
			if !ok || f.Kind != scaffold.Application || f.Doc == nil || !readable(disk, p) {
				continue
			}
			app, err := json.Marshal(f.Doc)
			if err != nil {
				continue
			}
			src, ok := chartSource(f.Doc)
			if !ok || !valuesOnDisk(src, values) {
				continue
			}
			ref := helmrender.ChartRef{Component: comp.Name, RepoURL: str(src, "repoURL"), Name: str(src, "chart"), Version: str(src, "targetRevision")}
			if _, err := charts.Chart(ctx, ref); err != nil {
				var me *helmrender.MissingChartError
				if !errors.As(err, &me) {
					return nil, nil, err
				}
				notes = append(notes, fmt.Sprintf("%s: the chart it names (%s %s from %s) is not locked, so what it deploys was not rendered from the files on disk", p, ref.Name, ref.Version, ref.RepoURL))
				continue
			}
			onDisk := *comp
			onDisk.Application, onDisk.RepoURL, onDisk.Chart, onDisk.Version = app, ref.RepoURL, ref.Name, ref.Version
			// Where the config sets a value says nothing of a values file
			// edited by hand.
			vp := scaffold.ValuesPath(c.Name, comp.Name)
			if want, ok := rendered.Lookup(vp); !ok || !sameOnDisk(disk, vp, want.Content) {
				onDisk.ValueOrigins = nil
			}
			cc.Components = append(cc.Components, &onDisk)
		}
		sub.Clusters = append(sub.Clusters, &cc)
	}
	res, err := manifests.Build(ctx, &sub, values, charts, manifests.Options{Cache: store})
	if err != nil {
		return nil, nil, err
	}
	return res, notes, nil
}

func sameOnDisk(disk *ondisk.Scaffold, p string, want []byte) bool {
	f, ok := disk.Lookup(p)
	return ok && bytes.Equal(f.Content, want)
}

// readable reports whether the file at p is read one way, as ArgoCD and
// Helm read it: not refused with a yaml finding.
func readable(disk *ondisk.Scaffold, p string) bool {
	return len(disk.Filter([]finding.Finding{{File: p}})) == 1
}

// chartSource returns the Helm chart source of an Application, as the
// repo-server picks it.
func chartSource(doc any) (map[string]any, bool) {
	spec, _ := asMap(doc)["spec"].(map[string]any)
	if src, ok := spec["source"].(map[string]any); ok && str(src, "chart") != "" {
		return src, true
	}
	srcs, _ := spec["sources"].([]any)
	for _, x := range srcs {
		if src, ok := x.(map[string]any); ok && str(src, "chart") != "" {
			return src, true
		}
	}
	return nil, false
}

// valuesOnDisk reports whether every $values file a chart source reads is
// a values file on disk that reads one way: the render needs them all.
func valuesOnDisk(src map[string]any, values *scaffold.Tree) bool {
	helm, _ := src["helm"].(map[string]any)
	files, _ := helm["valueFiles"].([]any)
	for _, x := range files {
		v, _ := x.(string)
		p, ok := strings.CutPrefix(v, "$values/")
		if !ok {
			return false
		}
		if _, ok := values.Lookup(p); !ok {
			return false
		}
	}
	return true
}

func asMap(x any) map[string]any {
	m, _ := x.(map[string]any)
	return m
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}
