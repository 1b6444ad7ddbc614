package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// sample is a report with one finding of every kind, and the characters
// each format must escape.
func sample() *Report {
	fs := []finding.Finding{
		{Severity: finding.Error, Rule: "cue", Kind: finding.KindCUE, File: "dorgu.cue", Line: 3, Column: 2,
			Message: "clusters.dev.enviroment: field not allowed", Hint: "fix the config"},
		{Severity: finding.Error, Rule: "drift-missing", Kind: finding.KindDrift, File: "infra-gitops/clusters/dev/apps/openobserve.yaml",
			Cluster: "dev", Component: "openobserve",
			Message: "the Application of openobserve in cluster \"dev\" is rendered from the sources but missing from the scaffold",
			Hint:    "run dorgu-gen render"},
		{Severity: finding.Error, Rule: "chart-version-pinned", Kind: finding.KindPolicy, File: "infra-gitops/clusters/dev/apps/cert-manager.yaml",
			Line: 29, Column: 5, Field: []any{"spec", "sources", json.Number("0"), "targetRevision"},
			Cluster: "dev", Component: "cert-manager",
			Message: "cert-manager in cluster \"dev\": chart version \"latest\" is not pinned",
			Hint:    "set components.cert-manager.chart.version to an exact release"},
		{Severity: finding.Error, Rule: "drift-modified", Kind: finding.KindDrift, File: "infra-gitops/clusters/dev/values/ingress-nginx.yaml",
			Line: 11, Cluster: "dev", Component: "ingress-nginx",
			Message: "the values file of ingress-nginx in cluster \"dev\" differs from what the sources render",
			Hint:    "render again",
			Diff:    "--- a (rendered)\n+++ a (on disk)\n@@ -11 +11 @@\n-  replicaCount: 1\n+  replicaCount: 7\n"},
		{Severity: finding.Warning, Rule: "openobserve-credentials", Kind: finding.KindPolicy, File: "infra-gitops/clusters/dev/values/open,observe: 100%.yaml",
			Field:   []any{},
			Message: "keeps the chart's default <password> & more: 100% known,\r\nsecond line",
		},
		{Severity: finding.Error, Rule: "yaml", Kind: finding.KindYAML, File: "infra-gitops/clusters/dev/values/broken.yaml", Line: 3,
			Message: "the file is not valid YAML: mapping values are not allowed in this context"},
		{Severity: finding.Warning, Rule: "sync-wave-order", Kind: finding.KindPolicy, Message: "a finding without a file"},
		{Severity: finding.Note, Rule: "version-promotion", Kind: finding.KindPolicy, File: "infra-gitops/clusters/dev/apps/cert-manager.yaml",
			Line: 29, Column: 5, Field: []any{"spec", "sources", json.Number("0"), "targetRevision"},
			Cluster: "dev", Component: "cert-manager",
			Message: "cert-manager v1.21.1 in development (cluster \"dev\") has nothing to promote from: no earlier environment (sandbox) runs cert-manager",
			Hint:    "nothing to do"},
	}
	finding.Sort(fs)
	return &Report{
		Tool: "dorgu-gen", Version: "v1.2.3", Mode: ModeFull, Config: "dorgu.cue", Scaffold: "infra-gitops",
		Checks: []string{CheckSources, CheckDrift, CheckScaffold},
		Notes:  []string{"a note, with: punctuation"},
		Rules: []Rule{
			{ID: "chart-version-pinned", Kind: finding.KindPolicy, Title: "Chart versions are pinned", Description: "Every chart source names an exact release."},
			{ID: "openobserve-credentials", Kind: finding.KindPolicy, Title: "OpenObserve credentials", Description: "No well-known default passwords."},
			{ID: "sync-wave-order", Kind: finding.KindPolicy, Title: "Sync waves are integers", Description: "The sync-wave annotation is an integer."},
			{ID: "version-promotion", Kind: finding.KindPolicy, Title: "Versions are promoted", Description: "A version runs earlier first."},
			{ID: "cue", Kind: finding.KindCUE, Title: "The sources evaluate", Description: "CUE evaluates."},
			{ID: "drift-modified", Kind: finding.KindDrift, Title: "Generated files match", Description: "Modified."},
			{ID: "drift-missing", Kind: finding.KindDrift, Title: "Generated files exist", Description: "Missing."},
			{ID: "drift-unexpected", Kind: finding.KindDrift, Title: "Nothing unexpected", Description: "Unexpected."},
			{ID: "yaml", Kind: finding.KindYAML, Title: "Valid YAML", Description: "Parses."},
		},
		Files: []string{
			"infra-gitops/README.md",
			"infra-gitops/clusters/dev/apps/cert-manager.yaml",
			"infra-gitops/clusters/dev/apps/openobserve.yaml",
			"infra-gitops/clusters/dev/values/broken.yaml",
			"infra-gitops/clusters/dev/values/ingress-nginx.yaml",
			"infra-gitops/clusters/dev/values/open,observe: 100%.yaml",
		},
		Findings: fs,
	}
}

func clean() *Report {
	r := sample()
	r.Findings, r.Notes = nil, nil
	return r
}

func format(t *testing.T, name string, color bool, r *Report) []byte {
	t.Helper()
	f, err := New(name, color)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Format(&b, r); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b.Bytes()
}

// TestGolden compares every format's output with testdata/<case>.<format>;
// run `go test ./internal/report -run TestGolden -update` after an
// intended change and review the diff.
func TestGolden(t *testing.T) {
	ext := map[string]string{"text": "txt", "json": "json", "github": "github.txt", "sarif": "sarif", "junit": "xml"}
	cases := map[string]*Report{"findings": sample(), "clean": clean()}
	for cname, r := range cases {
		for _, name := range Formats {
			t.Run(cname+"/"+name, func(t *testing.T) {
				got := format(t, name, false, r)
				path := filepath.Join("testdata", cname+"."+ext[name])
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden file (run with -update and review the diff):\n%s", path, got)
				}
			})
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := New("xml", false); err == nil || !strings.Contains(err.Error(), "text, json, github, sarif, junit") {
		t.Fatalf("New(xml) = %v, want an error listing the formats", err)
	}
}

func TestTextColor(t *testing.T) {
	plain := string(format(t, "text", false, sample()))
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("text without colour has escape sequences:\n%s", plain)
	}
	colored := string(format(t, "text", true, sample()))
	for _, want := range []string{"\x1b[31merror\x1b[0m", "\x1b[33mwarning\x1b[0m", "\x1b[36mnote\x1b[0m", "\x1b[32m+  replicaCount: 7\x1b[0m"} {
		if !strings.Contains(colored, want) {
			t.Errorf("coloured text lacks %q", want)
		}
	}
	if !strings.Contains(plain, "infra-gitops/clusters/dev/apps/cert-manager.yaml:29:5: error chart-version-pinned: cert-manager") {
		t.Errorf("text lacks the file:line:col line:\n%s", plain)
	}
	if !strings.HasSuffix(plain, "vet failed: 5 errors, 2 warnings, 1 note in 6 files; 6 scaffold files checked (full, sources, drift, scaffold)\n") {
		t.Errorf("text does not end with the summary:\n%s", plain)
	}
}

// TestJSONSchema decodes the output into the documented schema, refusing
// unknown fields, and checks that every documented key is present.
func TestJSONSchema(t *testing.T) {
	type jf struct {
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
	type doc struct {
		Version  int      `json:"version"`
		Mode     string   `json:"mode"`
		Config   string   `json:"config"`
		Scaffold string   `json:"scaffold"`
		Checks   []string `json:"checks"`
		Notes    []string `json:"notes"`
		Findings []jf     `json:"findings"`
		Summary  struct {
			Errors            int  `json:"errors"`
			Warnings          int  `json:"warnings"`
			Notes             int  `json:"notes"`
			Waived            int  `json:"waived"`
			Files             int  `json:"files"`
			FilesWithFindings int  `json:"filesWithFindings"`
			Failed            bool `json:"failed"`
		} `json:"summary"`
	}
	findingKeys := []string{"severity", "rule", "kind", "file", "line", "column", "field", "cluster", "component", "message", "hint", "diff", "waived"}
	topKeys := []string{"version", "mode", "config", "scaffold", "checks", "notes", "findings", "summary"}
	for _, r := range []*Report{sample(), clean()} {
		out := format(t, "json", false, r)
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.DisallowUnknownFields()
		var d doc
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("JSON output does not follow the schema: %v\n%s", err, out)
		}
		var raw map[string]any
		if err := json.Unmarshal(out, &raw); err != nil {
			t.Fatal(err)
		}
		for _, k := range topKeys {
			if _, ok := raw[k]; !ok {
				t.Errorf("key %q missing", k)
			}
		}
		if raw["findings"] == nil || raw["checks"] == nil || raw["notes"] == nil {
			t.Errorf("findings, checks and notes must be arrays, never null")
		}
		for i, f := range raw["findings"].([]any) {
			for _, k := range findingKeys {
				if _, ok := f.(map[string]any)[k]; !ok {
					t.Errorf("finding %d: key %q missing", i, k)
				}
			}
		}
		if d.Version != 1 || d.Mode != ModeFull {
			t.Errorf("version %d mode %q", d.Version, d.Mode)
		}
		e, w := Count(r.Findings)
		if d.Summary.Errors != e || d.Summary.Warnings != w || d.Summary.Notes != Notes(r.Findings) || len(d.Findings) != len(r.Findings) || d.Summary.Failed != (e > 0) {
			t.Errorf("summary %+v does not count %d findings (%d errors, %d warnings, %d notes)", d.Summary, len(d.Findings), e, w, Notes(r.Findings))
		}
		for _, f := range d.Findings {
			if f.Severity != "error" && f.Severity != "warning" && f.Severity != "note" {
				t.Errorf("severity %q", f.Severity)
			}
			want := map[string]string{"cue": "cue", "yaml": "yaml", "drift-missing": "drift", "drift-modified": "drift"}[f.Rule]
			if want == "" {
				want = "policy"
			}
			if f.Kind != want {
				t.Errorf("rule %s has kind %q; want %q", f.Rule, f.Kind, want)
			}
			if f.Rule == "chart-version-pinned" && (f.Line != 29 || f.Column != 5 || f.Field != "spec.sources[0].targetRevision") {
				t.Errorf("chart-version-pinned at %d:%d field %q", f.Line, f.Column, f.Field)
			}
		}
	}
}

func TestSARIF(t *testing.T) {
	out := format(t, "sarif", false, sample())
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string `json:"id"`
						ShortDescription struct {
							Text string `json:"text"`
						} `json:"shortDescription"`
						FullDescription struct {
							Text string `json:"text"`
						} `json:"fullDescription"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") {
		t.Fatalf("version %q $schema %q", log.Version, log.Schema)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "dorgu-gen" {
		t.Errorf("driver %q", run.Tool.Driver.Name)
	}
	ids := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		if r.ID == "" || r.ShortDescription.Text == "" || r.FullDescription.Text == "" {
			t.Errorf("rule %d lacks an id or a description: %+v", i, r)
		}
		if _, dup := ids[r.ID]; dup {
			t.Errorf("rule %s listed twice", r.ID)
		}
		ids[r.ID] = i
	}
	if len(ids) != len(sample().Rules) {
		t.Errorf("%d rules, want one per rule (%d)", len(ids), len(sample().Rules))
	}
	if got := run.Tool.Driver.Rules[ids["chart-version-pinned"]].FullDescription.Text; got != "Every chart source names an exact release." {
		t.Errorf("chart-version-pinned description %q", got)
	}
	if len(run.Results) != len(sample().Findings) {
		t.Fatalf("%d results, want %d", len(run.Results), len(sample().Findings))
	}
	pinned := false
	for _, res := range run.Results {
		i, ok := ids[res.RuleID]
		if !ok || res.RuleIndex == nil || *res.RuleIndex != i {
			t.Errorf("result of %s: rule index %v, want %d", res.RuleID, res.RuleIndex, i)
		}
		want := "error"
		switch res.RuleID {
		case "version-promotion":
			want = "note" // the sample's note
		case "openobserve-credentials", "sync-wave-order":
			want = "warning"
		}
		if res.Level != want {
			t.Errorf("result of %s: level %q, want %q", res.RuleID, res.Level, want)
		}
		if res.Message.Text == "" {
			t.Errorf("result of %s has no message", res.RuleID)
		}
		for _, l := range res.Locations {
			if l.PhysicalLocation.ArtifactLocation.URI == "" || strings.ContainsAny(l.PhysicalLocation.ArtifactLocation.URI, " %") && !strings.Contains(l.PhysicalLocation.ArtifactLocation.URI, "%20") {
				t.Errorf("uri %q", l.PhysicalLocation.ArtifactLocation.URI)
			}
			if r := l.PhysicalLocation.Region; r != nil && r.StartLine < 1 {
				t.Errorf("region starts at line %d", r.StartLine)
			}
		}
		if res.RuleID == "chart-version-pinned" {
			pinned = true
			l := res.Locations[0].PhysicalLocation
			if l.ArtifactLocation.URI != "infra-gitops/clusters/dev/apps/cert-manager.yaml" || l.Region == nil || l.Region.StartLine != 29 || l.Region.StartColumn != 5 {
				t.Errorf("chart-version-pinned at %+v", l)
			}
		}
	}
	if !pinned {
		t.Error("no chart-version-pinned result")
	}
}

func TestJUnit(t *testing.T) {
	type tc struct {
		Name      string `xml:"name,attr"`
		Classname string `xml:"classname,attr"`
		Failures  []struct {
			Message string `xml:"message,attr"`
			Type    string `xml:"type,attr"`
			Text    string `xml:",chardata"`
		} `xml:"failure"`
		SystemOut string `xml:"system-out"`
	}
	type suites struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []tc   `xml:"testcase"`
		} `xml:"testsuite"`
	}
	for _, failOnWarn := range []bool{false, true} {
		r := sample()
		r.FailOnWarn = failOnWarn
		out := format(t, "junit", false, r)
		if !bytes.HasPrefix(out, []byte(xml.Header)) {
			t.Errorf("no XML declaration")
		}
		var s suites
		if err := xml.Unmarshal(out, &s); err != nil {
			t.Fatalf("JUnit is not well-formed XML: %v\n%s", err, out)
		}
		tests, failures, failed := 0, 0, map[string]bool{}
		for _, su := range s.Suites {
			n := 0
			for _, c := range su.Cases {
				if c.Classname != su.Name {
					t.Errorf("case %s of suite %s has classname %s", c.Name, su.Name, c.Classname)
				}
				if len(c.Failures) > 0 {
					n++
					failed[su.Name+" "+c.Name] = true
				}
			}
			if su.Tests != len(su.Cases) || su.Failures != n {
				t.Errorf("suite %s: tests=%d failures=%d, has %d cases, %d failed", su.Name, su.Tests, su.Failures, len(su.Cases), n)
			}
			tests += su.Tests
			failures += su.Failures
		}
		if s.Tests != tests || s.Failures != failures {
			t.Errorf("testsuites: tests=%d failures=%d, want %d %d", s.Tests, s.Failures, tests, failures)
		}
		if len(s.Suites) != len(r.Rules) {
			t.Errorf("%d suites, want one per rule (%d)", len(s.Suites), len(r.Rules))
		}
		if !failed["chart-version-pinned infra-gitops/clusters/dev/apps/cert-manager.yaml"] {
			t.Errorf("the chart-version-pinned case of cert-manager.yaml did not fail")
		}
		if failed["chart-version-pinned infra-gitops/clusters/dev/apps/openobserve.yaml"] {
			t.Errorf("a case without finding failed")
		}
		warned := failed["openobserve-credentials infra-gitops/clusters/dev/values/open,observe: 100%.yaml"]
		if warned != failOnWarn {
			t.Errorf("a warning failed its case: %v, want %v (--fail-on-warn)", warned, failOnWarn)
		}
	}
}

// command is the grammar of a workflow command line:
// ::name key=value,key=value::message, with the property values escaped so
// that they hold no ',' ':' '\r' '\n', and the message no '\r' '\n'.
var command = regexp.MustCompile(`^::(error|warning|notice)( (file|line|col|endLine|endColumn|title)=[^,:\r\n]*(,(file|line|col|endLine|endColumn|title)=[^,:\r\n]*)*)?::[^\r\n]*$`)

func TestGitHubCommands(t *testing.T) {
	out := string(format(t, "github", false, sample()))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(sample().Findings)+len(sample().Notes) {
		t.Errorf("%d lines for %d findings and %d notes", len(lines), len(sample().Findings), len(sample().Notes))
	}
	for _, l := range lines {
		if !command.MatchString(l) {
			t.Errorf("not a workflow command: %q", l)
		}
		for _, m := range regexp.MustCompile(`%..`).FindAllString(l, -1) {
			switch m {
			case "%25", "%0D", "%0A", "%3A", "%2C":
			default:
				t.Errorf("stray %% escape %q in %q", m, l)
			}
		}
	}
	unescape := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%")
	want := "::warning file=infra-gitops/clusters/dev/values/open%2Cobserve%3A 100%25.yaml,title=openobserve-credentials::keeps the chart's default <password> & more: 100%25 known,%0D%0Asecond line"
	if !strings.Contains(out, want+"\n") {
		t.Errorf("escaping: want line\n%s\nin\n%s", want, out)
	}
	if got := unescape.Replace("keeps the chart's default <password> & more: 100%25 known,%0D%0Asecond line"); got != sample().Findings[len(sample().Findings)-1].Message && !strings.Contains(got, "second line") {
		t.Errorf("unescaped %q", got)
	}
	if !strings.Contains(out, "::error file=infra-gitops/clusters/dev/apps/cert-manager.yaml,line=29,col=5,title=chart-version-pinned::cert-manager in cluster \"dev\": chart version \"latest\" is not pinned%0Ahint: ") {
		t.Errorf("no annotation at the line of targetRevision:\n%s", out)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{"a%b": "a%25b", "a\r\nb": "a%0D%0Ab", "a:b,c": "a:b,c"} {
		if got := escapeData(in); got != want {
			t.Errorf("escapeData(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"a%b": "a%25b", "a\r\nb": "a%0D%0Ab", "a:b,c": "a%3Ab%2Cc"} {
		if got := escapeProperty(in); got != want {
			t.Errorf("escapeProperty(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDotted(t *testing.T) {
	for _, c := range []struct {
		in   []any
		want string
	}{
		{nil, ""},
		{[]any{"spec", "sources", json.Number("0"), "targetRevision"}, "spec.sources[0].targetRevision"},
		{[]any{"metadata", "annotations", "argocd.argoproj.io/sync-wave"}, `metadata.annotations["argocd.argoproj.io/sync-wave"]`},
	} {
		if got := Dotted(c.in); got != c.want {
			t.Errorf("Dotted(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestWaivedWarningsNeverFail: --fail-on-warn fails on a warning, never on
// a finding a waiver covers, in the exit status and in JUnit alike.
func TestWaivedWarningsNeverFail(t *testing.T) {
	waived := finding.Finding{Severity: finding.Warning, Rule: "r", Kind: finding.KindPolicy, File: "a.yaml", Message: "m [waived: ok]", Waived: "ok"}
	r := &Report{Mode: ModeFull, Files: []string{"a.yaml"}, FailOnWarn: true, Findings: []finding.Finding{waived}}
	if r.Failed() {
		t.Error("a waived warning failed the run with --fail-on-warn")
	}
	if got := r.SummaryLine(); !strings.HasPrefix(got, "vet passed: 0 errors, 1 warning (1 waived) in 1 file;") {
		t.Errorf("summary = %q", got)
	}
	if out := string(format(t, "junit", false, r)); strings.Contains(out, "<failure") {
		t.Errorf("JUnit reports a waived warning as a failure:\n%s", out)
	}
	if out := string(format(t, "github", false, r)); !strings.HasPrefix(out, "::notice file=a.yaml,title=r::") {
		t.Errorf("GitHub annotates a waived finding as more than a notice:\n%s", out)
	}
	if out := string(format(t, "sarif", false, r)); !strings.Contains(out, `"level": "note"`) || strings.Contains(out, `"level": "warning"`) {
		t.Errorf("SARIF gives a waived finding another level than note:\n%s", out)
	}
	r.Findings = append(r.Findings, finding.Finding{Severity: finding.Warning, Rule: "r", Kind: finding.KindPolicy, File: "b.yaml", Message: "m"})
	if !r.Failed() {
		t.Error("an unwaived warning did not fail the run with --fail-on-warn")
	}
}

// A note is neither an error nor a warning: it never fails a run, not even
// with FailOnWarn, and the summary counts it apart.
func TestNotesNeverFail(t *testing.T) {
	r := clean()
	r.FailOnWarn = true
	r.Findings = []finding.Finding{{Severity: finding.Note, Rule: "version-promotion", Kind: finding.KindPolicy,
		File: "infra-gitops/clusters/prod/apps/argocd.yaml", Message: "nothing to promote from"}}
	if r.Failed() {
		t.Error("a note fails the run")
	}
	if got, want := r.SummaryLine(), "vet passed: 0 errors, 0 warnings, 1 note in 1 file; 6 scaffold files checked (full, sources, drift, scaffold)"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if out := string(format(t, "junit", false, r)); strings.Contains(out, "<failure") || !strings.Contains(out, "note: infra-gitops/clusters/prod/apps/argocd.yaml") {
		t.Errorf("junit reports a note as a failure, or not at all:\n%s", out)
	}
	if out := string(format(t, "github", false, r)); !strings.HasPrefix(out, "::notice file=infra-gitops/clusters/prod/apps/argocd.yaml,title=version-promotion::") {
		t.Errorf("github: %s", out)
	}
}
