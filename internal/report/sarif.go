package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/finding"
)

// SARIFVersion and SARIFSchema identify the SARIF 2.1.0 log format, as
// GitHub code scanning accepts it.
const (
	SARIFVersion = "2.1.0"
	SARIFSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
)

// SARIFFormatter writes a SARIF 2.1.0 log for code-scanning upload: one
// run, one reporting descriptor per rule (its title and description), one
// result per finding with its location.
type SARIFFormatter struct{}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	ColumnKind  string            `json:"columnKind"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  sarifText      `json:"fullDescription"`
	Help             sarifText      `json:"help"`
	Properties       map[string]any `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactL `json:"artifactLocation"`
	Region           *sarifRegion   `json:"region,omitempty"`
}

type sarifArtifactL struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// Format implements Formatter.
func (SARIFFormatter) Format(w io.Writer, r *Report) error {
	tool := r.Tool
	if tool == "" {
		tool = "dorgu-gen"
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: tool, InformationURI: "https://github.com/dorgu/dorgu-gen",
			Version: r.Version, Rules: []sarifRule{},
		}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		Results:     []sarifResult{},
		ColumnKind:  "unicodeCodePoints",
		Properties:  map[string]any{"mode": r.Mode, "checks": nonNil(r.Checks)},
	}
	for _, n := range r.Notes {
		run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications, sarifNotification{Level: "note", Message: sarifText{n}})
	}
	index := map[string]int{}
	addRule := func(id string, kind finding.Kind, title, desc string) int {
		if i, ok := index[id]; ok {
			return i
		}
		if title == "" {
			title = id
		}
		if desc == "" {
			desc = title
		}
		index[id] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: id, Name: ruleName(id),
			ShortDescription: sarifText{title}, FullDescription: sarifText{desc}, Help: sarifText{desc},
			Properties: map[string]any{"kind": kind, "tags": []string{"dorgu-gen", string(kind)}},
		})
		return index[id]
	}
	for _, rule := range r.Rules {
		addRule(rule.ID, rule.Kind, rule.Title, rule.Description)
	}
	for _, f := range r.Findings {
		level := "error"
		switch {
		case f.Waived != "", f.Severity == finding.Note:
			level = "note"
		case f.Severity == finding.Warning:
			level = "warning"
		}
		msg := f.Message
		if f.Hint != "" {
			msg += "\nHint: " + f.Hint
		}
		if f.Diff != "" {
			msg += "\n" + strings.TrimSuffix(f.Diff, "\n")
		}
		res := sarifResult{
			RuleID: f.Rule, RuleIndex: addRule(f.Rule, f.Kind, "", ""), Level: level,
			Message: sarifText{msg}, Locations: []sarifLocation{},
		}
		if f.File != "" {
			loc := sarifPhysical{ArtifactLocation: artifact(f.File)}
			if f.Line > 0 {
				loc.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
			}
			res.Locations = append(res.Locations, sarifLocation{PhysicalLocation: loc})
		}
		props := map[string]any{}
		if field := Dotted(f.Field); field != "" {
			props["field"] = field
		}
		if f.Cluster != "" {
			props["cluster"] = f.Cluster
		}
		if f.Component != "" {
			props["component"] = f.Component
		}
		if len(props) > 0 {
			res.Properties = props
		}
		run.Results = append(run.Results, res)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sarifLog{Schema: SARIFSchema, Version: SARIFVersion, Runs: []sarifRun{run}}); err != nil {
		return err
	}
	// Lossless: the escapes decode to the same strings.
	_, err := w.Write(escapeEncoded(buf.Bytes(), jsonRef))
	return err
}

// ruleName turns a rule id into the PascalCase name SARIF viewers show.
func ruleName(id string) string {
	var b strings.Builder
	for _, p := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}

// artifact locates a file: relative paths against the checkout
// (%SRCROOT%), absolute ones as file: URIs.
func artifact(p string) sarifArtifactL {
	if strings.HasPrefix(p, "/") {
		return sarifArtifactL{URI: "file://" + uri(p)}
	}
	return sarifArtifactL{URI: uri(p), URIBaseID: "%SRCROOT%"}
}

// uri makes a relative file path a relative URI reference: spaces and the
// few characters a URI reserves are percent-encoded.
func uri(p string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", "#", "%23", "?", "%3F", "[", "%5B", "]", "%5D").Replace(p)
}
