// Package ondisk reads a scaffold back from disk, the way ArgoCD and a
// reviewer see it: every YAML file of the layout, what each one is for
// (inferred from its path and labels), its content for the policies, and
// the position of every field so that a finding can name a line.
package ondisk

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"

	"github.com/dorgu/dorgu-gen/internal/finding"
	"github.com/dorgu/dorgu-gen/internal/kubeyaml"
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
	// Doc is the first object of the file as ArgoCD or Helm reads it, in
	// JSON's types; nil when the file is empty or cannot be read.
	Doc any
	// Node is the first object's YAML node, for positions.
	Node *yaml.Node
	// Objects are what ArgoCD applies from the file (for a values file,
	// what Helm reads): every document that is not empty, and the items
	// of a list. The first is Doc.
	Objects []Object
	// Problems are the file's YAML problems: a parse error with its line,
	// YAML readers that disagree, several documents in one file.
	Problems []finding.Finding
	// Unread is set when the file was not read: a symbolic link out of
	// the repository, or not a regular file. Problems say which.
	Unread bool

	// refused is set when what the file holds is unknown or ambiguous:
	// the policies' findings about it are dropped, its yaml finding says
	// what is wrong.
	refused bool
	parsed  bool
}

// Object is one object of a file, checked by the policies as a document
// of its own.
type Object struct {
	// Path is the file's path for the first object, and the file's path
	// with " (document N)" or " (document N, item M)" for the others:
	// the path the policies see, which Locate turns back into the file's.
	Path    string
	Kind    scaffold.Kind
	Content any
	// Node is the YAML node of the object's document, and Prefix the
	// path of the object inside it (the item of a list).
	Node   *yaml.Node
	Prefix []any
	Line   int
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
	// kubectl apply -f reads .json too, but the README has a root
	// Application applied by its file name.
	rootAppFiles = []string{".yaml", ".yml"}
	// ArgoCD's directory source reads .yaml, .yml and .json files
	// (reposerver/repository findManifests), and .jsonnet, which
	// special() reports.
	appFiles = []string{".yaml", ".yml", ".json"}
	// Helm reads the values files an Application names; render names
	// .yaml files.
	valuesFiles = []string{".yaml", ".yml"}
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
		if msg := special(rel, e.Name()); msg != "" {
			p := problem(rel+"/"+e.Name(), 0, 0, msg)
			p.Cluster = clusterOf(rel)
			p.Hint = "remove the file: the root Application reads the apps folder as plain manifests, and vet checks it so"
			s.problems = append(s.problems, p)
			continue
		}
		if !slices.Contains(exts, path.Ext(e.Name())) {
			continue
		}
		if err := s.file(rel+"/"+e.Name(), e); err != nil {
			return err
		}
	}
	return nil
}

// special says why a file in an apps folder changes what ArgoCD makes of
// the folder (reposerver/repository and util/app/discovery of ArgoCD
// v3.5.1), or "": such a file is not a manifest vet could check.
func special(folder, name string) string {
	if path.Base(folder) != "apps" || !strings.HasPrefix(folder, "clusters/") {
		return ""
	}
	switch {
	case name == ".argocd-source.yaml" || strings.HasPrefix(name, ".argocd-source-") && strings.HasSuffix(name, ".yaml"):
		return "ArgoCD reads this file as settings of the root Application's source (it can turn on recursion into subfolders, Kustomize, Helm or a plugin), so what it deploys from the folder is not what vet checks"
	case name == "kustomization.yaml" || name == "kustomization.yml" || name == "Kustomization":
		return "with this file ArgoCD renders the folder with Kustomize instead of applying its manifests, so what it deploys is not what vet checks"
	case strings.HasSuffix(name, "Chart.yaml"):
		return "with this file ArgoCD renders the folder as a Helm chart instead of applying its manifests, so what it deploys is not what vet checks"
	case strings.HasSuffix(name, ".jsonnet"):
		return "ArgoCD evaluates Jsonnet files of the folder and applies what they produce, which vet cannot check"
	}
	return ""
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
	for i := range f.Objects {
		o := &f.Objects[i]
		switch {
		case f.Kind == scaffold.Application && str(o.Content, "kind") == "AppProject":
			// The cluster's AppProject, which its root Application syncs.
			o.Kind = scaffold.AppProject
		case f.Kind == scaffold.RootApplication && str(o.Content, "kind") != "Application" && (i > 0 || (!rootAppName.MatchString(path.Base(f.Path)) && !f.refused)):
			// A user's own manifest next to the root Applications.
			o.Kind = Other
		}
	}
	if len(f.Objects) > 0 && f.Kind != scaffold.Values {
		f.Kind = f.Objects[0].Kind
		if f.Kind == scaffold.AppProject {
			f.Component = ""
		}
	} else if f.Kind == scaffold.RootApplication && !rootAppName.MatchString(path.Base(f.Path)) && !f.refused {
		f.Kind = Other
	}
	if f.Kind == scaffold.RootApplication || f.Kind == Other {
		f.Cluster = rootCluster(f)
	}
}

// rootAppName matches the names dorgu-gen gives root Application files.
var rootAppName = regexp.MustCompile(`^(.+-)?root-app\.ya?ml$`)

// rootCluster infers a root Application's cluster: its dorgu.io/cluster
// label, else the [<repo.path>/]clusters/<name>/apps folder it syncs, else the
// <cluster>-root-app.yaml file name.
func rootCluster(f *File) string {
	if c := str(f.Doc, "metadata", "labels", "dorgu.io/cluster"); c != "" {
		return c
	}
	// The folder may lie under the scaffold's folder in the repository
	// (repo.path): only its last three steps name the cluster.
	if p := strings.Split(str(f.Doc, "spec", "source", "path"), "/"); len(p) >= 3 && p[len(p)-3] == "clusters" && p[len(p)-1] == "apps" {
		return p[len(p)-2]
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

// Documents returns what the policies check: every object of every file,
// except those under argocd/ that are not Applications. A file that cannot
// be read is a document without content, so that references to it still
// resolve; the policies' findings about it are dropped by Filter.
func (s *Scaffold) Documents() []policy.Document {
	s.Classify()
	var docs []policy.Document
	for _, f := range s.Files {
		doc := policy.Document{Path: f.Path, Kind: string(f.Kind), Cluster: f.Cluster, Component: f.Component, Environment: f.Environment}
		if len(f.Objects) == 0 {
			if f.Kind != Other {
				docs = append(docs, doc)
			}
			continue
		}
		for _, o := range f.Objects {
			if o.Kind == Other {
				continue
			}
			doc.Path, doc.Kind, doc.Content = o.Path, string(o.Kind), o.Content
			if o.Kind == scaffold.AppProject {
				doc.Component = ""
			}
			docs = append(docs, doc)
		}
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
// key that exists when the field is missing. A finding about an object
// after a file's first names the file again. Findings about other files
// are left alone.
func (s *Scaffold) Locate(fs []finding.Finding) {
	// A scanned scaffold parses the files the findings are in, and only
	// those, concurrently.
	var todo []*File
	seen := map[*File]bool{}
	for _, f := range fs {
		if file, ok := s.Lookup(filePath(f.File)); ok && !file.parsed && !file.Unread && !seen[file] {
			seen[file] = true
			todo = append(todo, file)
		}
	}
	parallel(len(todo), func(i int) { todo[i].parse() })
	for i := range fs {
		f := &fs[i]
		file, ok := s.Lookup(filePath(f.File))
		if !ok {
			continue
		}
		o := file.object(f.File)
		f.File = file.Path
		if f.Line != 0 || f.Field == nil || o == nil || o.Node == nil {
			continue
		}
		f.Line, f.Column = Position(o.Node, append(slices.Clone(o.Prefix), f.Field...))
		if f.Line == 0 && o != &file.Objects[0] {
			// About the whole object: where it starts, which is not
			// the top of the file.
			f.Line = o.Line
		}
	}
}

// objectMark starts what an object's path adds to its file's.
const objectMark = " (document "

// filePath returns the path of the file an object path is in.
func filePath(p string) string {
	if i := strings.Index(p, objectMark); i > 0 && strings.HasSuffix(p, ")") {
		return p[:i]
	}
	return p
}

// object returns the object at path p of the file.
func (f *File) object(p string) *Object {
	for i := range f.Objects {
		if f.Objects[i].Path == p {
			return &f.Objects[i]
		}
	}
	return nil
}

// parallel calls do(0) … do(n-1), as many at once as there are CPUs.
func parallel(n int, do func(int)) {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		g.Go(func() error { do(i); return nil })
	}
	_ = g.Wait() // do reports no error
}

// Filter drops the findings about files that cannot be read, or read
// differently by different readers: their yaml finding says what is
// wrong, and what the policies make of them would only mislead.
func (s *Scaffold) Filter(fs []finding.Finding) []finding.Finding {
	s.Classify()
	var out []finding.Finding
	for _, f := range fs {
		if file, ok := s.Lookup(filePath(f.File)); ok && (file.refused || file.Unread) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func problem(file string, line, col int, msg string) finding.Finding {
	return finding.Finding{
		Severity: finding.Error, Rule: RuleYAML, Kind: finding.KindYAML, File: file, Line: line, Column: col,
		Message: msg,
		Hint:    "fix the YAML syntax (running dorgu-gen render again rewrites a generated file)",
	}
}

// parse reads the file as ArgoCD (a manifest of the apps folder, or a
// root Application) or Helm (a values file) reads it.
func (f *File) parse() {
	if f.parsed || f.Unread {
		return
	}
	f.parsed = true
	format := kubeyaml.Stream
	switch {
	case f.Kind == scaffold.Values:
		format = kubeyaml.Values
	case path.Ext(f.Path) == ".json":
		format = kubeyaml.JSON
	}
	docs, problems := kubeyaml.Read(f.Content, format)
	for _, p := range problems {
		pr := problem(f.Path, p.Line, p.Column, p.Msg)
		pr.Hint = p.Hint
		if !p.Unreadable {
			pr.Severity = finding.Warning
		}
		f.Problems = append(f.Problems, pr)
		f.refused = f.refused || p.Unreadable
	}
	for i, d := range docs {
		if d.Value == nil && format != kubeyaml.Values {
			// ArgoCD skips an empty document.
			continue
		}
		for _, it := range items(d.Value, format) {
			j, item := it.index, it.value
			o := Object{Path: f.Path, Kind: f.Kind, Content: d.Value, Node: d.Node, Line: d.Line}
			if j >= 0 {
				o.Content, o.Prefix = item, []any{"items", j}
				if d.Node != nil {
					o.Line, _ = Position(d.Node, o.Prefix)
				}
			}
			if len(f.Objects) > 0 {
				o.Path = fmt.Sprintf("%s%s%d)", f.Path, objectMark, i+1)
				if j >= 0 {
					o.Path = fmt.Sprintf("%s%s%d, item %d)", f.Path, objectMark, i+1, j+1)
				}
			}
			f.Objects = append(f.Objects, o)
		}
	}
	if f.Kind == scaffold.Application && len(f.Objects) > 1 {
		// The root Application deploys every object of the apps folder:
		// each is checked, and a file that holds several is an error,
		// since the next render would not own what it adds.
		second := f.Objects[1]
		p := problem(f.Path, second.Line, 0, fmt.Sprintf("the file holds %d objects; ArgoCD applies every one of them, and dorgu-gen checks each, but generates one per file", len(f.Objects)))
		p.Hint = "keep one object per file in an apps folder: move the others to files of their own, or into the config"
		f.Problems = append(f.Problems, p)
	}
	if len(f.Objects) > 0 {
		f.Doc, f.Node = f.Objects[0].Content, f.Objects[0].Node
	}
}

// items returns the items of a list, which ArgoCD applies one by one (an
// object whose items field is a list, whatever its kind), each with its
// index; else the document itself, at index -1. A values file is not
// applied, so it is never a list.
func items(v any, format kubeyaml.Format) []item {
	m, ok := v.(map[string]any)
	list, isList := m["items"].([]any)
	if format == kubeyaml.Values || !ok || !isList {
		return []item{{-1, v}}
	}
	out := make([]item, len(list))
	for i, v := range list {
		out[i] = item{i, v}
	}
	return out
}

type item struct {
	index int
	value any
}

// Position returns the line and column of field inside a YAML document:
// see kubeyaml.Position.
func Position(doc *yaml.Node, field []any) (line, col int) { return kubeyaml.Position(doc, field) }

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
