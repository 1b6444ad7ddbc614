package outdated

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/dorgu/dorgu-gen/internal/report"
)

// WriteJSON writes the report as the README's schema says. Versions and
// appVersions come from the repositories, so what a terminal or a CI log
// would act on is written as JSON escapes, as vet's JSON is.
func WriteJSON(w io.Writer, r *Report) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := w.Write(report.EscapeJSON(buf.Bytes()))
	return err
}

// WriteText writes the report as a table, one line per component and
// cluster, then a summary line. Names, versions and URLs come from the
// config and the repositories, so every cell is escaped as every text
// output is.
func WriteText(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tCLUSTER\tENVIRONMENT\tPINNED\tNEWEST\tAPP VERSION\tMAJOR\tSTATUS")
	for _, e := range r.Entries {
		major := "-"
		if e.Status == Outdated {
			major = "no"
			if e.Major {
				major = "yes"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			report.Escape(e.Component), report.Escape(e.Cluster), report.Escape(e.Environment),
			report.Escape(e.Pinned), orDash(report.Escape(e.Newest)), orDash(report.Escape(e.AppVersion)), major, e.Status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, r.SummaryLine())
	return err
}

// SummaryLine says how many pinned versions have a newer release.
func (r *Report) SummaryLine() string {
	s := r.Summary
	if s.Outdated == 0 {
		return fmt.Sprintf("%s, none outdated", report.Plural(s.Entries, "component in a cluster", "components in clusters"))
	}
	major := ""
	if s.Major > 0 {
		major = fmt.Sprintf(" (%d a major step)", s.Major)
	}
	return fmt.Sprintf("%d of %s outdated%s", s.Outdated, report.Plural(s.Entries, "component in a cluster is", "components in clusters are"), major)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
