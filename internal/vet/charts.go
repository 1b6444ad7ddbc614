package vet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dorgu/dorgu-gen/internal/cache"
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
		if f.Kind == scaffold.Values && disk.Readable(f.Path) {
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
			if !ok || f.Kind != scaffold.Application || f.Doc == nil || !disk.Readable(p) {
				continue
			}
			app, err := json.Marshal(f.Doc)
			if err != nil {
				continue
			}
			src, ok := ondisk.HelmSource(f.Doc)
			if !ok || !ondisk.ValuesOnDisk(src, values) {
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

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}
