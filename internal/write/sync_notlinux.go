//go:build !linux

package write

import (
	"maps"
	"slices"
)

// Elsewhere there is no syncfs(2): each staged file is synced as it is
// written, and each directory whose entries changed before the journal
// that names them is written or removed.
const syncEachFile = true

type flusher struct{ dirs map[string]bool }

func newFlusher() *flusher { return &flusher{dirs: map[string]bool{}} }

// dir notes a directory whose entries changed.
func (fl *flusher) dir(rel string) { fl.dirs[rel] = true }

// flush makes every staged file, rename and removal so far durable.
func (fl *flusher) flush(d *outDir) error {
	for _, dir := range slices.Sorted(maps.Keys(fl.dirs)) {
		if err := syncDir(d, dir); err != nil {
			return err
		}
	}
	return nil
}
