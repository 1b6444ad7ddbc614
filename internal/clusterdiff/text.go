package clusterdiff

import (
	"fmt"
	"io"
	"strings"

	"github.com/dorgu/dorgu-gen/internal/report"
)

// ANSI colours of the text format.
const (
	bold  = "\x1b[1m"
	red   = "\x1b[31m"
	green = "\x1b[32m"
	cyan  = "\x1b[36m"
	reset = "\x1b[0m"
)

// Text writes the difference for a terminal: each cluster, each of its
// Applications whose objects change, each object with its diff, then a
// summary line. Everything the scaffolds control is escaped.
func Text(w io.Writer, r *Result, color bool) error {
	paint := func(c, s string) string {
		if !color {
			return s
		}
		return c + s + reset
	}
	var b strings.Builder
	cluster := "\x00"
	for _, a := range r.Apps {
		if a.Cluster != cluster {
			cluster = a.Cluster
			fmt.Fprintf(&b, "%s\n", paint(bold, "cluster "+clusterName(a.Cluster)))
		}
		fmt.Fprintf(&b, "  %s\n", paint(bold, appTitle(a)))
		for _, o := range a.Objects {
			fmt.Fprintf(&b, "    %s %s\n", paint(changeColor(o.Change), string(o.Change)), report.Escape(o.ID.String()))
			if o.SecretKeys != nil {
				fmt.Fprintf(&b, "      %s\n", secretLine(o.SecretKeys, report.Escape))
			}
			for _, l := range report.EscapeLines(o.Diff) {
				c := ""
				switch {
				case strings.HasPrefix(l, "+"):
					c = green
				case strings.HasPrefix(l, "-"):
					c = red
				case strings.HasPrefix(l, "@@"):
					c = cyan
				}
				if c != "" {
					l = paint(c, l)
				}
				fmt.Fprintf(&b, "      %s\n", l)
			}
		}
		if len(a.Regenerated) > 0 {
			fmt.Fprintf(&b, "    regenerated at every render, not compared:\n")
			for _, g := range a.Regenerated {
				fmt.Fprintf(&b, "      %s: %s\n", report.Escape(g.ID.String()), report.Escape(strings.Join(g.Fields, ", ")))
			}
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", report.Escape(n))
	}
	fmt.Fprintf(&b, "%s\n", Summary(r))
	_, err := io.WriteString(w, b.String())
	return err
}

func changeColor(c Change) string {
	switch c {
	case Added:
		return green
	case Removed:
		return red
	}
	return cyan
}

// Summary is one line that says how much changes.
func Summary(r *Result) string {
	c := r.Counts()
	if c.Total() == 0 {
		return fmt.Sprintf("diff: no object changes from %s to %s", report.Escape(r.Base), report.Escape(r.Head))
	}
	return "diff: " + phrase(r, report.Escape(r.Base), report.Escape(r.Head))
}

// phrase says how much changes between base and head, escaped as the
// format needs.
func phrase(r *Result, base, head string) string {
	c := r.Counts()
	return fmt.Sprintf("%s change from %s to %s, in %s of %s: %d added, %d removed, %d changed",
		report.Plural(c.Total(), "object", "objects"), base, head,
		report.Plural(countChanged(r.Apps), "Application", "Applications"), report.Plural(len(r.Clusters()), "cluster", "clusters"),
		c.Added, c.Removed, c.Changed)
}

func clusterName(c string) string {
	if c == "" {
		return "(none named)"
	}
	return report.Escape(c)
}

// appTitle names an Application with its chart and counts.
func appTitle(a App) string {
	var b strings.Builder
	if a.Name == ArgoCDFolder {
		b.WriteString("argocd/ folder (applied by hand)")
	} else {
		b.WriteString("Application " + report.Escape(a.Name))
	}
	if a.Chart != "" {
		b.WriteString(" (chart " + report.Escape(a.Chart) + ")")
	}
	c := a.Counts()
	fmt.Fprintf(&b, ": %d added, %d removed, %d changed", c.Added, c.Removed, c.Changed)
	return b.String()
}

// secretLine says which keys of a Secret change.
func secretLine(k *KeyChanges, esc func(string) string) string {
	var parts []string
	for _, p := range []struct {
		what string
		keys []string
	}{{"added", k.Added}, {"removed", k.Removed}, {"changed", k.Changed}} {
		if len(p.keys) > 0 {
			parts = append(parts, p.what+" "+esc(strings.Join(p.keys, ", ")))
		}
	}
	if len(parts) == 0 {
		return "Secret values are not shown; no key changes"
	}
	return "Secret values are not shown; keys " + strings.Join(parts, "; ")
}
