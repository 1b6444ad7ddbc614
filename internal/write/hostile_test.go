package write

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The tests in this file plant what a pull request can commit into the
// output directory (a journal, a ledger, links) and check that render
// refuses it, naming it, and that nothing inside or outside the output
// directory was written, removed or read through a link.

// fsState describes every entry under dir without following links: mode,
// modification time, and the content of files or the target of links.
func fsState(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		s := fmt.Sprintf("%v %d", info.Mode(), info.ModTime().UnixNano())
		switch {
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			s += " " + string(b)
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			s += " -> " + target
		}
		m[filepath.ToSlash(rel)] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameState(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if after[k] != before[k] {
			t.Errorf("%s: %s changed:\n was %q\n now %q", what, k, before[k], after[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[k]; !ok {
			t.Errorf("%s: %s appeared: %q", what, k, after[k])
		}
	}
}

// hostileBase is a rendered scaffold in base/out next to base/outside, with
// a file of the user's, a Git repository, and secrets outside.
func hostileBase(t *testing.T) (base, out, outside string) {
	t.Helper()
	base = t.TempDir()
	out, outside = hostileBaseIn(t, base)
	return base, out, outside
}

func hostileBaseIn(t testing.TB, base string) (out, outside string) {
	t.Helper()
	out = filepath.Join(base, "out")
	outside = filepath.Join(base, "outside")
	mustRender(t, out, v1, Options{})
	write := func(p, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(out, "NOTES.md"), "the user's notes\n")
	write(filepath.Join(out, "RUNBOOK.md"), "the user's runbook\n")
	write(filepath.Join(out, ".git/HEAD"), "ref: refs/heads/main\n")
	write(filepath.Join(out, ".git/config"), "[core]\n")
	write(filepath.Join(out, ".git/hooks/README"), "hooks\n")
	write(filepath.Join(outside, "secret"), "TOKEN=outside-secret\n")
	write(filepath.Join(outside, "apps/x.yaml"), "app x\n")
	write(filepath.Join(outside, "values/x.yaml"), "values x\n")
	write(filepath.Join(outside, "lock"), "somebody's file named lock\n")
	return out, outside
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

func plant(t *testing.T, out, rel, content string) {
	t.Helper()
	p := filepath.Join(out, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ledgerWith is the ledger of v1 plus the given entries.
func ledgerWith(extra map[string]string) *Ledger {
	l := newLedger()
	for p, c := range v1 {
		l.Files[p] = digest([]byte(c))
	}
	maps.Copy(l.Files, extra)
	return l
}

const hook = "#!/bin/sh\necho pwned > /tmp/pwned\n"

func TestPlantedJournal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, out, outside string)
		// entry is what the error must name; link, that it is refused as
		// a symbolic link.
		entry string
		link  bool
	}{
		{
			name: "a Git hook",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, "clusters/a/apps/.x.yaml.dorgu-tmp-1", hook)
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"renames": []rename{{Tmp: "clusters/a/apps/.x.yaml.dorgu-tmp-1", Dst: ".git/hooks/pre-commit"}},
					"removes": []removal{},
				}))
			},
			entry: "clusters/a/apps/.x.yaml.dorgu-tmp-1 -> .git/hooks/pre-commit",
		},
		{
			name: "a Git hook staged next to it",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, ".git/hooks/.pre-commit.dorgu-tmp-1", hook)
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"renames": []rename{{Tmp: ".git/hooks/.pre-commit.dorgu-tmp-1", Dst: ".git/hooks/pre-commit"}},
				}))
			},
			entry: ".git/hooks/.pre-commit.dorgu-tmp-1 -> .git/hooks/pre-commit",
		},
		{
			name: "a user's file as the staged file",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"renames": []rename{{Tmp: "NOTES.md", Dst: "README.md"}},
					"ledger":  ledgerWith(map[string]string{"README.md": digest([]byte("the user's notes\n"))}),
				}))
			},
			entry: "NOTES.md -> README.md",
		},
		{
			name: "a staged file of another destination",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, "argocd/.root-app.yaml.dorgu-tmp-1", "app x\n")
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"renames": []rename{{Tmp: "argocd/.root-app.yaml.dorgu-tmp-1", Dst: "clusters/a/apps/x.yaml"}},
				}))
			},
			entry: "argocd/.root-app.yaml.dorgu-tmp-1 -> clusters/a/apps/x.yaml",
		},
		{
			name: "a destination the ledger does not own",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, "clusters/a/apps/.evil.yaml.dorgu-tmp-1", "evil\n")
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"renames": []rename{{Tmp: "clusters/a/apps/.evil.yaml.dorgu-tmp-1", Dst: "clusters/a/apps/evil.yaml"}},
				}))
			},
			entry: "clusters/a/apps/.evil.yaml.dorgu-tmp-1 -> clusters/a/apps/evil.yaml",
		},
		{
			name: "a staged file that is not what the ledger records",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, "clusters/a/apps/.x.yaml.dorgu-tmp-1", "kind: Secret\n")
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"renames": []rename{{Tmp: "clusters/a/apps/.x.yaml.dorgu-tmp-1", Dst: "clusters/a/apps/x.yaml"}},
				}))
			},
			entry: "clusters/a/apps/.x.yaml.dorgu-tmp-1 -> clusters/a/apps/x.yaml",
		},
		{
			name: "a write through a linked folder",
			setup: func(t *testing.T, out, outside string) {
				symlink(t, outside, filepath.Join(out, "clusters/evil"))
				plant(t, out, "clusters/evil/apps/.x.yaml.dorgu-tmp-1", "app x\n") // lands outside
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"renames": []rename{{Tmp: "clusters/evil/apps/.x.yaml.dorgu-tmp-1", Dst: "clusters/evil/apps/x.yaml"}},
					"ledger":  ledgerWith(map[string]string{"clusters/evil/apps/x.yaml": digest([]byte("app x\n"))}),
				}))
			},
			entry: "clusters/evil/apps/.x.yaml.dorgu-tmp-1 -> clusters/evil/apps/x.yaml",
			link:  true,
		},
		{
			name: "a staged file that is a link out",
			setup: func(t *testing.T, out, outside string) {
				symlink(t, filepath.Join(outside, "secret"), filepath.Join(out, "clusters/a/apps/.x.yaml.dorgu-tmp-1"))
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"renames": []rename{{Tmp: "clusters/a/apps/.x.yaml.dorgu-tmp-1", Dst: "clusters/a/apps/x.yaml"}},
					"ledger":  ledgerWith(map[string]string{"clusters/a/apps/x.yaml": digest([]byte("TOKEN=outside-secret\n"))}),
				}))
			},
			entry: "clusters/a/apps/.x.yaml.dorgu-tmp-1 -> clusters/a/apps/x.yaml",
			link:  true,
		},
		{
			name: "a destination that is a link out",
			setup: func(t *testing.T, out, outside string) {
				os.Remove(filepath.Join(out, "clusters/a/apps/x.yaml"))
				symlink(t, filepath.Join(outside, "apps/x.yaml"), filepath.Join(out, "clusters/a/apps/x.yaml"))
				plant(t, out, "clusters/a/apps/.x.yaml.dorgu-tmp-1", "app x\n")
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"renames": []rename{{Tmp: "clusters/a/apps/.x.yaml.dorgu-tmp-1", Dst: "clusters/a/apps/x.yaml"}},
				}))
			},
			entry: "clusters/a/apps/.x.yaml.dorgu-tmp-1 -> clusters/a/apps/x.yaml",
			link:  true,
		},
		{
			name: "removing a user's file",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"removes": []removal{{Path: "RUNBOOK.md", Digest: digest([]byte("the user's runbook\n"))}},
				}))
			},
			entry: "remove RUNBOOK.md",
		},
		{
			name: "removing Git's config",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"removes": []removal{{Path: ".git/config", Digest: digest([]byte("[core]\n"))}},
				}))
			},
			entry: "remove .git/config",
		},
		{
			name: "removing outside with ..",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"removes": []removal{{Path: "clusters/a/../../../outside/secret", Digest: digest([]byte("TOKEN=outside-secret\n"))}},
				}))
			},
			entry: "remove clusters/a/../../../outside/secret",
		},
		{
			name: "removing through a linked folder",
			setup: func(t *testing.T, out, outside string) {
				symlink(t, outside, filepath.Join(out, "clusters/evil"))
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"removes": []removal{{Path: "clusters/evil/apps/x.yaml", Digest: digest([]byte("app x\n"))}},
					"ledger":  ledgerWith(nil),
				}))
			},
			entry: "remove clusters/evil/apps/x.yaml",
			link:  true,
		},
		{
			name: "a ledger that owns .git",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, journalPath, jsonOf(t, map[string]any{
					"ledger": ledgerWith(map[string]string{".git/HEAD": digest([]byte("ref: refs/heads/main\n"))}),
				}))
			},
			entry: ".git/HEAD",
		},
		{
			name: "unknown fields",
			setup: func(t *testing.T, out, _ string) {
				plant(t, out, journalPath, `{"renames": [], "removes": [], "run": "sh -c id"}`)
			},
		},
		{
			name: "a journal that is a link out",
			setup: func(t *testing.T, out, outside string) {
				symlink(t, filepath.Join(outside, "secret"), filepath.Join(out, journalPath))
			},
			link: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, out, outside := hostileBase(t)
			tc.setup(t, out, outside)
			before := fsState(t, base)
			next := maps.Clone(v1)
			next["README.md"] = "readme v2\n"
			_, err := render(t, out, next, Options{})
			if err == nil {
				t.Fatal("render acted on a planted journal")
			}
			if !strings.Contains(err.Error(), journalFile) {
				t.Errorf("the error does not name the journal: %v", err)
			}
			var ce *CorruptError
			var le *LinkError
			switch {
			case tc.link && !errors.As(err, &le):
				t.Errorf("want a refused link; got %v", err)
			case !tc.link && !errors.As(err, &ce):
				t.Errorf("want a corrupt journal; got %v", err)
			case tc.entry != "" && !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.entry)):
				t.Errorf("the error does not name the entry %q: %v", tc.entry, err)
			}
			if strings.Contains(err.Error(), "outside-secret") {
				t.Errorf("the error shows a file outside: %v", err)
			}
			sameState(t, "after render", before, fsState(t, base))
		})
	}
}

// TestPlantedJournalUnderTheLock plants the journal after Prepare: Apply
// reads it again under the lock and refuses it too.
func TestPlantedJournalUnderTheLock(t *testing.T) {
	base, out, _ := hostileBase(t)
	next := maps.Clone(v1)
	next["README.md"] = "readme v2\n"
	p, err := Prepare(out, tree(next), Options{})
	if err != nil {
		t.Fatal(err)
	}
	plant(t, out, "clusters/a/apps/.x.yaml.dorgu-tmp-1", hook)
	plant(t, out, journalPath, jsonOf(t, map[string]any{
		"renames": []rename{{Tmp: "clusters/a/apps/.x.yaml.dorgu-tmp-1", Dst: ".git/hooks/pre-commit"}},
	}))
	before := snapshot(t, base)
	var ce *CorruptError
	if err := p.Apply(t.Context()); !errors.As(err, &ce) {
		t.Fatalf("Apply with a planted journal: %v", err)
	}
	if after := snapshot(t, base); !maps.Equal(before, after) {
		t.Errorf("files changed: before %v\nafter %v", keysOf(before), keysOf(after))
	}
}

func TestHostileLedger(t *testing.T) {
	base, out, _ := hostileBase(t)
	// Hand-edited to own Git's files and the user's runbook, with their
	// real digests.
	l := ledgerWith(map[string]string{
		".git/HEAD":   digest([]byte("ref: refs/heads/main\n")),
		".git/config": digest([]byte("[core]\n")),
		"RUNBOOK.md":  digest([]byte("the user's runbook\n")),
	})
	plant(t, out, ledgerPath, string(l.encode()))
	before := fsState(t, base)
	for _, force := range []bool{false, true} {
		_, err := render(t, out, map[string]string{"README.md": "readme\n"}, Options{Force: force})
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Entry != ".git/HEAD" || !strings.Contains(err.Error(), ledgerFile) {
			t.Fatalf("render with a ledger owning .git/HEAD (force %v): %v", force, err)
		}
		sameState(t, "after render", before, fsState(t, base))
	}
	for _, bad := range []string{"../outside/secret", "/etc/passwd", "clusters/a/apps/../../../x.yaml", "notes/x.yaml", "clusters/a/apps/x.sh", ".github/workflows/ci.yaml", "clusters/.git/apps/x.yaml", `clusters\a\apps\x.yaml`} {
		l := ledgerWith(map[string]string{bad: digest(nil)})
		if _, err := parseLedger("ledger.json", l.encode()); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("ledger entry %q: %v", bad, err)
		}
	}
	l = ledgerWith(map[string]string{"clusters/a/apps/y.yaml": "md5:abc"})
	if _, err := parseLedger("ledger.json", l.encode()); err == nil {
		t.Errorf("a ledger entry without a SHA-256 was accepted")
	}
}

// TestRemovalThroughALinkedFolder: a cluster's folder replaced by a link
// to a copy elsewhere, then the cluster removed from the config. The
// removal must not follow the link.
func TestRemovalThroughALinkedFolder(t *testing.T) {
	base, out, outside := hostileBase(t)
	for _, f := range []string{"apps/y.yaml", "values/y.yaml"} {
		plant(t, outside, "b/"+f, v1["clusters/b/"+f])
	}
	if err := os.RemoveAll(filepath.Join(out, "clusters/b")); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join(outside, "b"), filepath.Join(out, "clusters/b"))
	before := fsState(t, base)
	without := maps.Clone(v1)
	delete(without, "clusters/b/apps/y.yaml")
	delete(without, "clusters/b/values/y.yaml")
	for _, force := range []bool{false, true} {
		_, err := render(t, out, without, Options{Force: force})
		var le *LinkError
		if !errors.As(err, &le) || le.Path != filepath.ToSlash(out)+"/clusters/b" {
			t.Fatalf("removal through a linked folder (force %v): %v", force, err)
		}
		sameState(t, "after render", before, fsState(t, base))
	}
}

// TestLinkedStateFolder: with .dorgu a link, render refuses before it takes
// the lock, so nothing there is created or removed.
func TestLinkedStateFolder(t *testing.T) {
	base, out, outside := hostileBase(t)
	if err := os.RemoveAll(filepath.Join(out, StateDir)); err != nil {
		t.Fatal(err)
	}
	symlink(t, outside, filepath.Join(out, StateDir))
	before := fsState(t, base)
	for _, force := range []bool{false, true} {
		_, err := render(t, out, v1, Options{Force: force})
		var le *LinkError
		if !errors.As(err, &le) || le.Path != filepath.ToSlash(out)+"/.dorgu" {
			t.Fatalf("render with .dorgu a link: %v", err)
		}
		sameState(t, "after render", before, fsState(t, base))
	}
	// Also when Prepare saw a real folder and the link came after.
	os.Remove(filepath.Join(out, StateDir))
	if err := os.Mkdir(filepath.Join(out, StateDir), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(out, tree(v1), Options{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(out, StateDir))
	symlink(t, outside, filepath.Join(out, StateDir))
	before = fsState(t, base)
	var le *LinkError
	if err := p.Apply(t.Context()); !errors.As(err, &le) {
		t.Fatalf("Apply with .dorgu a link: %v", err)
	}
	sameState(t, "after Apply", before, fsState(t, base))
}

// TestPlanOutsideTheLayout: the writer does not take the planner's word
// for where files go; a tampered plan (from a cache entry, say) cannot
// make it write a CI workflow or a Git hook, which the ledger would then
// own.
func TestPlanOutsideTheLayout(t *testing.T) {
	for _, bad := range []string{".github/workflows/x.yaml", ".git/hooks/pre-commit", ".dorgu/ledger.json", ".dorgu/journal.json", "Makefile", "clusters/a/apps/x.sh", "clusters/a/other/x.yaml", "argocd/sub/x.yaml", "clusters/A/apps/x.yaml"} {
		base, out, _ := hostileBase(t)
		before := fsState(t, base)
		files := maps.Clone(v1)
		files[bad] = "on: push\n"
		_, err := render(t, out, files, Options{Force: true})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) || !strings.Contains(err.Error(), "scaffold layout") {
			t.Errorf("planned %s: %v", bad, err)
		}
		sameState(t, "after render of "+bad, before, fsState(t, base))
	}
}

func TestLayout(t *testing.T) {
	for p, want := range map[string]bool{
		"README.md":                            true,
		"argocd/root-app.yaml":                 true,
		"argocd/prod-us-east-root-app.yaml":    true,
		"clusters/dev/apps/_appproject.yaml":   true,
		"clusters/dev/apps/cert-manager.yaml":  true,
		"clusters/dev/apps/extra.json":         true,
		"clusters/dev/values/openobserve.yaml": true,
		"readme.md":                            false,
		"argocd/.root-app.yaml":                false,
		"argocd/-x.yaml":                       false,
		"clusters/dev/values/_appproject.yaml": false,
		"clusters/dev/values/x.json":           false,
		"clusters/dev/apps/x.yaml/y.yaml":      false,
		"clusters/./apps/x.yaml":               false,
		"clusters//apps/x.yaml":                false,
		"./README.md":                          false,
		"/README.md":                           false,
		".dorgu/ledger.json":                   false,
	} {
		if got := inLayout(p); got != want {
			t.Errorf("inLayout(%q) = %v, want %v", p, got, want)
		}
	}
	for tmp, dst := range map[string]string{
		".README.md.dorgu-tmp-0123abcd":            "README.md",
		"clusters/a/apps/.x.yaml.dorgu-tmp-1234":   "clusters/a/apps/x.yaml",
		".dorgu/..gitignore.dorgu-tmp-ff":          ".dorgu/.gitignore",
		"clusters/a/apps/x.yaml.dorgu-tmp-1":       "",
		"clusters/a/apps/.x.yaml.dorgu-tmp-":       "",
		"clusters/a/apps/.x.yaml.dorgu-tmp-zz":     "",
		"clusters/a/apps/.x.yaml.dorgu-tmp-1/../x": "",
		"clusters/a/.apps/x.yaml.dorgu-tmp-1":      "",
	} {
		if got := stagedFor(tmp); got != dst {
			t.Errorf("stagedFor(%q) = %q, want %q", tmp, got, dst)
		}
	}
	if got := stagedFor(tmpFor("clusters/a/apps/x.yaml", randomSuffix())); got != "clusters/a/apps/x.yaml" {
		t.Errorf("a staged name does not lead back to its destination: %q", got)
	}
}
