package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// JSONVersion is the version of the JSON schema below; it changes only
// when a field is removed or changes meaning (new fields may be added).
const JSONVersion = 1

// JSONFormatter writes the report as one JSON object (schema version 1,
// documented in the README):
//
//	{"version": 1, "mode": "full"|"scaffold-only", "config": "...",
//	 "scaffold": "...", "checks": [...], "notes": [...],
//	 "findings": [{"severity", "rule", "kind", "file", "line", "column",
//	               "field", "cluster", "component", "message", "hint",
//	               "diff", "waived"}],
//	 "summary": {"errors", "warnings", "notes", "waived", "files", "filesWithFindings", "failed"}}
//
// Every key is always present: "" and 0 mean unknown.
type JSONFormatter struct{}

type jsonReport struct {
	Version  int           `json:"version"`
	Mode     string        `json:"mode"`
	Config   string        `json:"config"`
	Scaffold string        `json:"scaffold"`
	Checks   []string      `json:"checks"`
	Notes    []string      `json:"notes"`
	Findings []jsonFinding `json:"findings"`
	Summary  jsonSummary   `json:"summary"`
}

type jsonFinding struct {
	Severity  string `json:"severity"`
	Rule      string `json:"rule"`
	Kind      string `json:"kind"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	Field     string `json:"field"`
	Cluster   string `json:"cluster"`
	Component string `json:"component"`
	Message   string `json:"message"`
	Hint      string `json:"hint"`
	Diff      string `json:"diff"`
	Waived    string `json:"waived"`
}

type jsonSummary struct {
	Errors            int  `json:"errors"`
	Warnings          int  `json:"warnings"`
	Notes             int  `json:"notes"`
	Waived            int  `json:"waived"`
	Files             int  `json:"files"`
	FilesWithFindings int  `json:"filesWithFindings"`
	Failed            bool `json:"failed"`
}

// Format implements Formatter.
func (JSONFormatter) Format(w io.Writer, r *Report) error {
	out := jsonReport{
		Version: JSONVersion, Mode: r.Mode, Config: r.Config, Scaffold: r.Scaffold,
		Checks: nonNil(r.Checks), Notes: nonNil(r.Notes), Findings: []jsonFinding{},
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, jsonFinding{
			Severity: string(f.Severity), Rule: f.Rule, Kind: string(f.Kind),
			File: f.File, Line: f.Line, Column: f.Column, Field: Dotted(f.Field),
			Cluster: f.Cluster, Component: f.Component,
			Message: f.Message, Hint: f.Hint, Diff: f.Diff, Waived: f.Waived,
		})
	}
	e, wn := Count(r.Findings)
	out.Summary = jsonSummary{Errors: e, Warnings: wn, Notes: Notes(r.Findings), Waived: Waived(r.Findings), Files: len(r.Files), FilesWithFindings: r.filesWithFindings(), Failed: r.Failed()}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return err
	}
	// Lossless: the escapes decode to the same strings.
	_, err := w.Write(escapeEncoded(buf.Bytes(), jsonRef))
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Dotted renders a field path as the policies' messages do:
// spec.sources[0].targetRevision, keys holding a dot quoted
// (metadata.annotations["argocd.argoproj.io/sync-wave"]).
func Dotted(field []any) string {
	var b strings.Builder
	for i, p := range field {
		switch x := p.(type) {
		case string:
			switch {
			case strings.Contains(x, "."):
				b.WriteString("[" + strconv.Quote(x) + "]")
			case i == 0:
				b.WriteString(x)
			default:
				b.WriteString("." + x)
			}
		default:
			fmt.Fprintf(&b, "[%v]", x)
		}
	}
	return b.String()
}
