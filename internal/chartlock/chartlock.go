// Package chartlock reads and writes dorgu.lock: the chart archives a
// config deploys, one entry per repository URL, chart and version, each
// with the sha256 of its archive. The lock is committed next to the config,
// so that every run, on every machine, uses the bytes someone reviewed; a
// chart whose bytes differ from the lock is an error, never an update.
package chartlock

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dorgu/dorgu-gen/internal/config"
	"github.com/dorgu/dorgu-gen/internal/safefile"
)

// FileName is the lock's name, next to the config.
const FileName = "dorgu.lock"

// MaxSize bounds a lock read: a lock names a few charts per component, so
// megabytes of it are a mistake or a planted file.
const MaxSize = 4 << 20

// version is the lock format; a change of meaning changes it.
const version = 1

// Entry is one locked chart archive.
type Entry struct {
	// RepoURL is the repository as the config names it (https:// or
	// oci://; an Application names an OCI registry without the scheme),
	// never a mirror's: the lock is the same for every network.
	RepoURL string `yaml:"repoURL" json:"repoURL"`
	Chart   string `yaml:"chart" json:"chart"`
	Version string `yaml:"version" json:"version"`
	// Digest is "sha256:" and the hex SHA-256 of the chart archive (.tgz).
	Digest string `yaml:"digest" json:"digest"`
}

// Compare orders entries by repository, chart and version: the order of
// the lock file.
func Compare(a, b Entry) int {
	return cmp.Or(strings.Compare(a.RepoURL, b.RepoURL), strings.Compare(a.Chart, b.Chart), strings.Compare(a.Version, b.Version))
}

// Same reports whether two entries lock the same chart version, whatever
// their digests.
func (e Entry) Same(o Entry) bool {
	return e.RepoURL == o.RepoURL && e.Chart == o.Chart && e.Version == o.Version
}

func (e Entry) String() string {
	return fmt.Sprintf("chart %s %s from %s", e.Chart, e.Version, Redact(e.RepoURL))
}

// Redact hides the password of a URL that carries one: messages end up in
// CI logs.
func Redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	return p.Redacted()
}

// Lock is a lock file's contents, sorted.
type Lock struct {
	Entries []Entry
}

// Find returns the entry of a chart version.
func (l *Lock) Find(repoURL, chart, version string) (Entry, bool) {
	if l == nil {
		return Entry{}, false
	}
	i, ok := slices.BinarySearchFunc(l.Entries, Entry{RepoURL: repoURL, Chart: chart, Version: version}, Compare)
	if !ok {
		return Entry{}, false
	}
	return l.Entries[i], true
}

// New returns a lock of entries, sorted. Entries locking the same chart
// version twice are an error: one of the digests would be wrong.
func New(entries []Entry) (*Lock, error) {
	l := &Lock{Entries: slices.Clone(entries)}
	slices.SortFunc(l.Entries, Compare)
	for i := 1; i < len(l.Entries); i++ {
		if l.Entries[i].Same(l.Entries[i-1]) {
			return nil, fmt.Errorf("%s is locked twice", l.Entries[i])
		}
	}
	return l, nil
}

// Path is where the lock of a config lives: next to it.
func Path(cfg *config.Config) string { return filepath.Join(cfg.Dir, FileName) }

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// ValidDigest reports whether d is a digest as the lock records them.
func ValidDigest(d string) bool { return digestRE.MatchString(d) }

// file is the lock's YAML form.
type file struct {
	Version int     `yaml:"version"`
	Charts  []Entry `yaml:"charts"`
}

// header starts every lock: it tells a reviewer what the file is.
const header = `# dorgu.lock: the chart archives this config deploys, each with the
# sha256 of its bytes. Written by ` + "`dorgu-gen charts pull`" + `; commit it.
# A chart whose bytes differ from its entry is an error: to accept a new
# archive, delete the entry and pull again.
`

// Marshal encodes the lock: sorted, one way only, so that the same charts
// give the same bytes.
func (l *Lock) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(header)
	fmt.Fprintf(&b, "version: %d\n", version)
	if len(l.Entries) == 0 {
		b.WriteString("charts: []\n")
		return b.Bytes()
	}
	b.WriteString("charts:\n")
	for _, e := range l.Entries {
		fmt.Fprintf(&b, "  - repoURL: %s\n    chart: %s\n    version: %s\n    digest: %s\n", scalar(e.RepoURL), scalar(e.Chart), scalar(e.Version), scalar(e.Digest))
	}
	return b.Bytes()
}

// scalar writes s as YAML would, quoted only when it must be: a version
// such as 1.0 or a name such as "yes" would otherwise read back as another
// type.
func scalar(s string) string {
	out, err := yaml.Marshal(s)
	plain := strings.TrimSuffix(string(out), "\n")
	if err != nil || strings.Contains(plain, "\n") {
		// A block scalar would not fit on the entry's line; Go's quoting
		// is a valid YAML double-quoted scalar.
		return strconv.Quote(s)
	}
	return plain
}

// Error is a lock file that cannot be used, at a line where there is one:
// a configuration error (exit 2).
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Read reads the lock at path. A missing lock is (nil, nil): no chart is
// locked yet.
func Read(path string) (*Lock, error) {
	data, err := safefile.ReadNoFollow(path, MaxSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Path: path, Msg: unwrap(err).Error()}
	}
	return Parse(path, data)
}

// Parse decodes a lock, naming the line of what is wrong with it. It
// accepts entries in any order (a merge may shuffle them) and returns them
// sorted.
func Parse(path string, data []byte) (*Lock, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlError(err)
		return nil, &Error{Path: path, Line: line, Msg: "not a lock file: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil, &Error{Path: path, Msg: "empty; delete it and run dorgu-gen charts pull"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &Error{Path: path, Line: root.Line, Msg: "not a lock file: expected version: and charts:"}
	}
	var f file
	var charts *yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return nil, &Error{Path: path, Line: k.Line, Msg: fmt.Sprintf("%s is set twice", k.Value)}
		}
		seen[k.Value] = true
		switch k.Value {
		case "version":
			if err := v.Decode(&f.Version); err != nil || f.Version != version {
				return nil, &Error{Path: path, Line: v.Line, Msg: fmt.Sprintf("lock format version %s; this dorgu-gen reads version %d", v.Value, version)}
			}
		case "charts":
			charts = v
		default:
			return nil, &Error{Path: path, Line: k.Line, Msg: fmt.Sprintf("unknown field %q (a lock has version and charts)", k.Value)}
		}
	}
	if f.Version == 0 {
		return nil, &Error{Path: path, Line: root.Line, Msg: "no version: field; not a dorgu.lock"}
	}
	if charts == nil {
		return &Lock{}, nil
	}
	if charts.Kind != yaml.SequenceNode {
		return nil, &Error{Path: path, Line: charts.Line, Msg: "charts: expected a list"}
	}
	lines := map[Entry]int{}
	entries := make([]Entry, 0, len(charts.Content))
	for _, n := range charts.Content {
		e, line, err := entry(n)
		if err != nil {
			return nil, &Error{Path: path, Line: line, Msg: err.Error()}
		}
		key := Entry{RepoURL: e.RepoURL, Chart: e.Chart, Version: e.Version}
		if first, dup := lines[key]; dup {
			return nil, &Error{Path: path, Line: n.Line, Msg: fmt.Sprintf("%s is already locked at line %d", e, first)}
		}
		lines[key] = n.Line
		entries = append(entries, e)
	}
	slices.SortFunc(entries, Compare)
	return &Lock{Entries: entries}, nil
}

// entry decodes and checks one entry: every field set, nothing else. An
// error comes with the line of the offending field, else of the entry.
func entry(n *yaml.Node) (Entry, int, error) {
	if n.Kind != yaml.MappingNode {
		return Entry{}, n.Line, errors.New("a chart entry is a mapping of repoURL, chart, version and digest")
	}
	var e Entry
	fields := map[string]*string{"repoURL": &e.RepoURL, "chart": &e.Chart, "version": &e.Version, "digest": &e.Digest}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p, ok := fields[k.Value]
		if !ok {
			if _, dup := lines[k.Value]; dup {
				return Entry{}, k.Line, fmt.Errorf("%s is set twice", k.Value)
			}
			return Entry{}, k.Line, fmt.Errorf("unknown field %q in a chart entry (repoURL, chart, version, digest)", k.Value)
		}
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return Entry{}, v.Line, fmt.Errorf("%s: expected a string", k.Value)
		}
		if v.Value == "" {
			return Entry{}, v.Line, fmt.Errorf("%s: empty", k.Value)
		}
		*p = v.Value
		lines[k.Value] = k.Line
		delete(fields, k.Value)
	}
	for _, k := range []string{"repoURL", "chart", "version", "digest"} {
		if _, missing := fields[k]; missing {
			return Entry{}, n.Line, fmt.Errorf("a chart entry without %s", k)
		}
	}
	if !ValidDigest(e.Digest) {
		return Entry{}, lines["digest"], fmt.Errorf("digest %q: expected sha256: and 64 lowercase hex digits", e.Digest)
	}
	return e, n.Line, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlError splits the YAML parser's "yaml: line N: msg" into N and msg.
func yamlError(err error) (int, string) {
	msg := err.Error()
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, strings.TrimPrefix(msg, "yaml: ")
	}
	n, _ := strconv.Atoi(m[1])
	return n, msg[len(m[0]):]
}

// Write writes l to path unless the file already holds exactly its bytes,
// and reports whether it wrote. The new file replaces the old one by a
// rename, so a reader or a crash sees the old lock or the new one, never
// a part.
func Write(path string, l *Lock) (bool, error) {
	data := l.Marshal()
	old, err := safefile.ReadNoFollow(path, MaxSize)
	if err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		var big *safefile.TooBigError
		if !errors.As(err, &big) {
			return false, &Error{Path: path, Msg: unwrap(err).Error()}
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, &Error{Path: path, Msg: unwrap(err).Error()}
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr, os.Chmod(tmp.Name(), 0o644)); err != nil {
		os.Remove(tmp.Name())
		return false, &Error{Path: path, Msg: unwrap(err).Error()}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return false, &Error{Path: path, Msg: unwrap(err).Error()}
	}
	return true, nil
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
