package write

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLedger decodes arbitrary bytes as a ledger. Nothing may panic, and a
// ledger that is accepted names only files of the scaffold layout, each
// with a SHA-256, and encodes back to a ledger that reads the same.
func FuzzLedger(f *testing.F) {
	f.Add(ledgerWith(nil).encode())
	f.Add(ledgerWith(map[string]string{".git/HEAD": digest(nil)}).encode())
	f.Add([]byte(`{"generator":"dorgu-gen","version":1,"files":{"README.md":"sha256:00"}}`))
	f.Add([]byte(`{"generator":"dorgu-gen","version":2,"files":{}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parseLedger("ledger.json", data)
		if err != nil {
			return
		}
		for p, d := range l.Files {
			if !inLayout(p) || !digestRE.MatchString(d) {
				t.Fatalf("accepted entry %q: %q", p, d)
			}
		}
		again, err := parseLedger("ledger.json", l.encode())
		if err != nil || !maps.Equal(again.Files, l.Files) {
			t.Fatalf("the ledger does not read back: %v", err)
		}
	})
}

// FuzzJournal puts arbitrary bytes in .dorgu/journal.json of a rendered
// scaffold that also holds staged files, a user's files, a Git repository
// and a link to a folder outside, then renders: Prepare, and Apply when
// Prepare accepts. Nothing may panic, and whatever the journal says,
// nothing outside the output directory and nothing in it outside the
// scaffold layout and .dorgu/ may change. The seeds are a journal of a
// real interrupted render and the attacks of TestPlantedJournal (in
// testdata/fuzz/FuzzJournal).
func FuzzJournal(f *testing.F) {
	f.Add(realJournal(f))
	f.Add([]byte(`{"renames":[],"removes":[]}`))
	// One rendered base, copied for each input: a render per input would
	// spend the fuzzing time in fsync.
	template := f.TempDir()
	hostileBaseIn(f, template)
	f.Fuzz(func(t *testing.T, data []byte) {
		base := t.TempDir()
		copyDir(t, template, base)
		out, outside := filepath.Join(base, "out"), filepath.Join(base, "outside")
		for _, rel := range []string{"clusters/a/apps/.x.yaml.dorgu-tmp-1", "clusters/a/values/.x.yaml.dorgu-tmp-2", ".git/hooks/.pre-commit.dorgu-tmp-3"} {
			plant(t, out, rel, hook)
		}
		plant(t, out, "README.md.dorgu-tmp-4", "readme v2\n")
		if err := os.Symlink(outside, filepath.Join(out, "clusters/evil")); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
		plant(t, out, journalPath, string(data))
		before := foreign(t, base)

		if j, err := parseJournal("journal.json", data, ledgerWith(nil)); err == nil {
			for _, r := range j.Renames {
				if !staged(r.Dst) || stagedFor(r.Tmp) != r.Dst {
					t.Fatalf("accepted rename %q -> %q", r.Tmp, r.Dst)
				}
			}
			for _, r := range j.Removes {
				if !inLayout(r.Path) {
					t.Fatalf("accepted removal of %q", r.Path)
				}
			}
		}
		next := maps.Clone(v1)
		next["README.md"] = "readme v2\n"
		if p, err := Prepare(out, tree(next), Options{Force: true}); err == nil {
			_ = p.Apply(context.Background()) // failing is fine; touching foreign files is not
		}
		sameState(t, "files render does not own", before, foreign(t, base))
	})
}

// foreign is fsState of what is outside the output directory, and of what
// in it is neither a scaffold file nor under .dorgu/ nor a staged file of
// the layout, which the sweep may remove. Folders count by their mode
// alone: render adds and removes files in the output directory and the
// layout's folders.
func foreign(t *testing.T, base string) map[string]string {
	t.Helper()
	m := fsState(t, base)
	for k := range m {
		if rel, ok := strings.CutPrefix(k, "out/"); ok && (rel == StateDir || strings.HasPrefix(rel, StateDir+"/") || inLayout(rel) || staged(stagedFor(rel)) || layoutDir(rel)) {
			delete(m, k)
			continue
		}
		if info, err := os.Lstat(filepath.Join(base, k)); err == nil && info.IsDir() {
			m[k] = info.Mode().String()
		} else if err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// layoutDir reports whether rel is a folder render creates and removes.
func layoutDir(rel string) bool {
	parts := strings.Split(rel, "/")
	switch {
	case rel == "argocd" || rel == "clusters":
		return true
	case len(parts) == 2 && parts[0] == "clusters":
		return inLayout(rel + "/values/x.yaml")
	case len(parts) == 3 && parts[0] == "clusters":
		return inLayout(rel + "/x.yaml")
	}
	return false
}

// realJournal is the journal of a render killed right after writing it.
func realJournal(tb testing.TB) []byte {
	dir, err := os.MkdirTemp("", "journal")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "out")
	p, err := Prepare(out, tree(v1), Options{})
	if err == nil {
		err = p.Apply(context.Background())
	}
	if err != nil {
		tb.Fatal(err)
	}
	next := maps.Clone(v1)
	next["clusters/a/values/x.yaml"] = "values x v2\n"
	delete(next, "clusters/b/apps/y.yaml")
	if p, err = Prepare(out, tree(next), Options{}); err != nil {
		tb.Fatal(err)
	}
	var journal []byte
	_ = p.apply(context.Background(), func(step string) { // only the journal it wrote matters
		if step == "journal written" {
			journal, _ = os.ReadFile(filepath.Join(out, filepath.FromSlash(journalPath)))
		}
	})
	if journal == nil {
		tb.Fatal("no journal written")
	}
	return journal
}
