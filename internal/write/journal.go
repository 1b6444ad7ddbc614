package write

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
)

// journal lists what a render does once every new file is staged. Written
// atomically before the first rename, it lets the next render finish the
// job after a crash: renaming a staged file and removing a file are both
// safe to repeat.
//
// A journal is also a file in a directory that a pull request controls, so
// the next render acts on it only when every entry is one dorgu-gen could
// have written: a staged file of its own naming next to a destination of
// the scaffold layout that the ledger owns, holding the bytes the ledger
// records; a removal of a scaffold file, of the content the render saw
// when it decided to remove it.
type journal struct {
	Renames []rename  `json:"renames"`
	Removes []removal `json:"removes"`
	// Ledger is the ledger the render is writing, so that a plan made
	// before recovery already knows the files as dorgu-gen's own. Nil when
	// the ledger on disk is already the one being written.
	Ledger *Ledger `json:"ledger,omitempty"`

	// staged holds, by destination, the content of each staged file still
	// waiting for its rename; removed the digest of each file to remove.
	staged  map[string][]byte
	removed map[string]string
}

type rename struct {
	Tmp string `json:"tmp"`
	Dst string `json:"dst"`
}

// removal is a file to remove, if it still holds what the render saw.
type removal struct {
	Path   string `json:"path"`
	Digest string `json:"sha256"`
}

const journalFix = "if a render into this directory was interrupted, restore the scaffold from Git; then delete the journal and render again. Nothing was touched"

// readJournal reads and checks the journal of an interrupted render, nil
// when there is none. disk is the ledger on disk.
func readJournal(d *outDir, disk *Ledger) (*journal, error) {
	data, ok, err := d.read(journalPath, MaxJournalSize)
	if err != nil || !ok {
		return nil, err
	}
	name := d.show(journalPath)
	j, err := parseJournal(name, data, disk)
	if err != nil {
		return nil, err
	}
	if err := j.checkDisk(d, name, disk); err != nil {
		return nil, err
	}
	return j, nil
}

// parseJournal decodes a journal and checks every entry against the
// layout and the ledger it writes (its own, or disk's when it has none).
func parseJournal(name string, data []byte, disk *Ledger) (*journal, error) {
	bad := func(entry, reason string) error {
		return &CorruptError{File: name, Entry: entry, Reason: reason, Fix: journalFix}
	}
	j := &journal{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(j)
	if err == nil {
		if _, err2 := dec.Token(); !errors.Is(err2, io.EOF) {
			err = errors.New("data after the journal")
		}
	}
	if err != nil {
		return nil, bad("", fmt.Sprintf("unreadable journal of an interrupted render (%v)", err))
	}
	owner := disk
	if j.Ledger != nil {
		if j.Ledger.Generator != "dorgu-gen" || j.Ledger.Version != 1 || j.Ledger.Files == nil {
			return nil, bad("ledger", "not a ledger of this dorgu-gen")
		}
		if err := j.Ledger.check(name, journalFix); err != nil {
			return nil, err
		}
		owner = j.Ledger
	}
	dsts := map[string]bool{}
	for _, r := range j.Renames {
		entry := r.Tmp + " -> " + r.Dst
		switch {
		case !staged(r.Dst):
			return nil, bad(entry, "dorgu-gen never writes there (it writes only "+layoutHelp+" and its ledger)")
		case stagedFor(r.Tmp) != r.Dst:
			return nil, bad(entry, "not a file dorgu-gen stages for that destination (.<name>.dorgu-tmp-<random>, next to it)")
		case dsts[r.Dst]:
			return nil, bad(entry, "a second rename to the same file")
		case r.Dst == ledgerPath && j.Ledger == nil:
			return nil, bad(entry, "a new ledger, but the journal does not hold it")
		case inLayout(r.Dst) && owner.Files[r.Dst] == "":
			return nil, bad(entry, "the ledger being written does not own that file")
		}
		dsts[r.Dst] = true
	}
	j.removed = map[string]string{}
	for _, r := range j.Removes {
		entry := "remove " + r.Path
		switch {
		case !inLayout(r.Path):
			return nil, bad(entry, "dorgu-gen never removes that (it removes only "+layoutHelp+")")
		case !digestRE.MatchString(r.Digest):
			return nil, bad(entry, "not a sha256:<hex> digest")
		case dsts[r.Path] || j.removed[r.Path] != "":
			return nil, bad(entry, "the file is renamed or removed twice")
		case owner.Files[r.Path] != "":
			return nil, bad(entry, "the ledger being written still owns that file")
		}
		j.removed[r.Path] = r.Digest
	}
	return j, nil
}

// checkDisk checks the files a journal names: every staged file still
// there must be a regular file holding exactly what the ledger records for
// its destination, and no destination or removal may be, or lie under, a
// symbolic link.
func (j *journal) checkDisk(d *outDir, name string, disk *Ledger) error {
	owner := disk
	if j.Ledger != nil {
		owner = j.Ledger
	}
	bad := func(entry string, err error) error {
		return &CorruptError{File: name, Entry: entry, Err: err, Fix: journalFix}
	}
	j.staged = map[string][]byte{}
	for _, r := range j.Renames {
		entry := r.Tmp + " -> " + r.Dst
		if _, err := d.file(r.Dst); err != nil {
			return bad(entry, err)
		}
		b, ok, err := d.read(r.Tmp, max(MaxFileSize, MaxLedgerSize))
		if err != nil {
			return bad(entry, err)
		}
		if !ok {
			continue // renamed before the render died
		}
		var want bool
		switch r.Dst {
		case ledgerPath:
			want = bytes.Equal(b, j.Ledger.encode())
		case gitignorePath:
			want = string(b) == gitignore
		default:
			want = digest(b) == owner.Files[r.Dst]
		}
		if !want {
			return bad(entry, errors.New("the staged file does not hold what the ledger being written records"))
		}
		j.staged[r.Dst] = b
	}
	for _, r := range j.Removes {
		if _, err := d.file(r.Path); err != nil {
			return bad("remove "+r.Path, err)
		}
	}
	return nil
}

func writeJournal(d *outDir, j *journal) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	tmp := tmpFor(journalPath, randomSuffix())
	if err := d.create(tmp, data, true); err != nil {
		return err
	}
	if err := d.rename(tmp, journalPath); err != nil {
		d.root.Remove(native(tmp))
		return err
	}
	return syncDir(d, StateDir)
}

// complete carries out a journal: renames, removals, then the journal goes.
func complete(d *outDir, j *journal, hook step) error {
	fl := newFlusher()
	for _, r := range j.Renames {
		info, err := d.file(r.Tmp)
		if err != nil {
			return err
		}
		if info != nil {
			if err := d.rename(r.Tmp, r.Dst); err != nil {
				return err
			}
			fl.dir(path.Dir(r.Dst))
		}
		hook("renamed " + r.Dst)
	}
	for _, r := range j.Removes {
		b, ok, err := d.read(r.Path, MaxFileSize)
		if err != nil {
			return err
		}
		// A file that changed since the render decided to remove it is
		// somebody's work now: it stays.
		if ok && digest(b) == r.Digest {
			if err := d.remove(r.Path); err != nil {
				return err
			}
			fl.dir(path.Dir(r.Path))
			d.removeEmptyParents(r.Path)
		}
		hook("removed " + r.Path)
	}
	// The renames and removals must be durable before the journal that
	// would redo them goes.
	if err := fl.flush(d); err != nil {
		return err
	}
	if err := d.root.Remove(native(journalPath)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", d.show(journalPath), unwrap(err))
	}
	hook("journal removed")
	return nil
}

// recoverJournal completes an interrupted render, then removes the staged
// files a render left when it died before writing its journal.
func recoverJournal(d *outDir, hook step) error {
	disk, err := readLedger(d)
	if err != nil {
		return err
	}
	j, err := readJournal(d, disk)
	if err != nil {
		return err
	}
	if j != nil {
		if err := complete(d, j, hook); err != nil {
			return err
		}
	}
	sweepTemps(d)
	return nil
}

// sweepTemps removes leftover staged files. It looks only where dorgu-gen
// stages (the folders of the layout and .dorgu/, never through a link) and
// removes only regular files named as it names them, for a destination of
// the layout.
func sweepTemps(d *outDir) {
	dirs := []string{".", "argocd", StateDir}
	for _, c := range d.list("clusters") {
		if c.IsDir() {
			dirs = append(dirs, "clusters/"+c.Name()+"/apps", "clusters/"+c.Name()+"/values")
		}
	}
	for _, dir := range dirs {
		for _, e := range d.list(dir) {
			rel := path.Join(dir, e.Name())
			if dst := stagedFor(rel); e.Type().IsRegular() && (staged(dst) || dst == journalPath) {
				d.root.Remove(native(rel))
			}
		}
	}
}

// list returns the entries of the directory rel, nothing when it is not a
// directory reached without a link.
func (d *outDir) list(rel string) []fs.DirEntry {
	if ok, err := d.parents(rel + "/x"); !ok || err != nil {
		return nil
	}
	f, err := d.root.Open(native(rel))
	if err != nil {
		return nil
	}
	defer f.Close()
	entries, _ := f.ReadDir(-1)
	return entries
}

// syncDir makes a rename in the directory rel durable. Some file systems
// (and Windows) cannot sync a directory; the rename is still atomic there,
// only its durability is weaker.
func syncDir(d *outDir, rel string) error {
	f, err := d.root.Open(native(rel))
	if err != nil {
		return fmt.Errorf("%s: %w", d.show(rel), unwrap(err))
	}
	defer f.Close()
	_ = f.Sync()
	return nil
}
