package helmrender

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// MaxArchiveSize bounds a chart archive read from disk; the largest
// charts in common use are a few megabytes.
const MaxArchiveSize = 64 << 20

// Open reads a chart from a directory or a .tgz archive.
func Open(path string) (*Chart, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return FromDir(path)
	}
	data, err := safefile.ReadFile(path, MaxArchiveSize)
	if err != nil {
		return nil, err
	}
	return FromArchive(data)
}

// LocalCharts serves charts from disk by component name: a chart under
// development, or one fetched by other means.
type LocalCharts map[string]*Chart

// MissingChartError is a component whose chart no source has.
type MissingChartError struct {
	Refs []ChartRef
}

func (e *MissingChartError) Error() string {
	var names []string
	for _, r := range e.Refs {
		names = append(names, fmt.Sprintf("%s (chart %s %s from %s)", r.Component, r.Name, r.Version, r.RepoURL))
	}
	return "no chart for " + strings.Join(names, ", ")
}

// Chart returns the local chart of ref's component.
func (l LocalCharts) Chart(_ context.Context, ref ChartRef) (*Chart, error) {
	if c, ok := l[ref.Component]; ok {
		return c, nil
	}
	return nil, &MissingChartError{Refs: []ChartRef{ref}}
}

// Components lists the components that have a local chart.
func (l LocalCharts) Components() []string {
	out := make([]string, 0, len(l))
	for k := range l {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Sources tries each source in turn: the first that has a chart serves
// it, so local charts can stand in for locked ones.
type Sources []ChartSource

// Chart returns ref's chart from the first source that has it.
func (s Sources) Chart(ctx context.Context, ref ChartRef) (*Chart, error) {
	for _, src := range s {
		c, err := src.Chart(ctx, ref)
		var me *MissingChartError
		if errors.As(err, &me) {
			continue
		}
		return c, err
	}
	return nil, &MissingChartError{Refs: []ChartRef{ref}}
}
