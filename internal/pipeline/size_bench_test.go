package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dorgu/dorgu-gen/bench/fleet"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/pipeline"
	"github.com/dorgu/dorgu-gen/internal/stack"
)

// BenchmarkRenderValues renders one component whose values map holds
// keys=N keys (bench/fleet.ValuesConfig), without the cache: what issue 14
// measured. CUE evaluates a struct in time quadratic in its keys, so a map
// past stack.MaxFields is refused before evaluation; the last size
// measures how long the refusal takes.
//
//	go test ./internal/pipeline -run '^$' -bench BenchmarkRenderValues -benchtime 1x
func BenchmarkRenderValues(b *testing.B) {
	for _, n := range []int{1500, 3000, 6000, 12000, stack.MaxFields, 120000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			benchRenderConfig(b, fleet.ValuesConfig(n), n > stack.MaxFields)
		})
	}
}

// BenchmarkRenderList renders one component whose values hold a list of
// items=N maps, written out (literal) or built by a list comprehension
// (comprehension), as bench/fleet.ListConfig writes them. A literal list
// past stack.MaxFields is refused before evaluation; a comprehension is
// only known once evaluated.
//
//	go test ./internal/pipeline -run '^$' -bench BenchmarkRenderList -benchtime 1x
func BenchmarkRenderList(b *testing.B) {
	for _, comp := range []bool{false, true} {
		for _, n := range []int{2500, 5000, 10000, stack.MaxFields} {
			kind := "literal"
			if comp {
				kind = "comprehension"
			}
			b.Run(fmt.Sprintf("%s/items=%d", kind, n), func(b *testing.B) {
				benchRenderConfig(b, fleet.ListConfig(n, comp), false)
			})
		}
	}
}

func benchRenderConfig(b *testing.B, src []byte, refused bool) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dorgu.cue"), src, 0o644); err != nil {
		b.Fatal(err)
	}
	opts := config.Options{Dir: dir}
	b.ReportAllocs()
	for b.Loop() {
		_, err := pipeline.Render(context.Background(), opts, nil)
		if (err != nil) != refused {
			b.Fatalf("refused: %v, want %v", err, refused)
		}
	}
}
