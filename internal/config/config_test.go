package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const good = "clusters: dev: environment: \"development\"\n"

// files creates files under dir from name/content pairs.
func files(t *testing.T, dir string, kv ...string) {
	t.Helper()
	for i := 0; i < len(kv); i += 2 {
		p := filepath.Join(dir, filepath.FromSlash(kv[i]))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(kv[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// userFiles lists the names of the user's sources, relative to dir.
func userFiles(t *testing.T, dir string, cfg *Config) []string {
	t.Helper()
	var out []string
	for _, s := range cfg.CUE {
		if IsEmbedded(s.Name) || s.Name == FlagsSource {
			continue
		}
		r, err := filepath.Rel(dir, s.Name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func wantConfigError(t *testing.T, err error, substr string) *Error {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %v, want *config.Error", err, err)
	}
	if !strings.Contains(ce.Error(), substr) {
		t.Fatalf("error %q, want it to contain %q", ce.Error(), substr)
	}
	return ce
}

func TestDiscovery(t *testing.T) {
	t.Run("dorgu.cue before dorgu/", func(t *testing.T) {
		dir := t.TempDir()
		files(t, dir, "dorgu.cue", good, "dorgu/a.cue", good)
		cfg, err := Load(Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if got := userFiles(t, dir, cfg); !slices.Equal(got, []string{"dorgu.cue"}) {
			t.Errorf("files = %v", got)
		}
		if cfg.Origin != "dorgu.cue" || cfg.Embedded {
			t.Errorf("origin %q, embedded %v", cfg.Origin, cfg.Embedded)
		}
	})
	t.Run("dorgu/ without dorgu.cue", func(t *testing.T) {
		dir := t.TempDir()
		files(t, dir, "dorgu/b.cue", good, "dorgu/a.cue", "", "dorgu/notes.txt", "x", "dorgu/sub/c.cue", "x")
		cfg, err := Load(Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		// Sorted, not descending into subdirectories, .cue only.
		if got := userFiles(t, dir, cfg); !slices.Equal(got, []string{"dorgu/a.cue", "dorgu/b.cue"}) {
			t.Errorf("files = %v", got)
		}
	})
	t.Run("nothing: the embedded default", func(t *testing.T) {
		dir := t.TempDir()
		files(t, dir, "other.cue", good)
		cfg, err := Load(Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if !cfg.Embedded || !slices.Equal(cfg.Clusters, []string{DefaultCluster}) {
			t.Errorf("embedded %v, clusters %v", cfg.Embedded, cfg.Clusters)
		}
		if got := userFiles(t, dir, cfg); len(got) != 0 {
			t.Errorf("user files %v", got)
		}
		last := cfg.CUE[len(cfg.CUE)-1]
		if last.Name != FlagsSource || !strings.Contains(string(last.Data), `environment: "development"`) {
			t.Errorf("generated source %s:\n%s", last.Name, last.Data)
		}
	})
	t.Run("embedded files come first, in order", func(t *testing.T) {
		cfg, err := Load(Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Policies) == 0 || !IsEmbedded(cfg.CUE[0].Name) || EmbeddedPath(cfg.CUE[0].Name) != "schema/argocd.cue" {
			t.Errorf("first source %q, %d policies", cfg.CUE[0].Name, len(cfg.Policies))
		}
	})
}

func TestConfigFlag(t *testing.T) {
	dir := t.TempDir()
	files(t, dir,
		"conf/main.cue", good,
		"conf/extra.cue", "",
		"conf/components/x.cue", "",
		"conf/components/nested/y.cue", "",
		"single/dorgu.cue", good,
		"single/other.cue", "",
		"single/components/z.cue", "",
		"dorgu.cue", good, // discovery must not apply when --config is given
	)
	for _, tc := range []struct {
		path string
		want []string
	}{
		// A directory: all its .cue files, then its components/.
		{"conf", []string{"conf/extra.cue", "conf/main.cue", "conf/components/x.cue"}},
		// A file: that file only, then the components/ next to it.
		{"single/dorgu.cue", []string{"single/dorgu.cue", "single/components/z.cue"}},
		{"conf/main.cue", []string{"conf/main.cue", "conf/components/x.cue"}},
		// An absolute path.
		{filepath.Join(dir, "single", "dorgu.cue"), []string{"single/dorgu.cue", "single/components/z.cue"}},
	} {
		cfg, err := Load(Options{Dir: dir, Path: tc.path})
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if got := userFiles(t, dir, cfg); !slices.Equal(got, tc.want) {
			t.Errorf("--config %s: files %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	files(t, dir,
		"empty/README.md", "x",
		"conf.yaml", good,
		"dorgu.cue", good,
	)
	if err := os.Mkdir(filepath.Join(dir, "nothing"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts Options
		path string // the *Error's Path, relative to dir
		msg  string
	}{
		{Options{Path: "nope.cue"}, "nope.cue", "--config: no such file or directory"},
		{Options{Path: "empty"}, "empty", "the config directory holds no .cue files"},
		{Options{Path: "nothing"}, "nothing", "the config directory holds no .cue files"},
		{Options{Path: "conf.yaml"}, "conf.yaml", "a config file must be a .cue file"},
		{Options{Environment: "staging"}, "", "--environment only applies to the embedded default stack; dorgu.cue declares its clusters"},
	} {
		tc.opts.Dir = dir
		_, err := Load(tc.opts)
		ce := wantConfigError(t, err, tc.msg)
		if ce.Path != tc.path {
			t.Errorf("%+v: path %q, want %q", tc.opts, ce.Path, tc.path)
		}
	}
}

func TestFileLimits(t *testing.T) {
	dir := t.TempDir()
	big := good + strings.Repeat("//"+strings.Repeat(" ", 125)+"\n", MaxFileSize/128)
	if len(big) <= MaxFileSize {
		big += strings.Repeat(" ", MaxFileSize-len(big)+1)
	}
	atLimit := big[:MaxFileSize]
	files(t, dir,
		"binary.cue", "clusters: dev: environment: \"development\"\n\n\x00\x01",
		"latin1.cue", "clusters: dev: {\n\tenvironment: \"development\"\n\tdomain: \"caf\xe9.io\"\n}\n",
		"truncated.cue", good+"// \xe2\x82",
		"big.cue", big,
		"limit.cue", atLimit,
		"bom.cue", "\xef\xbb\xbf"+good,
	)
	for _, tc := range []struct{ file, path, msg string }{
		{"binary.cue", "binary.cue:3", "the file is binary (it contains NUL bytes), not CUE"},
		{"latin1.cue", "latin1.cue:3", "the file is not valid UTF-8"},
		{"truncated.cue", "truncated.cue:2", "the file is not valid UTF-8"},
		{"big.cue", "big.cue", "config files are limited to 8388608 bytes"},
	} {
		_, err := Load(Options{Dir: dir, Path: tc.file})
		ce := wantConfigError(t, err, tc.msg)
		if ce.Path != tc.path {
			t.Errorf("%s: path %q, want %q", tc.file, ce.Path, tc.path)
		}
	}
	for _, f := range []string{"limit.cue", "bom.cue"} {
		if _, err := Load(Options{Dir: dir, Path: f}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// A bad file in components/ is found too, and named relative to dir.
	files(t, dir, "withcomp/dorgu.cue", good, "withcomp/components/x.cue", "a: 1\x00")
	_, err := Load(Options{Dir: dir, Path: "withcomp"})
	if ce := wantConfigError(t, err, "binary"); ce.Path != "withcomp/components/x.cue:1" {
		t.Errorf("path %q", ce.Path)
	}
}

func TestClusterNames(t *testing.T) {
	for _, name := range []string{"Dev", "dev_1", "-dev", "dev-", "", "../etc", "a/b", strings.Repeat("a", 64), "dév"} {
		_, err := Load(Options{Dir: t.TempDir(), Clusters: []string{name}})
		_ = wantConfigError(t, err, "a cluster name must be a DNS-1123 label")
	}
	for _, name := range []string{"dev", "prod-us-east-1", "0", strings.Repeat("a", 63)} {
		if !ValidName(name) {
			t.Errorf("ValidName(%q) = false", name)
		}
	}
	// Sorted and without duplicates.
	dir := t.TempDir()
	files(t, dir, "dorgu.cue", good)
	cfg, err := Load(Options{Dir: dir, Clusters: []string{"b", "a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Clusters, []string{"a", "b"}) {
		t.Errorf("clusters %v", cfg.Clusters)
	}
	// The embedded default has one cluster, named by --cluster.
	cfg, err = Load(Options{Dir: t.TempDir(), Clusters: []string{"prod"}, Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}
	src := string(cfg.CUE[len(cfg.CUE)-1].Data)
	if !strings.Contains(src, `clusters: "prod"`) || !strings.Contains(src, `environment: "production"`) {
		t.Errorf("generated source:\n%s", src)
	}
	_, err = Load(Options{Dir: t.TempDir(), Clusters: []string{"a", "b"}})
	_ = wantConfigError(t, err, "the embedded default stack has one cluster")
}

// A components/ or policies/ folder next to a config directory would be
// ignored, so it is an error naming it; beside the repository's top, where
// nothing may be read, and for a --policy folder, it is not.
func TestFoldersBesideConfigDirectory(t *testing.T) {
	t.Run("components beside", func(t *testing.T) {
		dir := t.TempDir()
		files(t, dir, "dorgu/a.cue", good, "components/x.cue", "package dorgu\n")
		_, err := Load(Options{Dir: dir})
		ce := wantConfigError(t, err, ConfigFoldersRule)
		if ce.Path != "components" {
			t.Errorf("path %q, want components", ce.Path)
		}
	})
	t.Run("policies named by --policy", func(t *testing.T) {
		dir := t.TempDir()
		files(t, dir, "dorgu/a.cue", good, "policies/p.rego", "package dorgu.policies.p\n")
		if _, err := Load(Options{Dir: dir, PolicyDirs: []string{"policies"}}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("config directory at the repository's top", func(t *testing.T) {
		outer := t.TempDir()
		files(t, outer, "components/x.cue", "package dorgu\n", "repo/a.cue", good, "repo/.git/HEAD", "ref: refs/heads/main\n")
		if _, err := Load(Options{Dir: filepath.Join(outer, "repo"), Path: "."}); err != nil {
			t.Fatal(err)
		}
	})
}
