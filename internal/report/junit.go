package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"slices"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/finding"
)

// JUnitFormatter writes JUnit XML: one test suite per rule, one test case
// per rule and scaffold file, failed by that rule's errors in that file
// (and by its warnings with --fail-on-warn; otherwise warnings are the test
// case's system-out). CUE findings are test cases of their own file.
type JUnitFormatter struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	Failures  []junitFailure `xml:"failure,omitempty"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// Format implements Formatter.
func (JUnitFormatter) Format(w io.Writer, r *Report) error {
	byRule := map[string][]finding.Finding{}
	var rules []Rule
	for _, rule := range r.Rules {
		if _, ok := byRule[rule.ID]; !ok {
			byRule[rule.ID] = nil
			rules = append(rules, rule)
		}
	}
	for _, f := range r.Findings {
		if _, ok := byRule[f.Rule]; !ok {
			rules = append(rules, Rule{ID: f.Rule, Kind: f.Kind})
		}
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	out := junitSuites{Name: "dorgu-gen vet"}
	for _, rule := range rules {
		fs := byRule[rule.ID]
		// The files of the suite: every scaffold file, except for CUE,
		// which checks the sources: their files with findings, or one
		// case for the sources as a whole.
		var files []string
		for _, f := range r.Files {
			switch rule.Kind {
			case finding.KindCUE:
			case finding.KindDrift:
				files = append(files, f)
			default:
				// Policies and YAML parsing read YAML files only.
				if strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml") {
					files = append(files, f)
				}
			}
		}
		for _, f := range fs {
			if !slices.Contains(files, f.File) {
				files = append(files, f.File)
			}
		}
		if len(files) == 0 {
			files = []string{""}
		}
		s := junitSuite{Name: rule.ID}
		for _, file := range files {
			name := file
			if name == "" {
				name = "(sources)"
				if rule.Kind != finding.KindCUE {
					name = "(scaffold)"
				}
			}
			c := junitCase{Name: name, Classname: rule.ID}
			var out []string
			for _, f := range fs {
				if f.File != file {
					continue
				}
				text := caseText(f)
				if f.Severity == finding.Error || (r.FailOnWarn && f.Severity == finding.Warning && f.Waived == "") {
					c.Failures = append(c.Failures, junitFailure{Message: f.Message, Type: string(f.Severity), Text: text})
				} else {
					out = append(out, string(f.Severity)+": "+text)
				}
			}
			c.SystemOut = strings.Join(out, "\n")
			s.Tests++
			if len(c.Failures) > 0 {
				s.Failures++
			}
			s.Cases = append(s.Cases, c)
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, s)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	buf.WriteByte('\n')
	// Lossless: the character references decode to the same text.
	_, err := w.Write(escapeEncoded(buf.Bytes(), xmlRef))
	return err
}

// caseText is a finding as a test failure's body: where, what, how to fix.
func caseText(f finding.Finding) string {
	s := f.Message
	if loc := f.Location(); loc != "" {
		s = loc + ": " + s
	}
	if f.Hint != "" {
		s += "\nhint: " + f.Hint
	}
	if f.Diff != "" {
		s += "\n" + f.Diff
	}
	return s
}
