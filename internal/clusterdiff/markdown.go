package clusterdiff

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/report"
)

// CommentLimit is the most characters GitHub takes in the body of a
// pull-request comment.
const CommentLimit = 65536

// Marker is the first line of the markdown: a comment that a CI job finds
// to update its own pull-request comment rather than add another.
const Marker = "<!-- dorgu-gen diff -->"

// cutReserve is the room kept for the note that says what was cut.
const cutReserve = 2048

// Markdown writes the difference for a pull-request comment: a summary
// table of the Applications that change in each cluster with their counts,
// then a collapsible section per Application with its objects' diffs. It
// stays below limit bytes (so below as many characters): when everything
// does not fit, whole objects are left out from the first that does not,
// and a last paragraph says which Applications are not shown in full.
func Markdown(w io.Writer, r *Result, limit int) error {
	var b strings.Builder
	b.WriteString(Marker + "\n")
	b.WriteString("### dorgu-gen diff\n\n")
	c := r.Counts()
	if c.Total() == 0 {
		fmt.Fprintf(&b, "No Kubernetes object changes from %s to %s.\n", md(r.Base), md(r.Head))
	} else {
		fmt.Fprintf(&b, "%s.\n\n", phrase(r, md(r.Base), md(r.Head)))
		b.WriteString("| Cluster | Application | Added | Removed | Changed |\n| --- | --- | ---: | ---: | ---: |\n")
	}
	budget := limit - cutReserve
	var cut []string
	rows := 0
	for _, a := range r.Apps {
		if len(a.Objects) == 0 {
			continue
		}
		n := a.Counts()
		row := fmt.Sprintf("| %s | %s | %d | %d | %d |\n", md(clusterLabel(a.Cluster)), md(a.Name), n.Added, n.Removed, n.Changed)
		// The table takes at most half the room, so that diffs show.
		if b.Len()+len(row) > budget/2 {
			cut = append(cut, "the summary table's last rows")
			fmt.Fprintf(&b, "| … | %d more Applications | | | |\n", countChanged(r.Apps)-rows)
			break
		}
		b.WriteString(row)
		rows++
	}
	b.WriteString("\n")

	var notShown []string
	for _, a := range r.Apps {
		if len(notShown) > 0 {
			notShown = append(notShown, appLabel(a))
			continue
		}
		sec, complete := section(a, budget-b.Len())
		b.WriteString(sec)
		if !complete {
			notShown = append(notShown, appLabel(a))
		}
	}
	for _, n := range r.Notes {
		line := "> note: " + md(n) + "\n"
		if b.Len()+len(line) > budget {
			cut = append(cut, "notes")
			break
		}
		b.WriteString(line)
	}
	if len(notShown) > 0 {
		shown := notShown
		if len(shown) > 20 {
			shown = append(shown[:20:20], fmt.Sprintf("and %d more", len(notShown)-20))
		}
		cut = append(cut, fmt.Sprintf("the objects of %d %s (%s)", len(notShown), plural(len(notShown), "Application", "Applications"), strings.Join(shown, ", ")))
	}
	if len(cut) > 0 {
		note := fmt.Sprintf("\n**Cut to fit a pull-request comment (%d characters):** not shown here: %s. Run `dorgu-gen diff` to see every change.\n", CommentLimit, strings.Join(cut, "; "))
		if b.Len()+len(note) > limit {
			note = fmt.Sprintf("\n**Cut to fit a pull-request comment (%d characters).** Run `dorgu-gen diff` to see every change.\n", CommentLimit)
		}
		b.WriteString(note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// section is an Application's collapsible section, in at most room
// bytes: its objects from the first, as many as fit whole; complete is
// false when some are left out.
func section(a App, room int) (string, bool) {
	n := a.Counts()
	title := "<b>" + md(clusterLabel(a.Cluster)) + "</b> / <b>" + md(a.Name) + "</b>"
	if a.Chart != "" {
		title += " (chart " + md(a.Chart) + ")"
	}
	head := fmt.Sprintf("<details><summary>%s: %d added, %d removed, %d changed</summary>\n\n", title, n.Added, n.Removed, n.Changed)
	var regen strings.Builder
	if len(a.Regenerated) > 0 {
		regen.WriteString("Regenerated at every render, not compared:\n\n")
		for _, g := range a.Regenerated {
			fmt.Fprintf(&regen, "- %s: %s\n", code(g.ID.String()), md(strings.Join(g.Fields, ", ")))
		}
		regen.WriteString("\n")
	}
	const tail = "</details>\n\n"
	const more = "_%d more objects of this Application not shown._\n\n"
	var b strings.Builder
	b.WriteString(head)
	for i, o := range a.Objects {
		obj := object(o)
		reserve := len(tail) + len(fmt.Sprintf(more, len(a.Objects))) + regen.Len()
		if b.Len()+len(obj)+reserve > room {
			left := len(a.Objects) - i
			if i == 0 {
				// An object too long for the room left is cut at a
				// line rather than left out.
				if obj, ok := objectCut(o, room-b.Len()-reserve); ok {
					b.WriteString(obj)
					left--
				}
			}
			if left > 0 {
				fmt.Fprintf(&b, more, left)
			}
			b.WriteString(tail)
			return b.String(), false
		}
		b.WriteString(obj)
	}
	if b.Len()+regen.Len()+len(tail) > room {
		if b.Len()+len(tail) > room {
			return "", false
		}
		b.WriteString(tail)
		return b.String(), len(a.Regenerated) == 0
	}
	b.WriteString(regen.String())
	b.WriteString(tail)
	return b.String(), true
}

// object is one object's part of a section.
func object(o Object) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** %s\n\n", o.Change, code(o.ID.String()))
	if o.SecretKeys != nil {
		fmt.Fprintf(&b, "%s\n\n", secretLine(o.SecretKeys, func(s string) string { return code(s) }))
	}
	if o.Diff != "" {
		d := report.EscapeText(o.Diff)
		fence := strings.Repeat("`", max(3, longestRun(d, '`')+1))
		fmt.Fprintf(&b, "%sdiff\n%s%s\n\n", fence, d, fence)
	}
	return b.String()
}

// objectCut is an object whose diff is cut at a line to fit in room
// bytes, saying how much is left out; false when not even its heading
// fits.
func objectCut(o Object, room int) (string, bool) {
	lines := strings.SplitAfter(o.Diff, "\n")
	const cutNote = "_Diff cut here: %d more lines of it not shown._\n\n"
	for n := len(lines) - 1; n >= 0; n-- {
		c := o
		c.Diff = strings.Join(lines[:n], "")
		s := object(c)
		s += fmt.Sprintf(cutNote, len(lines)-n)
		if len(s) <= room {
			return s, true
		}
		// Halve the lines at a time: a diff may have thousands.
		if len(s) > 2*room && n > 1 {
			n = n/2 + 1
		}
	}
	return "", false
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// md escapes text that a scaffold controls for markdown: as the text
// format escapes it, then what markdown and HTML act on.
func md(s string) string {
	s = html.EscapeString(report.Escape(s))
	r := strings.NewReplacer("|", "&#124;", "`", "&#96;", "*", "&#42;", "_", "&#95;", "[", "&#91;", "]", "&#93;", "\\", "&#92;", "~", "&#126;")
	return r.Replace(s)
}

// code is text that a scaffold controls, set as code.
func code(s string) string { return "<code>" + md(s) + "</code>" }

func clusterLabel(c string) string {
	if c == "" {
		return "(none named)"
	}
	return c
}

func appLabel(a App) string { return md(clusterLabel(a.Cluster)) + "/" + md(a.Name) }

func countChanged(apps []App) int {
	n := 0
	for _, a := range apps {
		if len(a.Objects) > 0 {
			n++
		}
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
