package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/policy"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// A plan depends on the config: its sources, their names, which messages
// print, the options, and the working directory (Dir), which the
// positions of waivers are relative to. The config is hashed as its JSON,
// so that a field added to it is covered without a change here.
func planKey(store *cache.Store, cfg *config.Config) cache.Key {
	data, err := json.Marshal(cfg)
	if err != nil {
		// Plain data always marshals; should it not, a key that no entry
		// has is a safe miss.
		data = []byte(err.Error())
	}
	return store.NewKey("plan").Bytes(data).Sum()
}

// planEntry is what the cache keeps of a plan.
type planEntry struct {
	Stack *stack.Stack
	Files []scaffold.File
}

// Validate checks a plan read from the cache against the scaffold's
// layout: every cluster and component name a DNS-1123 label, and exactly
// the files the layout gives that stack, each of the kind, cluster and
// component its path says, sorted by path. An entry is only as trustworthy
// as the cache directory, but this much is cheap to check: a plan that
// names a file outside the layout (.github/workflows/..., ../x) is a miss,
// never a file written and then owned by the ledger.
func (p planEntry) Validate() error {
	if p.Stack == nil {
		return errors.New("plan without a stack")
	}
	type place struct {
		kind               scaffold.Kind
		cluster, component string
	}
	want := map[string]place{}
	for _, c := range p.Stack.Clusters {
		if c == nil || !config.ValidName(c.Name) {
			return errors.New("a cluster name is not a DNS-1123 label")
		}
		want[scaffold.RootAppPath(c.Name, p.Stack.MultiCluster)] = place{scaffold.RootApplication, c.Name, ""}
		if c.Roots != nil {
			want[scaffold.RootsPath(c.Name)] = place{scaffold.RootApplication, c.Name, ""}
		}
		want[scaffold.ProjectPath(c.Name)] = place{scaffold.AppProject, c.Name, ""}
		for _, comp := range c.Components {
			if comp == nil || !config.ValidName(comp.Name) {
				return fmt.Errorf("cluster %s: a component name is not a DNS-1123 label", c.Name)
			}
			want[scaffold.AppPath(c.Name, comp.Name)] = place{scaffold.Application, c.Name, comp.Name}
			want[scaffold.ValuesPath(c.Name, comp.Name)] = place{scaffold.Values, c.Name, comp.Name}
		}
	}
	if !p.Stack.Subset {
		want["README.md"] = place{kind: scaffold.Readme}
	}
	if len(p.Files) != len(want) {
		return fmt.Errorf("%d files where the layout has %d", len(p.Files), len(want))
	}
	for i, f := range p.Files {
		w, ok := want[f.Path]
		if !ok || w != (place{f.Kind, f.Cluster, f.Component}) {
			return fmt.Errorf("%q is not a file of the scaffold's layout", f.Path)
		}
		if i > 0 && p.Files[i-1].Path >= f.Path {
			return errors.New("files not sorted by path")
		}
	}
	return nil
}

// CheckKey is the key of the policies' findings on a set of documents.
// The findings depend on nothing else: the policies run sandboxed, with a
// fixed clock and random seed.
func CheckKey(store *cache.Store, policies []config.Source, docs []policy.Document) cache.Key {
	h := HashPolicies(store.NewKey("check"), policies)
	h.String("documents")
	for _, d := range docs {
		h.Strings([]string{d.Path, d.Kind, d.Cluster, d.Component, d.Environment})
		if o := d.Object; o != nil {
			h.Strings([]string{"object", o.APIVersion, o.Kind, o.Namespace, o.Name, o.Source, o.Hook})
		} else {
			h.String("")
		}
		raw, ok := d.Content.(json.RawMessage)
		if !ok {
			raw, _ = json.Marshal(d.Content)
		}
		h.Bytes(raw)
	}
	return h.Sum()
}

// HashPolicies adds the policy sources to a key: every name and its bytes.
func HashPolicies(h *cache.Hash, policies []config.Source) *cache.Hash {
	h.String("policies")
	for _, s := range policies {
		h.String(s.Name).Bytes(s.Data)
	}
	return h
}
