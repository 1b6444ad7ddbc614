// Package ondisk reads a scaffold back from disk, the way ArgoCD and a
// reviewer see it: every YAML file of the layout, what each one is for
// (inferred from its path and labels), its content for the policies, and
// the position of every field so that a finding can name a line.
package ondisk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"

	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/policy"
	"github.com/dorgu/dorgu-gen/internal/repofs"
	"github.com/dorgu/dorgu-gen/internal/safefile"
	"github.com/dorgu/dorgu-gen/internal/scaffold"
)

// RuleYAML is the rule id of a scaffold file that cannot be read as
// ArgoCD and Helm read it: it does not parse, it is a symbolic link out of
// the repository or not a regular file, or YAML readers disagree on it.
const RuleYAML = "yaml"

// Other is the kind of a YAML file under argocd/ that is not an
// Application (an AppProject, a user's own manifest): read, not checked.
const Other scaffold.Kind = "other"

// File is one scaffold file read from disk.
type File struct {
	// Path is slash-separated and relative to the scaffold directory, as
	// the planned files' paths are.
	Path        string
	Kind        scaffold.Kind
	Cluster     string
	Component   string
	Environment string
	// Content is nil when the file could not be read (Unread).
	Content []byte
	// Doc is the first YAML document as the policies see it (JSON types);
	// nil when the file is empty or does not parse.
	Doc any
	// Node is the first YAML document's node, for positions.
	Node *yaml.Node
	// Problems are the file's YAML problems: a parse error with its line,
	// or several documents in one file.
	Problems []finding.Finding
	// Unread is set when the file was not read: a symbolic link out of
	// the repository, or not a regular file. Problems say which.
	Unread bool

	parsed bool
}

// Scaffold is the scaffold in one directory, files sorted by path.
type Scaffold struct {
	Dir   string
	Files []File

	// top is the scaffold directory, inside the repository.
	top *repofs.Dir
	// problems are about folders of the layout that were not read (a
	// link out of the repository): no file stands for them.
	problems []finding.Finding
	// unread are those folders, so that drift does not call their files
	// missing.
	unread []string

	classified bool
}

// Error is a scaffold that cannot be read at all.
type Error struct {
	Msg string
	// NoDir is set when there is no scaffold directory.
	NoDir bool
}

func (e *Error) Error() string { return e.Msg }

// Read reads every YAML file of the scaffold layout under dir and parses
// it. Other files (a README, CI config, a user's notes) are not its
// business. An error means dir is not a readable directory. dir is its own
// repository: see ReadRepo.
func Read(dir string) (*Scaffold, error) {
	return ReadRepo(nil, dir)
}

// ReadRepo is Read of the scaffold dir (absolute, or relative to the
// working directory) inside repo; nil takes dir as a repository of its
// own.
func ReadRepo(repo *repofs.Repo, dir string) (*Scaffold, error) {
	s, err := ScanRepo(repo, dir)
	if err != nil {
		return nil, err
	}
	s.Classify()
	return s, nil
}

// Classify parses every file of a scanned scaffold and sets what its
// content says: kinds, clusters, environments. Files parse independently,
// so they parse concurrently. Documents, Problems and Filter classify
// first, so a scanned scaffold cannot hand the policies empty documents.
func (s *Scaffold) Classify() {
	if s.classified {
		return
	}
	s.classified = true
	parallel(len(s.Files), func(i int) { s.Files[i].classify() })
	s.inferEnvironments()
}

// Scan reads the files Read reads, without parsing them: each has its
// path, the kind, cluster and component its path gives, and its bytes.
// That is all a comparison with a rendered tree needs; Locate parses the
// files it places findings in.
func Scan(dir string) (*Scaffold, error) {
	return ScanRepo(nil, dir)
}

// ScanRepo is Scan of the scaffold dir inside repo; nil takes dir as a
// repository of its own. Every read goes through repo: bounded, regular
// files only, nothing outside the repository. A link out of it, or a file
// that is not a regular one, is a problem of the scaffold naming it; a
// limit of repo that is hit is an *Error.
func ScanRepo(repo *repofs.Repo, dir string) (*Scaffold, error) {
	name := dir
	if repo == nil {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, &Error{Msg: fmt.Sprintf("%s: %v", dir, err)}
		}
		// A dir that is missing or not a folder is reported below, as
		// inside a repository.
		at := abs
		if info, err := os.Stat(abs); err != nil || !info.IsDir() {
			at = filepath.Dir(abs)
		}
		r, err := repofs.Open(at, repofs.Default)
		if err != nil {
			return nil, &Error{Msg: err.Error()}
		}
		repo, name = r, abs
	}
	top, err := repo.Path(name)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("%s: %v", dir, unwrap(err))}
	}
	info, err := top.Stat()
	var ee *repofs.EscapeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &Error{Msg: fmt.Sprintf("%s: no such directory: there is no scaffold to check (render one with dorgu-gen render --out %s, or point --out at it)", dir, dir), NoDir: true}
	case errors.As(err, &ee):
		return nil, &Error{Msg: ee.Error()}
	case err != nil:
		return nil, &Error{Msg: fmt.Sprintf("%s: %v", dir, unwrap(err))}
	case !info.IsDir():
		return nil, &Error{Msg: fmt.Sprintf("%s: not a directory; --out names the scaffold's directory", dir), NoDir: true}
	}
	s := &Scaffold{Dir: dir, top: top}
	if err := s.scan(); err != nil {
		return nil, err
	}
	slices.SortFunc(s.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return s, nil
}

// The folders of the layout and the files read in each, as ArgoCD and
// Helm read them (see README, "Checking pull requests").
var (
	rootAppFiles = []string{".yaml", ".yml"}
	appFiles     = []string{".yaml", ".yml"}
	valuesFiles  = []string{".yaml", ".yml"}
)

// scan walks the layout: argocd/, clusters/<cluster>/apps/ and
// clusters/<cluster>/values/, one level each, as the globs
// argocd/*.yaml, clusters/*/apps/*.yaml, clusters/*/values/*.yaml did.
func (s *Scaffold) scan() error {
	if err := s.folder("argocd", rootAppFiles); err != nil {
		return err
	}
	clusters, err := s.list("clusters")
	if err != nil || clusters == nil {
		return err
	}
	for _, e := range clusters {
		c := "clusters/" + e.Name()
		if ok, err := s.isDir(c, e); err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		if err := s.folder(c+"/apps", appFiles); err != nil {
			return err
		}
		if err := s.folder(c+"/values", valuesFiles); err != nil {
			return err
		}
	}
	return nil
}

// list lists a folder of the layout; nil when it does not exist or is not
// to be read (a link out of the repository, recorded as a problem).
func (s *Scaffold) list(rel string) ([]fs.DirEntry, error) {
	d := s.top.Join(rel)
	info, err := d.Stat()
	if err == nil && !info.IsDir() {
		return nil, nil
	}
	if err == nil {
		var entries []fs.DirEntry
		if entries, err = d.ReadDir(); err == nil {
			return entries, nil
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var ee *repofs.EscapeError
	if errors.As(err, &ee) {
		s.folderProblem(rel)
		return nil, nil
	}
	return nil, readError(err)
}

// isDir reports whether the entry rel is a folder to descend into,
// recording a link out of the repository as a problem.
func (s *Scaffold) isDir(rel string, e fs.DirEntry) (bool, error) {
	if e.IsDir() {
		return true, nil
	}
	if e.Type()&fs.ModeSymlink == 0 {
		return false, nil
	}
	info, err := s.top.Join(rel).Stat()
	var ee *repofs.EscapeError
	switch {
	case errors.As(err, &ee):
		s.folderProblem(rel)
		return false, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, readError(err)
	}
	return info.IsDir(), nil
}

func (s *Scaffold) folderProblem(rel string) {
	s.unread = append(s.unread, rel)
	p := problem(rel, 0, 0, "the folder "+repofs.EscapeMessage+"; the files under it are not checked")
	p.Cluster = clusterOf(rel)
	p.Hint = linkHint
	s.problems = append(s.problems, p)
}

// linkHint is what to do about a link out of the repository.
const linkHint = "replace the link with the file or folder itself, or with a relative link to one inside the repository"

// folder reads the files of one folder of the layout with the given
// extensions.
func (s *Scaffold) folder(rel string, exts []string) error {
	entries, err := s.list(rel)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !slices.Contains(exts, path.Ext(e.Name())) {
			continue
		}
		if err := s.file(rel+"/"+e.Name(), e); err != nil {
			return err
		}
	}
	return nil
}

// file reads one file of the layout. A folder with a file's name is not a
// file; anything else that cannot be read as a regular file inside the
// repository is a file with a problem.
func (s *Scaffold) file(rel string, e fs.DirEntry) error {
	if e.IsDir() {
		return nil
	}
	f := fileAt(rel)
	d := s.top.Join(rel)
	unread := func(msg, hint string) error {
		p := problem(rel, 0, 0, msg)
		p.Hint = hint
		f.Problems, f.Unread = append(f.Problems, p), true
		s.Files = append(s.Files, f)
		return nil
	}
	info, err := d.Stat()
	var ee *repofs.EscapeError
	switch {
	case errors.As(err, &ee):
		return unread("the file "+repofs.EscapeMessage, linkHint)
	case errors.Is(err, fs.ErrNotExist):
		return unread("the file is a symbolic link to nothing", linkHint)
	case err != nil:
		return readError(err)
	case info.IsDir():
		return nil
	case !info.Mode().IsRegular():
		return unread("the file is not a regular file (a FIFO, device or socket); dorgu-gen does not read it", "replace it with a regular file")
	}
	f.Content, err = d.ReadFile()
	if errors.Is(err, safefile.ErrNotRegular) {
		return unread("the file is not a regular file (a FIFO, device or socket); dorgu-gen does not read it", "replace it with a regular file")
	}
	if err != nil {
		return readError(err)
	}
	s.Files = append(s.Files, f)
	return nil
}

// readError is an error that stops the whole read: a limit, or an I/O
// error.
func readError(err error) error {
	var le *repofs.LimitError
	if errors.As(err, &le) {
		return &Error{Msg: le.Error()}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &Error{Msg: fmt.Sprintf("%s: %v", pe.Path, pe.Err)}
	}
	return &Error{Msg: err.Error()}
}

// fileAt is the file at rel as its path says: its kind, cluster and
// component.
func fileAt(rel string) File {
	f := File{Path: rel}
	parts := strings.Split(rel, "/")
	stem := strings.TrimSuffix(path.Base(rel), path.Ext(rel))
	switch {
	case parts[0] == "argocd":
		f.Kind = scaffold.RootApplication
	case parts[2] == "apps":
		f.Kind, f.Cluster, f.Component = scaffold.Application, parts[1], stem
	default:
		f.Kind, f.Cluster, f.Component = scaffold.Values, parts[1], stem
	}
	return f
}

// clusterOf returns the cluster of a path under clusters/.
func clusterOf(rel string) string {
	if parts := strings.Split(rel, "/"); len(parts) > 1 && parts[0] == "clusters" {
		return parts[1]
	}
	return ""
}

// ReadFile reads another file of the scaffold (its README), as every file
// of the scaffold is read.
func (s *Scaffold) ReadFile(rel string) ([]byte, error) {
	return s.top.Join(rel).ReadFile()
}

// Unread reports whether the file at p was not read: it is a link out of
// the repository, not a regular file, or under a folder that is.
func (s *Scaffold) Unread(p string) bool {
	if f, ok := s.Lookup(p); ok && f.Unread {
		return true
	}
	for _, d := range s.unread {
		if strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// Unreadable lists what was not read and why, one line each: the folders
// and files that are links out of the repository or not regular files.
// With the paths and bytes of Files, it decides every finding about the
// scaffold, so it belongs in a cache key.
func (s *Scaffold) Unreadable() []string {
	var out []string
	for _, p := range s.problems {
		out = append(out, p.File+"\x00"+p.Message)
	}
	for _, f := range s.Files {
		if f.Unread {
			out = append(out, f.Path+"\x00"+f.Problems[0].Message)
		}
	}
	return out
}

// Lookup returns the file at path p.
func (s *Scaffold) Lookup(p string) (*File, bool) {
	i, ok := slices.BinarySearchFunc(s.Files, p, func(f File, p string) int { return strings.Compare(f.Path, p) })
	if !ok {
		return nil, false
	}
	return &s.Files[i], true
}

// classify parses the file and refines what its path says by what it
// holds: an AppProject among the Applications, a user's own manifest next
// to the root Applications, the cluster a root Application belongs to.
func (f *File) classify() {
	if f.Unread {
		return
	}
	f.parse()
	if f.Kind == scaffold.Application && str(f.Doc, "kind") == "AppProject" {
		// The cluster's AppProject, which its root Application syncs.
		f.Kind, f.Component = scaffold.AppProject, ""
	}
	if f.Kind == scaffold.RootApplication {
		if !rootAppName.MatchString(path.Base(f.Path)) && f.Problems == nil && str(f.Doc, "kind") != "Application" {
			// A user's own manifest next to the root Applications.
			f.Kind = Other
		}
		f.Cluster = rootCluster(f)
	}
}

// rootAppName matches the names dorgu-gen gives root Application files.
var rootAppName = regexp.MustCompile(`^(.+-)?root-app\.ya?ml$`)

// rootCluster infers a root Application's cluster: its dorgu.io/cluster
// label, else the clusters/<name>/apps folder it syncs, else the
// <cluster>-root-app.yaml file name.
func rootCluster(f *File) string {
	if c := str(f.Doc, "metadata", "labels", "dorgu.io/cluster"); c != "" {
		return c
	}
	if p := strings.Split(str(f.Doc, "spec", "source", "path"), "/"); len(p) == 3 && p[0] == "clusters" && p[2] == "apps" {
		return p[1]
	}
	if m := rootAppName.FindStringSubmatch(path.Base(f.Path)); m != nil && m[1] != "" {
		return strings.TrimSuffix(m[1], "-")
	}
	return ""
}

// inferEnvironments sets each file's environment from the
// dorgu.io/environment label of its Application: the root Application's
// own, a component Application's own, a values file's from the Application
// of the same cluster and component.
func (s *Scaffold) inferEnvironments() {
	apps := map[string]string{}
	for i := range s.Files {
		f := &s.Files[i]
		if f.Kind == scaffold.Application || f.Kind == scaffold.RootApplication {
			f.Environment = str(f.Doc, "metadata", "labels", "dorgu.io/environment")
			if f.Kind == scaffold.Application {
				apps[f.Cluster+"/"+f.Component] = f.Environment
			}
		}
	}
	for i := range s.Files {
		if f := &s.Files[i]; f.Kind == scaffold.Values {
			f.Environment = apps[f.Cluster+"/"+f.Component]
		}
	}
}

// Documents returns the files the policies check: every file except files
// under argocd/ that are not Applications. A file that does not parse is a
// document without content, so that references to it still resolve; the
// policies' findings about it are dropped by Filter.
func (s *Scaffold) Documents() []policy.Document {
	s.Classify()
	var docs []policy.Document
	for _, f := range s.Files {
		if f.Kind == Other {
			continue
		}
		docs = append(docs, policy.Document{
			Path: f.Path, Kind: string(f.Kind), Cluster: f.Cluster,
			Component: f.Component, Environment: f.Environment, Content: f.Doc,
		})
	}
	return docs
}

// Problems returns the YAML problems of every file.
func (s *Scaffold) Problems() []finding.Finding {
	s.Classify()
	out := slices.Clone(s.problems)
	for _, f := range s.Files {
		out = append(out, f.Problems...)
	}
	return out
}

// Locate sets the line and column of every finding about a file of s from
// its field path: the line of the offending key itself, or of the deepest
// key that exists when the field is missing. Findings about other files
// are left alone.
func (s *Scaffold) Locate(fs []finding.Finding) {
	// A scanned scaffold parses the files the findings are in, and only
	// those, concurrently.
	var todo []*File
	seen := map[*File]bool{}
	for _, f := range fs {
		if file, ok := s.Lookup(f.File); ok && f.Line == 0 && f.Field != nil && !file.parsed && !file.Unread && !seen[file] {
			seen[file] = true
			todo = append(todo, file)
		}
	}
	parallel(len(todo), func(i int) { todo[i].parse() })
	for i := range fs {
		f := &fs[i]
		if f.Line != 0 || f.Field == nil {
			continue
		}
		if file, ok := s.Lookup(f.File); ok && file.Node != nil {
			f.Line, f.Column = Position(file.Node, f.Field)
		}
	}
}

// parallel calls do(0) … do(n-1) on as many goroutines as there are CPUs.
func parallel(n int, do func(int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				do(i)
			}
		}()
	}
	wg.Wait()
}

// Filter drops the findings about files that do not parse: their YAML
// finding says what is wrong, and what the policies make of a file without
// content would only repeat it.
func (s *Scaffold) Filter(fs []finding.Finding) []finding.Finding {
	s.Classify()
	var out []finding.Finding
	for _, f := range fs {
		if file, ok := s.Lookup(f.File); ok && hasParseError(*file) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func hasParseError(f File) bool {
	for _, p := range f.Problems {
		if p.Severity == finding.Error {
			return true
		}
	}
	return false
}

func problem(file string, line, col int, msg string) finding.Finding {
	return finding.Finding{
		Severity: finding.Error, Rule: RuleYAML, Kind: finding.KindYAML, File: file, Line: line, Column: col,
		Message: msg,
		Hint:    "fix the YAML syntax (running dorgu-gen render again rewrites a generated file)",
	}
}

// yamlLine finds the line in go-yaml's error messages ("yaml: line 7: ...").
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

func parseErr(file string, err error) finding.Finding {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msgs = te.Errors
	}
	m := yamlLine.FindStringSubmatch(msgs[0])
	if m == nil {
		return problem(file, 0, 0, "the file is not valid YAML: "+strings.TrimPrefix(msgs[0], "yaml: "))
	}
	line, _ := strconv.Atoi(m[1])
	return problem(file, line, 0, "the file is not valid YAML: "+m[2])
}

// parse decodes the file's YAML: every document is parsed, so that a
// syntax error anywhere is found; the first is the content.
func (f *File) parse() {
	if f.parsed {
		return
	}
	f.parsed = true
	dec := yaml.NewDecoder(bytes.NewReader(f.Content))
	docs := 0
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Problems = append(f.Problems, parseErr(f.Path, err))
			f.Doc, f.Node = nil, nil
			return
		}
		docs++
		if docs == 1 {
			f.Node = &n
		} else if docs == 2 {
			w := problem(f.Path, n.Line, n.Column, "the file holds several YAML documents; dorgu-gen checks only the first, and ArgoCD would apply the others too")
			w.Severity = finding.Warning
			w.Hint = "keep one document per file: move the others to files of their own"
			f.Problems = append(f.Problems, w)
		}
	}
	if f.Node == nil {
		return
	}
	textTimestamps(f.Node)
	var v any
	if err := f.Node.Decode(&v); err != nil {
		f.Problems = append(f.Problems, parseErr(f.Path, err))
		f.Doc, f.Node = nil, nil
		return
	}
	f.Doc = normalize(v)
}

// textTimestamps keeps timestamps as the text they are written as, as
// Kubernetes reads a manifest (through JSON), not as time values.
func textTimestamps(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!timestamp" {
		n.Tag = "!!str"
	}
	for _, c := range n.Content {
		textTimestamps(c)
	}
}

// normalize turns decoded YAML into the types JSON has, as Kubernetes
// reads manifests: string keys, and non-finite floats kept as text.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = normalize(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case int, int64, uint64, bool, string, nil:
		return x
	default:
		// Timestamps and other tagged scalars: their text.
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		var out any
		if json.Unmarshal(b, &out) != nil {
			return fmt.Sprint(x)
		}
		return out
	}
}

// Position returns the line and column of field inside a YAML document:
// the key of the last step that exists (the line of `targetRevision:`
// itself), or 0, 0 when not even the first step does.
func Position(doc *yaml.Node, field []any) (line, col int) {
	n := doc
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return 0, 0
		}
		n = n.Content[0]
	}
	for _, seg := range field {
		for depth := 0; n.Kind == yaml.AliasNode && n.Alias != nil && depth < 100; depth++ {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			key, ok := seg.(string)
			if !ok {
				return line, col
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i]; k.Value == key {
					line, col, n, found = k.Line, k.Column, n.Content[i+1], true
					break
				}
			}
			if !found {
				return line, col
			}
		case yaml.SequenceNode:
			i, ok := index(seg)
			if !ok || i < 0 || i >= len(n.Content) {
				return line, col
			}
			n = n.Content[i]
			line, col = n.Line, n.Column
		default:
			return line, col
		}
	}
	return line, col
}

func index(seg any) (int, bool) {
	switch x := seg.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		return int(x), x == math.Trunc(x)
	case json.Number:
		i, err := x.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// str returns the string at path in a decoded document, or "".
func str(doc any, path ...string) string {
	for _, p := range path {
		m, ok := doc.(map[string]any)
		if !ok {
			return ""
		}
		doc = m[p]
	}
	s, _ := doc.(string)
	return s
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
