// Package pipeline runs the one-way flow that render and vet share: load
// the config, evaluate the CUE, plan the scaffold and check it with the
// policies. Writing is left to the caller.
package pipeline

import (
	"context"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/policy"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// Result is a planned scaffold and, once checked, its findings.
type Result struct {
	Config *config.Config
	Stack  *stack.Stack
	// Tree holds the files to write: with --cluster, the selected
	// clusters' files only.
	Tree     *scaffold.Tree
	Policies *policy.Engine
	Findings []finding.Finding

	// all is every planned file: the policies check the selected clusters
	// in the context of the whole repository.
	all *scaffold.Tree
}

// Render loads, evaluates, plans and checks. An error means the sources
// could not be turned into a scaffold (exit code 2); policy findings are in
// the result.
func Render(ctx context.Context, opts config.Options) (*Result, error) {
	cfg, err := config.Load(opts)
	if err != nil {
		return nil, err
	}
	res, err := Plan(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return res, res.Check(ctx)
}

// Plan evaluates and plans a loaded config, and compiles its policies,
// without running them: vet decides whether the rendered tree needs its
// own policy pass.
func Plan(ctx context.Context, cfg *config.Config) (*Result, error) {
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
	res := &Result{Config: cfg, Stack: s, Tree: tree, Policies: c.e, all: tree}
	if s.Subset {
		res.Tree = selected(s, tree)
	}
	return res, nil
}

// Check runs the policies on the planned scaffold and applies the
// config's waivers. With --cluster, only the selected clusters' findings
// (and those about no cluster in particular) are kept.
func (r *Result) Check(ctx context.Context) error {
	findings, err := r.Policies.Check(ctx, Documents(r.all))
	if err != nil {
		return err
	}
	findings = finding.Waive(findings, r.Stack.Waivers)
	if r.Stack.Subset {
		kept := findings[:0]
		for _, f := range findings {
			if r.Stack.Written(f.Cluster) {
				kept = append(kept, f)
			}
		}
		findings = kept
	}
	r.Findings = findings
	return nil
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

// selected keeps the files of the selected clusters and the files of no
// cluster in particular: with --cluster, the other clusters are evaluated
// and checked only as context.
func selected(s *stack.Stack, t *scaffold.Tree) *scaffold.Tree {
	out := &scaffold.Tree{}
	for _, f := range t.Files {
		if s.Written(f.Cluster) {
			out.Files = append(out.Files, f)
		}
	}
	return out
}
