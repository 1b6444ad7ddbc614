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

type planEntry struct {
	Stack *stack.Stack
	Files []scaffold.File
}

func storePlan(store *cache.Store, key cache.Key, s *stack.Stack, tree *scaffold.Tree) {
	if store != nil {
		cache.PutJSON(store, key, planEntry{Stack: s, Files: tree.Files})
	}
}

func loadPlan(store *cache.Store, key cache.Key) (*stack.Stack, *scaffold.Tree, bool) {
	var e planEntry
	if !cache.GetJSON(store, key, &e) || e.Stack == nil {
		return nil, nil, false
	}
	// A file without a document (the README) has a nil JSON, which JSON
	// encodes as null and decodes as the bytes "null".
	for i := range e.Files {
		if string(e.Files[i].JSON) == "null" {
			e.Files[i].JSON = nil
		}
	}
	return e.Stack, &scaffold.Tree{Files: e.Files}, true
}

// CheckKey is the key of the policies' findings on a set of documents.
// The findings depend on nothing else: the policies run sandboxed, with a
// fixed clock and random seed. extra distinguishes what the caller derives
// from the findings (vet places them in the files on disk).
func CheckKey(store *cache.Store, policies []config.Source, docs []policy.Document, extra ...[]byte) cache.Key {
	h := store.NewKey("check")
	h.String("policies")
	for _, s := range policies {
		h.String(s.Name).Bytes(s.Data)
	}
	h.String("documents")
	for _, d := range docs {
		h.Strings([]string{d.Path, d.Kind, d.Cluster, d.Component, d.Environment})
		raw, ok := d.Content.(json.RawMessage)
		if !ok {
			raw, _ = json.Marshal(d.Content)
		}
		h.Bytes(raw)
	}
	h.String("extra")
	for _, b := range extra {
		h.Bytes(b)
	}
	return h.Sum()
}
