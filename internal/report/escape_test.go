package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/dorgu/dorgu-gen/internal/finding"
)

func TestEscapeString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"clusters/dev/apps/x.yaml", "clusters/dev/apps/x.yaml"},
		{"café\tnaïve", "café\tnaïve"},
		{"x\n::error file=a::pwned", `x\n::error file=a::pwned`},
		{"::error::pwned", `\x3a:error::pwned`},
		{" \u00a0 ::add-mask::x", " \u00a0 \\x3a:add-mask::x"},
		{"a ::b", "a ::b"},
		{"##[error]x", `#\x23[error]x`},
		{"###", `#\x23#`},
		{"say ##vso[task.setvariable]x", `say #\x23vso[task.setvariable]x`},
		{"\x1b[2J\x1b]0;title\a", `\x1b[2J\x1b]0;title\a`},
		{"a\rb", `a\rb`},
		{"\x00\x7f", `\x00\x7f`},
		{"\u0085\u009b", `\u0085\u009b`},
		{"\xff\xfe", `\xff\xfe`},
		{"abc\u202edef\u2066\u200b", `abc\u202edef\u2066\u200b`},
		{"\u2028\u2029", `\u2028\u2029`},
		{"tag\U000E0041", `tag\U000e0041`},
	} {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := EscapeText("a\n::b\r\n\x1bc\n"); got != "a\n\\x3a:b\\r\n\\x1bc\n" {
		t.Errorf("EscapeText = %q", got)
	}
}

// hostile is a report whose every string a pull request controls tries to
// start a workflow command, recolour the terminal or reorder the text.
func hostile(file, rule, msg, hint, diff, note string) *Report {
	r := sample()
	r.Notes = append(r.Notes, note)
	f := finding.Finding{Severity: finding.Error, Rule: rule, Kind: finding.KindPolicy, File: file, Line: 3, Column: 1,
		Message: msg, Hint: hint, Diff: diff, Cluster: "dev"}
	r.Findings = append(r.Findings, f, finding.Finding{Severity: finding.Warning, Rule: rule, Kind: finding.KindDrift, File: file, Message: msg, Diff: diff})
	r.Files = append(r.Files, file)
	return r
}

func TestFormatsEscapeHostileStrings(t *testing.T) {
	inject := "\n::error file=README.md,line=1::pwned\n"
	r := hostile(
		"infra-gitops/clusters/dev/apps/x"+inject+"##[add-mask]y\x1b[8m.yaml",
		"::stop-commands::tok",
		"line one"+inject+"  ::set-output name=x::1\r\n\u202egnp.exe\u009b31m",
		"::warning::hint",
		"--- a\n+++ b\n@@ -1 +1 @@\n ::error::context line\n-old\n+##[error]new\n",
		"::notice::note"+inject,
	)
	for _, name := range Formats {
		for _, color := range []bool{false, true} {
			out := format(t, name, color, r)
			checkOutput(t, name, color, out)
			if !bytes.Contains(out, []byte("pwned")) {
				t.Errorf("%s: the hostile message is not shown at all:\n%s", name, out)
			}
		}
	}
	text := string(format(t, "text", false, r))
	for _, want := range []string{
		`infra-gitops/clusters/dev/apps/x\n::error file=README.md,line=1::pwned\n#\x23[add-mask]y\x1b[8m.yaml:3:1: error \x3a:stop-commands::tok: line one`,
		"\n    \\x3a:error file=README.md,line=1::pwned\n",
		"\n      \\x3a:set-output name=x::1\n",
		`    \u202egnp.exe\u009b31m`,
		"    hint: \\x3a:warning::hint\n",
		"\n     \\x3a:error::context line\n",
		"\n    +#\\x23[error]new\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	// JSON keeps every string as it was: the escapes are JSON's own.
	var doc struct {
		Notes    []string `json:"notes"`
		Findings []struct{ File, Rule, Message, Hint, Diff string }
	}
	if err := json.Unmarshal(format(t, "json", false, r), &doc); err != nil {
		t.Fatal(err)
	}
	last := doc.Findings[len(doc.Findings)-1]
	if last.File != r.Findings[len(r.Findings)-1].File || last.Message != r.Findings[len(r.Findings)-1].Message || last.Diff != r.Findings[len(r.Findings)-1].Diff {
		t.Errorf("JSON changed the strings: %+v", last)
	}
}

// sgr matches the colour sequences the text format writes itself.
var sgr = regexp.MustCompile("\x1b\\[(0|1|31|32|33|36)m")

// checkOutput asserts what no output may hold, whatever the report: a line
// a CI runner takes as a command (other than the GitHub format's own, one
// per line), a character a terminal acts on (other than the text format's
// colours), "##" anywhere, or bytes that are not UTF-8.
func checkOutput(t *testing.T, name string, color bool, out []byte) {
	t.Helper()
	if !utf8.Valid(out) {
		t.Errorf("%s: output is not UTF-8: %q", name, out)
	}
	s := string(out)
	if name == "text" && color {
		s = sgr.ReplaceAllString(s, "")
	}
	for i, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if strings.Contains(line, "##") {
			t.Errorf("%s line %d holds ##: %q", name, i+1, line)
		}
		for _, r := range line {
			if r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029') {
				t.Errorf("%s line %d holds %U: %q", name, i+1, r, line)
				break
			}
		}
		trimmed := strings.TrimLeftFunc(line, unicode.IsSpace)
		if name == "github" {
			if !command.MatchString(line) {
				t.Errorf("github line %d is not one workflow command: %q", i+1, line)
			}
			continue
		}
		if strings.HasPrefix(trimmed, "::") {
			t.Errorf("%s line %d starts a workflow command: %q", name, i+1, line)
		}
	}
}

// FuzzFormats: whatever the strings of a finding, no format writes a line
// that a CI runner or a terminal acts on (see checkOutput).
func FuzzFormats(f *testing.F) {
	f.Add("x\n::error::a.yaml", "rule", "msg\n::warning::x", "hint", " ::error::a\n", "note")
	f.Add("a.yaml", "##[error]", "\r\n  ::add-mask::s", "\x1b[31m", "+##vso[x]\n", "\u202e")
	f.Add("\xff::", "::", "#", "#", "#", "::")
	f.Fuzz(func(t *testing.T, file, rule, msg, hint, diff, note string) {
		r := hostile(file, rule, msg, hint, diff, note)
		for _, name := range Formats {
			for _, color := range []bool{false, true} {
				out := format(t, name, color, r)
				checkOutput(t, name, color, out)
			}
		}
		// Escaped parts composed the way the CLI composes them.
		for _, l := range EscapeLines(msg) {
			checkOutput(t, "text", false, []byte("  "+Escape(file)+": "+l+"\n    "+l+"\n"))
		}
	})
}
