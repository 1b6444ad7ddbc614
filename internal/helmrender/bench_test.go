package helmrender_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// BenchmarkRenderAllClusters renders the shop and monitor charts for 1,
// 10 and 100 clusters without a cache: the cost must grow linearly.
func BenchmarkRenderAllClusters(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			var cfg strings.Builder
			data, err := os.ReadFile(filepath.Join("testdata", "configs", "shop", "dorgu.cue"))
			if err != nil {
				b.Fatal(err)
			}
			head, _, _ := strings.Cut(string(data), "clusters: dev:")
			cfg.WriteString(head)
			for i := range n {
				fmt.Fprintf(&cfg, "clusters: \"c%03d\": environment: \"development\"\n", i)
			}
			if err := os.WriteFile(filepath.Join(dir, "dorgu.cue"), []byte(cfg.String()), 0o600); err != nil {
				b.Fatal(err)
			}
			rels := releases(b, config.Options{Path: filepath.Join(dir, "dorgu.cue")})
			if len(rels) != 2*n {
				b.Fatalf("%d releases for %d clusters", len(rels), n)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := helmrender.RenderAll(context.Background(), rels, helmrender.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
