// Package config finds and reads the sources of a stack: the embedded
// schema, components and policies, and a user's config on top of them. It
// reads bytes and decides nothing about their meaning; evaluating them is
// the job of package stack.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	dorgugen "github.com/dorgu/dorgu-gen"
)

// MaxFileSize bounds every config file read. A CUE config of this size is
// already far beyond a thousand clusters; anything larger is a mistake (a
// binary, a log) that would otherwise be parsed at length.
const MaxFileSize = 8 << 20

// DefaultCluster and DefaultEnvironment name the single cluster rendered
// from the embedded default when no config exists.
const (
	DefaultCluster     = "dev"
	DefaultEnvironment = "development"
)

// EmbeddedPrefix marks positions in embedded files so that error messages
// say where a definition came from without pointing at a file on disk.
const EmbeddedPrefix = "dorgu-gen:"

// Options says where to look for sources. The zero value discovers a config
// in the working directory and falls back to the embedded default.
type Options struct {
	// Dir is the working directory; relative paths are taken from it.
	Dir string
	// Path is --config: a .cue file or a directory. Empty means discover.
	Path string
	// Clusters is --cluster (repeatable).
	Clusters []string
	// Environment is --environment; it only applies to the embedded default.
	Environment string
	// RepoURL and Revision are --repo-url and --revision.
	RepoURL  string
	Revision string
	// PolicyDirs are --policy: folders of .rego files that join the
	// embedded policies and the config's own policies/ folder.
	PolicyDirs []string
}

// Source is one file of the stack.
type Source struct {
	// Name is what positions print: an absolute path for a file on disk
	// (printed relative to the working directory), or EmbeddedPrefix plus
	// the path inside the binary.
	Name string
	Data []byte
}

// Config is everything read for one run.
type Config struct {
	// CUE holds the schema, the components and the user's files, in a
	// fixed order: embedded first, then the user's, each sorted by name.
	CUE []Source
	// Policies holds the Rego modules, policy and test files alike.
	Policies []Source
	// Ejected is true when the config carries its own schema, components
	// and policies instead of the embedded ones.
	Ejected bool
	// Origin says in words where the config came from, for messages.
	Origin string
	// Embedded is true when no user config was found.
	Embedded bool
	// Clusters restricts rendering to these clusters; empty means all.
	Clusters []string
	RepoURL  string
	Revision string
}

// Error is a problem with the sources or the options: exit code 2.
type Error struct {
	Path string // file the problem is in, if any
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// ValidName reports whether s is a DNS-1123 label, the form every cluster
// and component name must have.
func ValidName(s string) bool { return len(s) <= 63 && dnsLabel.MatchString(s) }

// Load reads the sources that opts point at.
func Load(opts Options) (*Config, error) {
	dir := opts.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, &Error{Msg: fmt.Sprintf("cannot determine the working directory: %v", err)}
		}
		dir = wd
	}
	for _, c := range opts.Clusters {
		if !ValidName(c) {
			return nil, &Error{Msg: fmt.Sprintf("--cluster %q: a cluster name must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)", c)}
		}
	}
	cfg := &Config{
		Clusters: slices.Compact(slices.Sorted(slices.Values(opts.Clusters))),
		RepoURL:  opts.RepoURL,
		Revision: opts.Revision,
	}
	root, err := locate(dir, opts.Path)
	if err != nil {
		return nil, err
	}
	// An ejected config (dorgu-gen init --eject) carries its own copy of
	// the schema, components and policies, which replaces the embedded one.
	if root == "" || !Ejected(configDir(root)) {
		if err := cfg.readEmbedded(); err != nil {
			return nil, err
		}
	} else {
		cfg.Ejected = true
	}
	for _, d := range opts.PolicyDirs {
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		if err := cfg.readPolicies(d, true); err != nil {
			return nil, relError(dir, err)
		}
	}
	// OPA prints file names as it is given them: relative ones read best.
	for i, p := range cfg.Policies {
		if filepath.IsAbs(p.Name) {
			cfg.Policies[i].Name = rel(dir, p.Name)
		}
	}
	if root == "" {
		return cfg, cfg.defaultCluster(opts)
	}
	if opts.Environment != "" {
		return nil, &Error{Msg: fmt.Sprintf("--environment only applies to the embedded default stack; %s declares its clusters, so set clusters.<name>.environment there", rel(dir, root))}
	}
	cfg.Origin = rel(dir, root)
	n := len(cfg.Policies)
	if err := cfg.readUser(root); err != nil {
		return nil, relError(dir, err)
	}
	for i := n; i < len(cfg.Policies); i++ {
		cfg.Policies[i].Name = rel(dir, cfg.Policies[i].Name)
	}
	return cfg, nil
}

// relError names files as the user wrote them: relative to the working
// directory, as CUE's positions are printed.
func relError(dir string, err error) error {
	var ce *Error
	if errors.As(err, &ce) && filepath.IsAbs(ce.Path) {
		ce.Path = rel(dir, ce.Path)
	}
	return err
}

// configDir is the folder a config lives in: the --config directory, or
// the folder of a config file.
func configDir(root string) string {
	if info, err := os.Stat(root); err == nil && !info.IsDir() {
		return filepath.Dir(root)
	}
	return root
}

// Ejected reports whether a config folder holds an ejected copy of the
// schema (dorgu-gen init --eject).
func Ejected(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "schema", "*.cue"))
	return len(m) > 0
}

// readPolicies reads the .rego files of dir; a missing folder is an error
// only when the user named it (--policy).
func (c *Config) readPolicies(dir string, named bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !named {
			return nil
		}
		return &Error{Path: dir, Msg: unwrapPathError(err).Error()}
	}
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".rego") || e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		data, err := readFile(p)
		if err != nil {
			return err
		}
		c.Policies = append(c.Policies, Source{Name: p, Data: data})
		n++
	}
	if n == 0 && named {
		return &Error{Path: dir, Msg: "--policy: the folder holds no .rego files"}
	}
	return nil
}

// locate resolves --config, or discovers dorgu.cue or dorgu/ in dir. It
// returns "" when there is no user config.
func locate(dir, p string) (string, error) {
	if p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if _, err := os.Stat(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", &Error{Path: rel(dir, p), Msg: "--config: no such file or directory"}
			}
			return "", &Error{Path: rel(dir, p), Msg: fmt.Sprintf("--config: %v", unwrapPathError(err))}
		}
		return p, nil
	}
	for _, name := range []string{"dorgu.cue", "dorgu"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", nil
}

func (c *Config) readEmbedded() error {
	fsys := dorgugen.Defaults()
	for _, pattern := range []string{"schema/*.cue", "components/*.cue"} {
		names, _ := fs.Glob(fsys, pattern)
		for _, n := range names {
			data, err := fs.ReadFile(fsys, n)
			if err != nil {
				return err
			}
			c.CUE = append(c.CUE, Source{Name: EmbeddedPrefix + n, Data: data})
		}
	}
	names, _ := fs.Glob(fsys, "policies/*.rego")
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return err
		}
		c.Policies = append(c.Policies, Source{Name: EmbeddedPrefix + n, Data: data})
	}
	return nil
}

// readUser reads a config file, or the .cue files of a config directory,
// plus the .cue files of the components/ folder next to them.
func (c *Config) readUser(root string) error {
	info, err := os.Stat(root)
	if err != nil {
		return &Error{Path: root, Msg: unwrapPathError(err).Error()}
	}
	var files []string
	dir := root
	if info.IsDir() {
		files, err = cueFiles(root)
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return &Error{Path: root, Msg: "the config directory holds no .cue files"}
		}
	} else {
		if filepath.Ext(root) != ".cue" {
			return &Error{Path: root, Msg: "a config file must be a .cue file"}
		}
		files = []string{root}
		dir = filepath.Dir(root)
	}
	folders := []string{"components"}
	if c.Ejected {
		folders = []string{"schema", "components"}
	}
	for _, f := range folders {
		more, err := cueFiles(filepath.Join(dir, f))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		files = append(files, more...)
	}
	if err := c.readPolicies(filepath.Join(dir, "policies"), false); err != nil {
		return err
	}
	for _, f := range files {
		data, err := readFile(f)
		if err != nil {
			return err
		}
		c.CUE = append(c.CUE, Source{Name: f, Data: data})
	}
	return nil
}

// cueFiles lists the .cue files of dir, sorted, not descending into
// subdirectories: a config folder may hold the scaffold or anything else.
func cueFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, &Error{Path: dir, Msg: unwrapPathError(err).Error()}
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0 {
			if strings.HasSuffix(e.Name(), ".cue") {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	return out, nil
}

func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, &Error{Path: name, Msg: unwrapPathError(err).Error()}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &Error{Path: name, Msg: unwrapPathError(err).Error()}
	}
	if info.IsDir() {
		return nil, &Error{Path: name, Msg: "is a directory, not a .cue file"}
	}
	if info.Size() > MaxFileSize {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("the file is %d bytes; config files are limited to %d bytes", info.Size(), MaxFileSize)}
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, &Error{Path: name, Msg: unwrapPathError(err).Error()}
	}
	data := buf.Bytes()
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line := 1 + bytes.Count(data[:i], []byte("\n"))
		return nil, &Error{Path: fmt.Sprintf("%s:%d", name, line), Msg: "the file is binary (it contains NUL bytes), not CUE"}
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		return nil, &Error{Path: fmt.Sprintf("%s:%d", name, line), Msg: "the file is not valid UTF-8; CUE sources must be UTF-8"}
	}
	return data, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// defaultCluster adds the one cluster that the embedded default renders:
// every blessed component enabled, as the layout of a GitOps scaffold lists
// them.
func (c *Config) defaultCluster(opts Options) error {
	c.Embedded = true
	c.Origin = "the embedded default stack"
	name := DefaultCluster
	switch len(c.Clusters) {
	case 0:
		c.Clusters = []string{name}
	case 1:
		name = c.Clusters[0]
	default:
		return &Error{Msg: "the embedded default stack has one cluster: pass --cluster once, or write a config (dorgu.cue) that declares several"}
	}
	env := opts.Environment
	if env == "" {
		env = DefaultEnvironment
	}
	src := fmt.Sprintf("package dorgu\n\nlet blessed = components\n\nclusters: %q: {\n\tenvironment: %q\n\tcomponents: {for n, _ in blessed {(n): enabled: true}}\n}\n", name, env)
	c.CUE = append(c.CUE, Source{Name: FlagsSource, Data: []byte(src)})
	return nil
}

// FlagsSource names the CUE that --cluster and --environment generate.
const FlagsSource = "(--cluster/--environment)"

func rel(dir, p string) string {
	if r, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// unwrapPathError drops the operation and path that *fs.PathError repeats,
// since every message here already names the path.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// IsEmbedded reports whether a position's file name is an embedded file.
func IsEmbedded(name string) bool { return strings.HasPrefix(name, EmbeddedPrefix) }

// EmbeddedPath returns the path inside the binary of an embedded file name.
func EmbeddedPath(name string) string { return path.Clean(strings.TrimPrefix(name, EmbeddedPrefix)) }
