package report

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What a pull request controls (file names, policy messages, the content
// of files that drift) ends up in output that terminals and CI systems
// interpret. Three things there act on text rather than show it:
//
//   - terminals obey control characters: ESC starts a sequence that can
//     recolour, hide or rewrite what was printed, CR returns to the start
//     of the line, and a raw C1 byte such as 0x9b is CSI on some of them;
//     Unicode bidi controls reorder what a reviewer reads;
//   - the GitHub Actions runner takes a line that starts with "::" after
//     leading white space as a workflow command (::error, ::add-mask,
//     ::stop-commands, ...), and a line holding "##[" anywhere as a
//     command of its older syntax; Azure Pipelines looks for "##vso[" and
//     TeamCity for "##teamcity[" in the same way;
//   - a newline in a file name or message starts a new line, which is how
//     either of the above gets to the start of one.
//
// So every string that did not come from dorgu-gen itself is escaped
// before it is printed: characters that act are written as Go-style
// escapes (\n, \x1b, \u202e), "##" as "#\x23", and a leading "::" as
// "\x3a:". The escapes are visible, so a reviewer sees that the name is
// strange instead of being shown something else.

// Escape returns s as it may be printed inside one line of text output: no
// line break, no character that a terminal or a CI log parser acts on, no
// "##", and no "::" at its start. Tabs are kept.
func Escape(s string) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	escapeTo(&b, s, false)
	return b.String()
}

// EscapeLines escapes a text of several lines: each line as Escape does (a
// CR before the LF that ends a line shows as \r). A trailing line break
// gives no empty last line.
func EscapeLines(s string) []string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return lines
}

// EscapeText escapes a text of several lines for output: each line as
// Escape does, joined with newlines, and a final newline kept.
func EscapeText(s string) string {
	if s == "" {
		return ""
	}
	out := strings.Join(EscapeLines(s), "\n")
	if strings.HasSuffix(s, "\n") {
		out += "\n"
	}
	return out
}

// escapeKeepNewlines escapes s as Escape does but keeps CR and LF: for the
// GitHub format, which escapes them in its own way.
func escapeKeepNewlines(s string) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	escapeTo(&b, s, true)
	return b.String()
}

// safe reports whether Escape would return s unchanged: the common case,
// checked without allocating.
func safe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c < 0x20 && c != '\t' || c == 0x7f || c == '#' && i+1 < len(s) && s[i+1] == '#' {
			return false
		}
	}
	return !commandStart(s)
}

// commandStart reports whether s starts, after white space, with "::".
func commandStart(s string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(s, unicode.IsSpace), "::")
}

func escapeTo(b *strings.Builder, s string, keepNewlines bool) {
	lineStart := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			// Not UTF-8: a raw byte that some terminals read as C1.
			fmt.Fprintf(b, `\x%02x`, s[i])
		case keepNewlines && (r == '\n' || r == '\r'):
			b.WriteRune(r)
			lineStart = true
			i += n
			continue
		case r == ':' && lineStart && strings.HasPrefix(s[i:], "::"):
			b.WriteString(`\x3a`)
		case r == '#' && strings.HasPrefix(s[i+1:], "#"):
			b.WriteString(`#\x23`)
			n = 2
		case acts(r):
			writeEscape(b, r)
		default:
			b.WriteRune(r)
		}
		if !unicode.IsSpace(r) || r == '\n' || r == '\r' {
			lineStart = false
		}
		i += n
	}
}

// acts reports whether printing r does something other than show a glyph:
// control characters (C0 but tab, DEL, C1), format characters (bidi
// controls, zero-width characters, byte order marks, tags) and the
// Unicode line and paragraph separators.
func acts(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r < utf8.RuneSelf:
		return false
	}
	return r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}

func writeEscape(b *strings.Builder, r rune) {
	switch r {
	case '\a':
		b.WriteString(`\a`)
	case '\b':
		b.WriteString(`\b`)
	case '\f':
		b.WriteString(`\f`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\v':
		b.WriteString(`\v`)
	default:
		switch {
		case r < 0x80:
			fmt.Fprintf(b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			fmt.Fprintf(b, `\U%08x`, r)
		}
	}
}

// escapeEncoded makes JSON or XML output safe for the same readers: the
// encoders leave DEL, C1, format characters and "##" as they are, and
// those can only occur inside strings, where a character reference (ref)
// stands for them without changing the decoded value.
func escapeEncoded(data []byte, ref func(r rune) string) []byte {
	clean := true
	for i := 0; i < len(data); i++ {
		if c := data[i]; c >= utf8.RuneSelf || c == 0x7f || c == '#' && i+1 < len(data) && data[i+1] == '#' {
			clean = false
			break
		}
	}
	if clean {
		return data
	}
	var b bytes.Buffer
	b.Grow(len(data) + 64)
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == '#' && i+1 < len(data) && data[i+1] == '#':
			b.WriteByte('#')
			b.WriteString(ref('#'))
			n = 2
		case r != utf8.RuneError && r != '\n' && acts(r):
			b.WriteString(ref(r))
		default:
			b.Write(data[i : i+n])
		}
		i += n
	}
	return b.Bytes()
}

// jsonRef is a JSON string escape (UTF-16, as JSON has it).
func jsonRef(r rune) string {
	if r > 0xffff {
		hi, lo := utf16Pair(r)
		return fmt.Sprintf(`\u%04x\u%04x`, hi, lo)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// xmlRef is an XML character reference.
func xmlRef(r rune) string { return fmt.Sprintf("&#x%X;", r) }

// EscapeJSON makes JSON that encoding/json wrote safe for terminals and
// CI logs, as the json format of vet is: what acts, and "##", become
// JSON escapes, which decode to the same strings.
func EscapeJSON(data []byte) []byte { return escapeEncoded(data, jsonRef) }
