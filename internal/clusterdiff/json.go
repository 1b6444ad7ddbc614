package clusterdiff

import (
	"encoding/json"
	"io"

	"github.com/dorgu/dorgu-gen/internal/report"
)

// JSONVersion is the version of the JSON schema below; it changes only
// when a field is removed or changes meaning (new fields may be added).
const JSONVersion = 1

// JSON writes the difference as one JSON object (schema version 1,
// documented in the README):
//
//	{"version": 1, "base": "...", "head": "...",
//	 "summary": {"clusters", "applications", "added", "removed", "changed", "changes"},
//	 "applications": [{"cluster", "application", "chart", "added", "removed", "changed",
//	     "objects": [{"change": "added"|"removed"|"changed", "apiVersion", "kind",
//	                  "namespace", "name", "diff",
//	                  "secretKeys": null | {"added": [...], "removed": [...], "changed": [...]}}],
//	     "regenerated": [{"apiVersion", "kind", "namespace", "name", "fields": [...]}]}],
//	 "notes": [...]}
//
// Every key is always present; lists are [] when empty. Strings are
// escaped as vet's JSON escapes them: they decode to the same text.
func JSON(w io.Writer, r *Result) error {
	c := r.Counts()
	out := jsonResult{
		Version: JSONVersion, Base: r.Base, Head: r.Head,
		Summary: jsonSummary{
			Clusters: len(r.Clusters()), Applications: countChanged(r.Apps),
			Added: c.Added, Removed: c.Removed, Changed: c.Changed, Changes: c.Total() > 0,
		},
		Applications: []jsonApp{}, Notes: nonNil(r.Notes),
	}
	for _, a := range r.Apps {
		n := a.Counts()
		ja := jsonApp{
			Cluster: a.Cluster, Application: a.Name, Chart: a.Chart,
			Added: n.Added, Removed: n.Removed, Changed: n.Changed,
			Objects: []jsonObject{}, Regenerated: []jsonRegenerated{},
		}
		for _, o := range a.Objects {
			jo := jsonObject{
				Change: string(o.Change), APIVersion: o.APIVersion, Kind: o.Kind,
				Namespace: o.Namespace, Name: o.Name, Diff: o.Diff,
			}
			if k := o.SecretKeys; k != nil {
				jo.SecretKeys = &jsonKeys{Added: nonNil(k.Added), Removed: nonNil(k.Removed), Changed: nonNil(k.Changed)}
			}
			ja.Objects = append(ja.Objects, jo)
		}
		for _, g := range a.Regenerated {
			ja.Regenerated = append(ja.Regenerated, jsonRegenerated{
				APIVersion: g.APIVersion, Kind: g.Kind, Namespace: g.Namespace, Name: g.Name, Fields: nonNil(g.Fields),
			})
		}
		out.Applications = append(out.Applications, ja)
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(report.EscapeJSON(data), '\n'))
	return err
}

type jsonResult struct {
	Version      int         `json:"version"`
	Base         string      `json:"base"`
	Head         string      `json:"head"`
	Summary      jsonSummary `json:"summary"`
	Applications []jsonApp   `json:"applications"`
	Notes        []string    `json:"notes"`
}

type jsonSummary struct {
	Clusters     int  `json:"clusters"`
	Applications int  `json:"applications"`
	Added        int  `json:"added"`
	Removed      int  `json:"removed"`
	Changed      int  `json:"changed"`
	Changes      bool `json:"changes"`
}

type jsonApp struct {
	Cluster     string            `json:"cluster"`
	Application string            `json:"application"`
	Chart       string            `json:"chart"`
	Added       int               `json:"added"`
	Removed     int               `json:"removed"`
	Changed     int               `json:"changed"`
	Objects     []jsonObject      `json:"objects"`
	Regenerated []jsonRegenerated `json:"regenerated"`
}

type jsonObject struct {
	Change     string    `json:"change"`
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Namespace  string    `json:"namespace"`
	Name       string    `json:"name"`
	Diff       string    `json:"diff"`
	SecretKeys *jsonKeys `json:"secretKeys"`
}

type jsonKeys struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"`
}

type jsonRegenerated struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Name       string   `json:"name"`
	Fields     []string `json:"fields"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
