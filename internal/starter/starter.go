// Package starter holds the starter config that `dorgu-gen init` writes: a
// dorgu.cue with one cluster, an example component, an example policy with
// its unit test, and a README; with eject, a copy of the embedded schema,
// components and policies too.
package starter

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	dorgugen "github.com/dorgu/dorgu-gen"
)

//go:embed files
var files embed.FS

// Plan lists the files init would write into dir, as slash paths with
// their content, sorted.
func Plan(eject bool) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(files, "files", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		out[p[len("files/"):]] = b
		return err
	})
	if err != nil || !eject {
		return out, err
	}
	for _, pattern := range []string{"schema/*.cue", "components/*.cue", "policies/*.rego"} {
		names, _ := fs.Glob(dorgugen.Defaults(), pattern)
		for _, n := range names {
			b, err := fs.ReadFile(dorgugen.Defaults(), n)
			if err != nil {
				return nil, err
			}
			out[n] = b
		}
	}
	return out, nil
}

// Write writes the starter config into dir. It refuses to overwrite
// anything: init is for a folder without a config.
func Write(dir string, eject bool) ([]string, error) {
	plan, err := Plan(eject)
	if err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(plan))
	var exist []string
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if _, err := os.Lstat(p); err == nil {
			exist = append(exist, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if len(exist) > 0 {
		return nil, fmt.Errorf("init writes a new config and never overwrites one, but these exist: %s", strings.Join(exist, ", "))
	}
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, plan[n], 0o644); err != nil {
			return nil, err
		}
	}
	return names, nil
}
