// Package clusterdiff tells which Kubernetes objects change in which
// cluster between two scaffolds: the objects ArgoCD would apply from each,
// object by object, grouped by cluster and Application.
//
// Each scaffold is read as ArgoCD reads it, from its files: the Helm
// Applications under clusters/<cluster>/apps/ with their values files are
// rendered as the repo-server renders them, and the files of each apps
// folder are the objects its root Application syncs. What a chart fills
// with random or time-based values (randAlphaNum passwords, genCA
// certificates, the checksum annotations that follow them) changes at
// every render: such fields are told apart by rendering a release twice
// and are reported as regenerated, never as changes. Secret values are
// never shown: only which keys change.
package clusterdiff

import (
	"cmp"
	"slices"
)

// Change says what happens to an object.
type Change string

const (
	Added   Change = "added"
	Removed Change = "removed"
	Changed Change = "changed"
)

// Result is the difference between two scaffolds.
type Result struct {
	// Base and Head name the two sides (a Git revision, a directory).
	Base, Head string
	// Apps are the Applications whose objects change, by cluster, then
	// Application name.
	Apps []App
	// Notes say what could not be compared: an Application that is not a
	// Helm source of the scaffold, a file that does not read one way.
	Notes []string
}

// App is one Application of one cluster and what changes in the objects
// it deploys.
type App struct {
	Cluster string
	// Name is the Application's name; for the objects of the argocd/
	// folder, which are applied by hand, ArgoCDFolder.
	Name string
	// Chart says what the Application renders on each side ("web 0.2.0",
	// "web 0.2.0 → 0.3.0"); "" for a root Application.
	Chart   string
	Objects []Object
	// Regenerated are the fields that differ between the two sides only
	// because the chart draws them anew at every render.
	Regenerated []Regenerated
}

// ArgoCDFolder is the name of the group of the argocd/ folder's objects.
const ArgoCDFolder = "argocd/"

// ID names an object in a cluster.
type ID struct {
	APIVersion string
	Kind       string
	// Namespace is "" for a cluster-scoped object.
	Namespace string
	Name      string
}

func (id ID) String() string {
	if id.Namespace == "" {
		return id.APIVersion + " " + id.Kind + " " + id.Name
	}
	return id.APIVersion + " " + id.Kind + " " + id.Namespace + "/" + id.Name
}

// Object is one object that is added, removed or changed.
type Object struct {
	ID
	Change Change
	// Diff is the unified diff of the object's YAML, base to head (hunks
	// only): all "+" lines for an added object, all "-" for a removed
	// one. Secret values show as Hidden.
	Diff string
	// SecretKeys are set for a Secret: the keys of data and stringData
	// that are added, removed or changed.
	SecretKeys *KeyChanges
}

// KeyChanges are a Secret's keys that change, as "data.KEY" and
// "stringData.KEY".
type KeyChanges struct {
	Added, Removed, Changed []string
}

// Regenerated is an object's fields that a chart regenerates at every
// render.
type Regenerated struct {
	ID
	Fields []string
}

// What stands in for a value that is not shown.
const (
	// Hidden is a Secret's value, which is never shown.
	Hidden = "(hidden)"
	// HiddenChanged is a Secret's value that changes.
	HiddenChanged = "(hidden, changed)"
	// RegeneratedValue is a value that changes at every render.
	RegeneratedValue = "(regenerated at every render)"
)

// Counts are how many objects are added, removed and changed.
type Counts struct {
	Added, Removed, Changed int
}

// Total is the number of objects that change in any way.
func (c Counts) Total() int { return c.Added + c.Removed + c.Changed }

func (c *Counts) add(ch Change) {
	switch ch {
	case Added:
		c.Added++
	case Removed:
		c.Removed++
	default:
		c.Changed++
	}
}

// Counts counts the changes of an Application.
func (a *App) Counts() Counts {
	var c Counts
	for _, o := range a.Objects {
		c.add(o.Change)
	}
	return c
}

// Counts counts every change.
func (r *Result) Counts() Counts {
	var c Counts
	for _, a := range r.Apps {
		for _, o := range a.Objects {
			c.add(o.Change)
		}
	}
	return c
}

// Changes reports whether any object changes.
func (r *Result) Changes() bool { return r.Counts().Total() > 0 }

// Clusters are the clusters in which something changes, in order.
func (r *Result) Clusters() []string {
	var out []string
	for _, a := range r.Apps {
		if a.Counts().Total() > 0 && !slices.Contains(out, a.Cluster) {
			out = append(out, a.Cluster)
		}
	}
	return out
}

func compareID(a, b ID) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name), cmp.Compare(a.APIVersion, b.APIVersion))
}
