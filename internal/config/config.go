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
	"github.com/dorgu/dorgu-gen/internal/repofs"
	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// MaxFileSize bounds every config file read. A CUE config of this size is
// already far beyond a thousand clusters; anything larger is a mistake (a
// binary, a log) that would otherwise be parsed at length.
const MaxFileSize = repofs.DefaultFileBytes

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
	// Embedded is --config embedded: the embedded default stack, asked
	// for by name. A config found where discovery looks is then an error:
	// it would be silently ignored.
	Embedded bool
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
	// Repo is the repository the sources are read from, and the bounds of
	// the run's reads; nil opens the one Dir belongs to, with the default
	// bounds.
	Repo *repofs.Repo `json:"-"`
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
	// WorkDir is the working directory: messages name files relative to
	// it.
	WorkDir string
	// Embedded is true when no user config was found.
	Embedded bool
	// Dir is the folder the config lives in (the --config directory, or
	// the folder of the config file), or the working directory for the
	// embedded default: where files that belong with the config, such as
	// dorgu.lock, are kept.
	Dir string
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

// Load reads the sources that opts point at. Every file is read from the
// repository that opts.Dir belongs to (see package repofs): a symbolic
// link that leads out of it is an error naming the link, never a read.
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
	repo := opts.Repo
	if repo == nil {
		r, err := repofs.Open(dir, repofs.Default)
		if err != nil {
			return nil, &Error{Msg: err.Error()}
		}
		defer r.Close()
		repo = r
	}
	cfg := &Config{
		Dir:      dir,
		WorkDir:  dir,
		Clusters: slices.Compact(slices.Sorted(slices.Values(opts.Clusters))),
		RepoURL:  opts.RepoURL,
		Revision: opts.Revision,
	}
	root, err := locate(repo, opts.Path)
	if err != nil {
		return nil, relError(dir, err)
	}
	if opts.Embedded && root != nil {
		r := rel(dir, root.Abs())
		return nil, &Error{Msg: fmt.Sprintf("--config embedded: %s is a config here, and it would be ignored; use --config %s, or leave out --config", r, r)}
	}
	// An ejected config (dorgu-gen init --eject) carries its own copy of
	// the schema, components and policies, which replaces the embedded one.
	if root == nil || !ejected(root.folder()) {
		if err := cfg.readEmbedded(); err != nil {
			return nil, err
		}
	} else {
		cfg.Ejected = true
	}
	var named []string // the --policy folders, which are read wherever they are
	for _, d := range opts.PolicyDirs {
		pd, err := repo.Path(d)
		if err != nil {
			return nil, &Error{Path: d, Msg: unwrapPathError(err).Error()}
		}
		named = append(named, pd.Abs())
		if err := cfg.readPolicies(pd, true); err != nil {
			return nil, relError(dir, err)
		}
	}
	// OPA prints file names as it is given them: relative ones read best.
	for i, p := range cfg.Policies {
		if filepath.IsAbs(p.Name) {
			cfg.Policies[i].Name = rel(dir, p.Name)
		}
	}
	if root == nil {
		return cfg, cfg.defaultCluster(opts)
	}
	if opts.Environment != "" {
		return nil, &Error{Msg: fmt.Sprintf("--environment only applies to the embedded default stack; %s declares its clusters, so set clusters.<name>.environment there", rel(dir, root.Abs()))}
	}
	cfg.Origin = rel(dir, root.Abs())
	cfg.Dir = root.folder().Abs()
	if root.isDir {
		if err := checkBeside(root.Dir, cfg.Ejected, named); err != nil {
			return nil, relError(dir, err)
		}
	}
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

// location is a config: a .cue file or a folder of them.
type location struct {
	*repofs.Dir
	isDir bool
}

// folder is the folder a config lives in: the --config directory, or the
// folder of a config file.
func (l *location) folder() *repofs.Dir {
	if l.isDir {
		return l.Dir
	}
	return l.Join("..")
}

// ejected reports whether a config folder holds an ejected copy of the
// schema (dorgu-gen init --eject).
func ejected(dir *repofs.Dir) bool {
	files, err := cueFiles(dir.Join("schema"))
	return err == nil && len(files) > 0
}

// readPolicies reads the .rego files of dir; a missing folder is an error
// only when the user named it (--policy).
func (c *Config) readPolicies(dir *repofs.Dir, named bool) error {
	entries, err := dir.ReadDir()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !named {
			return nil
		}
		return sourceError(dir, err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".rego") || e.IsDir() {
			continue
		}
		p := dir.Join(e.Name())
		data, err := readFile(p)
		if err != nil {
			return err
		}
		c.Policies = append(c.Policies, Source{Name: p.Abs(), Data: data})
		n++
	}
	if n == 0 && named {
		return &Error{Path: dir.String(), Msg: "--policy: the folder holds no .rego files"}
	}
	return nil
}

// locate resolves --config, or discovers dorgu.cue or dorgu/ in the
// working directory. It returns nil when there is no user config.
func locate(repo *repofs.Repo, p string) (*location, error) {
	if p != "" {
		d, err := repo.Path(p)
		if err != nil {
			return nil, &Error{Path: p, Msg: fmt.Sprintf("--config: %v", unwrapPathError(err))}
		}
		info, err := d.Stat()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, &Error{Path: p, Msg: "--config: no such file or directory"}
			}
			var ee *repofs.EscapeError
			if errors.As(err, &ee) {
				return nil, &Error{Path: ee.Path, Msg: "--config: " + repofs.EscapeMessage}
			}
			return nil, &Error{Path: p, Msg: fmt.Sprintf("--config: %v", unwrapPathError(err))}
		}
		return &location{Dir: d, isDir: info.IsDir()}, nil
	}
	for _, name := range []string{"dorgu.cue", "dorgu"} {
		d, err := repo.Path(name)
		if err != nil {
			return nil, &Error{Path: name, Msg: unwrapPathError(err).Error()}
		}
		info, err := d.Stat()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			// A planted link out of the repository is not a config to
			// fall back from: it is an error naming the link.
			return nil, sourceError(d, err)
		}
		return &location{Dir: d, isDir: info.IsDir()}, nil
	}
	return nil, nil
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
func (c *Config) readUser(root *location) error {
	var files []*repofs.Dir
	if root.isDir {
		var err error
		files, err = cueFiles(root.Dir)
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return &Error{Path: root.String(), Msg: "the config directory holds no .cue files"}
		}
	} else {
		if filepath.Ext(root.String()) != ".cue" {
			return &Error{Path: root.String(), Msg: "a config file must be a .cue file"}
		}
		files = []*repofs.Dir{root.Dir}
	}
	dir := root.folder()
	folders := []string{"components"}
	if c.Ejected {
		folders = []string{"schema", "components"}
	}
	for _, f := range folders {
		more, err := cueFiles(dir.Join(f))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		files = append(files, more...)
	}
	if err := c.readPolicies(dir.Join("policies"), false); err != nil {
		return err
	}
	for _, f := range files {
		data, err := readFile(f)
		if err != nil {
			return err
		}
		c.CUE = append(c.CUE, Source{Name: f.Abs(), Data: data})
	}
	return nil
}

// ConfigFoldersRule is the one rule for where a config's own folders
// are, as messages and the README state it.
const ConfigFoldersRule = "components/, policies/ and an ejected schema/ belong in the config's folder: the folder of a config file, or the config directory itself"

// checkBeside reports a components/, policies/ or schema/ folder next to
// a config directory, where a config file's would be: dorgu-gen reads
// the config directory's own, so that folder would be silently ignored.
// A folder holds what it is named for only with .cue files (.rego for
// policies): a components/ folder of another project is no mistake. A
// --policy folder is read wherever it is. The config directory's parent
// is looked at only inside the repository; outside it, nothing is read.
func checkBeside(cfgDir *repofs.Dir, ejected bool, named []string) error {
	parent := cfgDir.Join("..")
	for _, f := range []struct{ name, ext string }{{"components", ".cue"}, {"policies", ".rego"}, {"schema", ".cue"}} {
		d := parent.Join(f.name)
		if slices.Contains(named, d.Abs()) {
			continue
		}
		entries, err := d.ReadDir()
		if err != nil {
			continue // absent, not a folder, or outside the repository
		}
		if !slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return !e.IsDir() && strings.HasSuffix(e.Name(), f.ext) }) {
			continue
		}
		inside := cfgDir.Join(f.name).String()
		msg := fmt.Sprintf("this %s folder is next to the config directory %s, where dorgu-gen does not read it: %s; move its files to %s", f.name, cfgDir.String(), ConfigFoldersRule, inside)
		if f.name == "schema" && !ejected {
			msg = fmt.Sprintf("this schema folder is next to the config directory %s, where dorgu-gen does not read it: %s; move it to %s to use it instead of the embedded schema", cfgDir.String(), ConfigFoldersRule, inside)
		}
		return &Error{Path: d.String(), Msg: msg}
	}
	return nil
}

// cueFiles lists the .cue files of dir, sorted, not descending into
// subdirectories: a config folder may hold the scaffold or anything else.
func cueFiles(dir *repofs.Dir) ([]*repofs.Dir, error) {
	entries, err := dir.ReadDir()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, sourceError(dir, err)
	}
	var out []*repofs.Dir
	for _, e := range entries {
		if e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0 {
			if strings.HasSuffix(e.Name(), ".cue") {
				out = append(out, dir.Join(e.Name()))
			}
		}
	}
	return out, nil
}

// sourceError turns an error reading a source into a configuration error
// naming the file: the link that leads out of the repository, the limit
// that was hit.
func sourceError(d *repofs.Dir, err error) error {
	var ee *repofs.EscapeError
	if errors.As(err, &ee) {
		return &Error{Path: ee.Path, Msg: repofs.EscapeMessage}
	}
	var le *repofs.LimitError
	if errors.As(err, &le) {
		if le.Limit == repofs.LimitFileBytes {
			return &Error{Path: le.Path, Msg: fmt.Sprintf("the file is %d bytes; config files are limited to %d bytes", le.Size, le.Max)}
		}
		return &Error{Msg: le.Error()}
	}
	if errors.Is(err, safefile.ErrNotRegular) {
		return &Error{Path: d.String(), Msg: "is not a regular file (a directory, FIFO, device or socket); config files are regular files"}
	}
	return &Error{Path: d.String(), Msg: unwrapPathError(err).Error()}
}

func readFile(f *repofs.Dir) ([]byte, error) {
	name := f.String()
	info, err := f.Stat()
	if err != nil {
		return nil, sourceError(f, err)
	}
	if info.IsDir() {
		return nil, &Error{Path: name, Msg: "is a directory, not a .cue file"}
	}
	data, err := f.ReadFile()
	if err != nil {
		return nil, sourceError(f, err)
	}
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

// defaultCluster adds the one cluster that the embedded default renders,
// with the blessed components enabled by default: the six the layout of a
// GitOps scaffold lists.
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
	// The cluster's domain is a placeholder (<name>.example.com) and it has
	// no acmeEmail, which Let's Encrypt requires: it uses the self-signed
	// issuer in every environment, the only one that can issue for it. It
	// gets the blessed components enabled by default: an opt-in one
	// (envoy-gateway) is left for a config to choose.
	src := fmt.Sprintf("package dorgu\n\nclusters: %q: {\n\tenvironment: %q\n\tsettings: issuer: \"selfsigned\"\n}\n", name, env)
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
