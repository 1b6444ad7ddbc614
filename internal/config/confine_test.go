package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/repofs"
)

const planted = "GITHUB_TOKEN=ghp_planted_outside_the_repository"

// TestLinksOut: a config file, a component or a policy that is a symbolic
// link out of the repository is a configuration error naming the link; its
// target is never read, so its content is in no message.
func TestLinksOut(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	files(t, outside, "secret", planted, "policy.rego", "package dorgu.policies.x\n"+planted+"\n")
	for _, tc := range []struct {
		name string
		kv   []string // files of the repository
		link string   // the link, relative to the repository
		to   string   // its target
		opts Options
	}{
		{"dorgu.cue", nil, "dorgu.cue", "../outside/secret", Options{}},
		{"component", []string{"dorgu.cue", good}, "components/x.cue", "../../outside/secret", Options{}},
		{"component to /dev/zero", []string{"dorgu.cue", good}, "components/zero.cue", "/dev/zero", Options{}},
		{"policy", []string{"dorgu.cue", good}, "policies/p.rego", "../../outside/policy.rego", Options{}},
		{"components folder", []string{"dorgu.cue", good}, "components", "../outside", Options{}},
		{"config folder", nil, "dorgu", "../outside", Options{}},
		{"--config", []string{"conf/x.cue", good}, "conf/dorgu.cue", "../../outside/secret", Options{Path: "conf"}},
		{"--policy", []string{"dorgu.cue", good}, "mine", "../outside", Options{PolicyDirs: []string{"mine"}}},
		{"schema of an ejected config", []string{"dorgu.cue", good, "schema/a.cue", good}, "schema/b.cue", "../../outside/secret", Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := filepath.Join(base, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.MkdirAll(repo, 0o755); err != nil {
				t.Fatal(err)
			}
			files(t, repo, tc.kv...)
			p := filepath.Join(repo, filepath.FromSlash(tc.link))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(tc.to, p); err != nil {
				t.Skipf("no symbolic links: %v", err)
			}
			tc.opts.Dir = repo
			_, err := Load(tc.opts)
			ce := wantConfigError(t, err, "leads out of the repository")
			if ce.Path != tc.link {
				t.Errorf("the error names %q; want the link %q", ce.Path, tc.link)
			}
			if strings.Contains(err.Error(), "ghp_") {
				t.Errorf("the error shows the target's content: %v", err)
			}
		})
	}
}

// TestLinksInside: a link that stays inside the repository is followed,
// also from a config in a subfolder to a file at the top of the work tree.
func TestLinksInside(t *testing.T) {
	repo := t.TempDir()
	files(t, repo, "shared/base.cue", good, "infra/dorgu.cue", "repo: url: \"https://example.com/x.git\"\n")
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(repo, "infra", "components"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../shared/base.cue", filepath.Join(repo, "infra", "components", "base.cue")); err != nil {
		t.Skip(err)
	}
	cfg, err := Load(Options{Dir: filepath.Join(repo, "infra")})
	if err != nil {
		t.Fatal(err)
	}
	if got := userFiles(t, filepath.Join(repo, "infra"), cfg); strings.Join(got, " ") != "dorgu.cue components/base.cue" {
		t.Errorf("files %v", got)
	}
}

// TestNamedOutside: a --config or --policy the user names outside the
// repository is read, as a repository of its own.
func TestNamedOutside(t *testing.T) {
	base := t.TempDir()
	files(t, base, "repo/README.md", "x", "platform/dorgu.cue", good, "platform/components/c.cue", "", "rules/p.rego", "package dorgu.policies.p\n")
	cfg, err := Load(Options{Dir: filepath.Join(base, "repo"), Path: "../platform/dorgu.cue", PolicyDirs: []string{filepath.Join(base, "rules")}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Origin != filepath.Join(base, "platform", "dorgu.cue") || len(userFiles(t, base, cfg)) != 2 {
		t.Errorf("origin %s, files %v", cfg.Origin, userFiles(t, base, cfg))
	}
	if last := cfg.Policies[len(cfg.Policies)-1]; last.Name != filepath.Join(base, "rules", "p.rego") {
		t.Errorf("last policy %s", last.Name)
	}
}

// TestReadLimits: every source counts against one run's bounds; the error
// names the limit and the file, as exit code 2.
func TestReadLimits(t *testing.T) {
	dir := t.TempDir()
	files(t, dir, "dorgu.cue", good, "components/a.cue", strings.Repeat("/", 100), "components/b.cue", strings.Repeat("/", 100))
	repo, err := repofs.Open(dir, repofs.Limits{FileBytes: 1000, TotalBytes: 150, Entries: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	_, err = Load(Options{Dir: dir, Repo: repo})
	ce := wantConfigError(t, err, "bytes read in total")
	if !strings.Contains(ce.Error(), filepath.Join("components", "b.cue")) {
		t.Errorf("the error does not name the file: %v", ce)
	}
	var le *repofs.LimitError
	if errors.As(err, &le) {
		t.Errorf("a LimitError, not a config.Error, reached the caller")
	}
}
