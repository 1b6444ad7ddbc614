// Package drift compares a rendered scaffold with the one on disk: files
// that were edited by hand, deleted, or added where dorgu-gen would not
// write them.
package drift

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/ondisk"
	"github.com/dorgu/dorgu-gen/internal/repofs"
	"github.com/dorgu/dorgu-gen/internal/safefile"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
	"github.com/dorgu/dorgu-gen/internal/textdiff"
)

// The rule ids of drift findings.
const (
	Modified   = "drift-modified"
	Missing    = "drift-missing"
	Unexpected = "drift-unexpected"
)

// Options narrows the comparison when only part of the sources was
// rendered.
type Options struct {
	// Clusters, when not empty, are the only clusters whose folders are
	// searched for unexpected files (--cluster with a config that declares
	// more).
	Clusters []string
	// SkipReadme leaves README.md out: it lists every cluster, so a
	// partial render would always differ.
	SkipReadme bool
	// Label prefixes the paths in diff headers (the scaffold directory as
	// the user named it).
	Label string
}

// Check compares tree with the scaffold on disk. Paths in findings are
// relative to the scaffold directory.
func Check(tree *scaffold.Tree, disk *ondisk.Scaffold, opts Options) ([]finding.Finding, error) {
	// Unexpected files are told apart by what they hold (an AppProject is
	// not an Application).
	disk.Classify()
	// The diffs of all drifted files together are bounded: a pull
	// request that replaces every file must not make a report of
	// megabytes.
	diffs := textdiff.NewBudget(textdiff.MaxBytes)
	var out []finding.Finding
	for _, f := range tree.Files {
		if opts.SkipReadme && f.Kind == scaffold.Readme {
			continue
		}
		if disk.Unread(f.Path) {
			// A link out of the repository or a file that is not a
			// regular one: its yaml finding names it, and nothing of it
			// was read to compare.
			continue
		}
		got, ok, err := onDisk(disk, f)
		var un *unreadable
		if errors.As(err, &un) {
			out = append(out, finding.Finding{
				Severity: finding.Error, Rule: Modified, Kind: finding.KindDrift, File: f.Path,
				Message: fmt.Sprintf("%s %s; it is not the file render writes", what(f), un.msg),
				Hint:    "replace it with the file dorgu-gen render writes",
			})
			continue
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			out = append(out, finding.Finding{
				Severity: finding.Error, Rule: Missing, Kind: finding.KindDrift, File: f.Path,
				Cluster: f.Cluster, Component: f.Component,
				Message: fmt.Sprintf("%s is rendered from the sources but missing from the scaffold", what(f)),
				Hint:    "run dorgu-gen render to write it, or change the config if it should not exist",
			})
			continue
		}
		if bytes.Equal(got, f.Content) {
			continue
		}
		d := finding.Finding{
			Severity: finding.Error, Rule: Modified, Kind: finding.KindDrift, File: f.Path,
			Cluster: f.Cluster, Component: f.Component, Line: firstChange(f.Content, got),
			Message: fmt.Sprintf("%s differs from what the sources render (edited by hand, or not rendered again after a config change)", what(f)),
			Hint:    "make the change in the config and run dorgu-gen render, which rewrites this file; a hand edit is lost at the next render",
		}
		name := path.Join(opts.Label, f.Path)
		d.Diff = diffs.Unified(name+" (rendered)", name+" (on disk)", f.Content, got)
		out = append(out, d)
	}
	for _, f := range disk.Files {
		if f.Kind != scaffold.Application && f.Kind != scaffold.Values {
			continue
		}
		if len(opts.Clusters) > 0 && !slices.Contains(opts.Clusters, f.Cluster) {
			continue
		}
		if _, ok := tree.Lookup(f.Path); ok {
			continue
		}
		u := finding.Finding{
			Severity: finding.Error, Rule: Unexpected, Kind: finding.KindDrift, File: f.Path,
			Cluster: f.Cluster, Component: f.Component,
		}
		if f.Kind == scaffold.Application {
			u.Message = fmt.Sprintf("no source produces this Application: the root Application of cluster %q syncs every file in clusters/%s/apps, so ArgoCD would apply it, and the next render would not own it", f.Cluster, f.Cluster)
			u.Hint = fmt.Sprintf("declare the component in the config (components, or clusters.%s.components) and render, or delete the file", f.Cluster)
		} else {
			u.Message = fmt.Sprintf("no source produces this values file; dorgu-gen writes clusters/%s/values/ only for the components enabled in cluster %q", f.Cluster, f.Cluster)
			u.Hint = fmt.Sprintf("put the values in the config (clusters.%s.components.%s.values) and render, or delete the file", f.Cluster, f.Component)
		}
		out = append(out, u)
	}
	return out, nil
}

// what names a planned file in messages.
func what(f scaffold.File) string {
	switch f.Kind {
	case scaffold.Application:
		return fmt.Sprintf("the Application of %s in cluster %q", f.Component, f.Cluster)
	case scaffold.Values:
		return fmt.Sprintf("the values file of %s in cluster %q", f.Component, f.Cluster)
	case scaffold.RootApplication:
		if f.Path == scaffold.RootsPath(f.Cluster) {
			return fmt.Sprintf("the root of roots of hub %q", f.Cluster)
		}
		return fmt.Sprintf("the root Application of cluster %q", f.Cluster)
	}
	return "the scaffold's " + f.Path
}

// firstChange returns the 1-based line of the first line of got that
// differs from want; its last line when got only lacks lines at the end,
// so that the line exists.
func firstChange(want, got []byte) int {
	w, g := strings.SplitAfter(string(want), "\n"), strings.SplitAfter(string(got), "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	n := len(g)
	if n > 0 && g[n-1] == "" {
		n--
	}
	return max(1, min(i+1, max(n, 1)))
}

// onDisk returns the bytes of a planned file on disk: those the scan read
// for a file of the layout, else (the README) a read through the
// scaffold's repository, bounded and never following a link out of it.
// ok is false when there is no such file.
func onDisk(disk *ondisk.Scaffold, f scaffold.File) (data []byte, ok bool, err error) {
	if d, found := disk.Lookup(f.Path); found {
		return d.Content, true, nil
	}
	if f.Kind != scaffold.Readme {
		return nil, false, nil
	}
	data, err = disk.ReadFile(f.Path)
	var ee *repofs.EscapeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case errors.As(err, &ee):
		return nil, false, &unreadable{repofs.EscapeMessage}
	case errors.Is(err, safefile.ErrNotRegular):
		return nil, false, &unreadable{"is not a regular file"}
	case err != nil:
		var le *repofs.LimitError
		if errors.As(err, &le) {
			return nil, false, &ondisk.Error{Msg: le.Error()}
		}
		return nil, false, &ondisk.Error{Msg: err.Error()}
	}
	return data, true, nil
}

// unreadable is a planted file that was not read.
type unreadable struct{ msg string }

func (u *unreadable) Error() string { return u.msg }

// UpToDate reports whether the scaffold on disk is exactly the rendered
// tree: the same files, byte for byte, and no other file of the layout.
// vet then knows the files on disk hold the documents the policies already
// checked, without parsing them.
func UpToDate(tree *scaffold.Tree, disk *ondisk.Scaffold) bool {
	n := 0
	for _, f := range tree.Files {
		if f.Kind == scaffold.Readme {
			got, ok, err := onDisk(disk, f)
			if err != nil || !ok || !bytes.Equal(got, f.Content) {
				return false
			}
			continue
		}
		d, ok := disk.Lookup(f.Path)
		if !ok || d.Unread || !bytes.Equal(d.Content, f.Content) {
			return false
		}
		n++
	}
	return n == len(disk.Files) && len(disk.Unreadable()) == 0
}
