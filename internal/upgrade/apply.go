package upgrade

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/dorgu/dorgu-gen/internal/chartlock"
	"github.com/dorgu/dorgu-gen/internal/charts"
	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/repofs"
	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// Puller pulls and locks charts: the chart client.
type Puller interface {
	Pull(ctx context.Context, old *chartlock.Lock, refs []charts.Ref) (*charts.PullResult, error)
}

// Applied is what Apply did.
type Applied struct {
	Pull *charts.PullResult
	// LockWritten is false when the lock did not change.
	LockWritten bool
}

// Apply makes the plan real: it pulls and locks every chart the upgraded
// config deploys (as charts pull does: verified, through the cache and
// the mirrors), and only then replaces the config files and writes the
// lock. A file that cannot be replaced (a symbolic link, one edited
// meanwhile) is found before anything is pulled or written.
func Apply(ctx context.Context, p *Plan, client Puller, repo *repofs.Repo, workDir, lockPath string, old *chartlock.Lock) (*Applied, error) {
	dirs := make([]*repofs.Dir, len(p.Files))
	for i, f := range p.Files {
		d, err := repo.Path(f.Name)
		if err != nil {
			return nil, writeError(workDir, f.Name, err)
		}
		info, err := d.Lstat()
		if err != nil {
			return nil, writeError(workDir, f.Name, err)
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return nil, writeError(workDir, f.Name, safefile.ErrSymlink)
		}
		dirs[i] = d
	}
	res, err := client.Pull(ctx, old, charts.Refs(p.Stack))
	if err != nil {
		return nil, err
	}
	for i, f := range p.Files {
		if err := dirs[i].Replace(f.Old, f.New); err != nil {
			return nil, writeError(workDir, f.Name, err)
		}
	}
	written, err := chartlock.Write(lockPath, res.Lock)
	if err != nil {
		return nil, err
	}
	return &Applied{Pull: res, LockWritten: written}, nil
}

// writeError says why a config file cannot be written, and what to do.
func writeError(workDir, name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	msg := err.Error()
	switch {
	case errors.Is(err, safefile.ErrSymlink):
		msg = "is a symbolic link; upgrade edits only regular files (through a link it would edit whatever the link leads to): edit the file it leads to, or replace the link with that file"
	case errors.Is(err, repofs.ErrChanged):
		msg = fmt.Sprintf("%v, so it was left as it is; run dorgu-gen upgrade again", err)
	}
	return &config.Error{Path: relName(workDir, name), Msg: msg}
}
