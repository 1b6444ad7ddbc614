// Package pipeline runs the one-way flow that render and vet share: load
// the config, evaluate the CUE, plan the scaffold and check it with the
// policies. Writing is left to the caller.
package pipeline

import (
	"context"
	"slices"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/policy"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// Result is a planned and checked scaffold.
type Result struct {
	Config   *config.Config
	Stack    *stack.Stack
	Tree     *scaffold.Tree
	Policies *policy.Engine
	Findings []finding.Finding
}

// Render loads, evaluates, plans and checks. An error means the sources
// could not be turned into a scaffold (exit code 2); policy findings are in
// the result.
func Render(ctx context.Context, opts config.Options) (*Result, error) {
	cfg, err := config.Load(opts)
	if err != nil {
		return nil, err
	}
	// The policies compile while CUE evaluates: neither needs the other.
	type compiled struct {
		e   *policy.Engine
		err error
	}
	ch := make(chan compiled, 1)
	go func() {
		e, err := policy.Compile(ctx, cfg.Policies)
		ch <- compiled{e, err}
	}()
	s, err := stack.Evaluate(cfg)
	if err != nil {
		<-ch
		return nil, err
	}
	tree, err := scaffold.Plan(s)
	if err != nil {
		<-ch
		return nil, err
	}
	c := <-ch
	if c.err != nil {
		return nil, c.err
	}
	findings, err := c.e.Check(ctx, Documents(tree))
	if err != nil {
		return nil, err
	}
	findings = finding.Waive(findings, s.Waivers)
	if s.Subset {
		tree, findings = selected(s, tree, findings)
	}
	return &Result{Config: cfg, Stack: s, Tree: tree, Policies: c.e, Findings: findings}, nil
}

// Documents turns the planned files the policies look at into their input.
func Documents(t *scaffold.Tree) []policy.Document {
	docs := make([]policy.Document, 0, len(t.Files))
	for _, f := range t.Files {
		if f.JSON == nil {
			continue
		}
		docs = append(docs, policy.Document{
			Path: f.Path, Kind: string(f.Kind), Cluster: f.Cluster,
			Component: f.Component, Environment: f.Environment, Content: f.JSON,
		})
	}
	return docs
}

// selected keeps the files and findings of the selected clusters (and
// findings about no cluster in particular): with --cluster, the other
// clusters were evaluated and checked only as context.
func selected(s *stack.Stack, t *scaffold.Tree, fs []finding.Finding) (*scaffold.Tree, []finding.Finding) {
	keep := func(cluster string) bool { return cluster == "" || slices.Contains(s.Selected, cluster) }
	out := &scaffold.Tree{}
	for _, f := range t.Files {
		if keep(f.Cluster) {
			out.Files = append(out.Files, f)
		}
	}
	var kept []finding.Finding
	for _, f := range fs {
		if keep(f.Cluster) {
			kept = append(kept, f)
		}
	}
	return out, kept
}
