package helmrender_test

import (
	"context"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/cache"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/helmrender"
)

// BenchmarkRenderAll renders the test config's three releases (two
// clusters) without a cache: chart loading, both passes, objects.
func BenchmarkRenderAll(b *testing.B) {
	rels := releases(b, config.Options{})
	b.ResetTimer()
	for b.Loop() {
		if _, err := helmrender.RenderAll(context.Background(), rels, helmrender.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderAllWarm is the same with every render in the cache: the
// cost of an unchanged cluster.
func BenchmarkRenderAllWarm(b *testing.B) {
	store, err := cache.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	rels := releases(b, config.Options{})
	if _, err := helmrender.RenderAll(context.Background(), rels, helmrender.Options{Cache: store}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := helmrender.RenderAll(context.Background(), rels, helmrender.Options{Cache: store}); err != nil {
			b.Fatal(err)
		}
	}
}
