package pipeline

import (
	"encoding/json"
	"os"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/policy"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// A plan depends on the config (its sources, their names, which messages
// print, and the options) and on the working directory, which the
// positions of waivers are relative to. The config is hashed as its JSON,
// so that a field added to it is covered without a change here.
func planKey(store *cache.Store, cfg *config.Config) cache.Key {
	data, err := json.Marshal(cfg)
	if err != nil {
		// Plain data always marshals; should it not, a key that no entry
		// has is a safe miss.
		data = []byte(err.Error())
	}
	wd, _ := os.Getwd()
	return store.NewKey("plan").String(wd).Bytes(data).Sum()
}

// planEntry is what the cache keeps of a plan.
type planEntry struct {
	Stack *stack.Stack
	Files []scaffold.File
}

// CheckKey is the key of the policies' findings on a set of documents.
// The findings depend on nothing else: the policies run sandboxed, with a
// fixed clock and random seed.
func CheckKey(store *cache.Store, policies []config.Source, docs []policy.Document) cache.Key {
	h := HashPolicies(store.NewKey("check"), policies)
	h.String("documents")
	for _, d := range docs {
		h.Strings([]string{d.Path, d.Kind, d.Cluster, d.Component, d.Environment})
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
