package charts

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// sourceRE is a chart repository or registry URL, as schema/stack.cue's
// #ChartSource says.
var sourceRE = regexp.MustCompile(`^(https?|oci)://[^/?#\s]+(/[^?#\s]*)?$`)

// Mirrors maps a repository URL, or a prefix of one ending at a "/", to the
// URL dorgu-gen downloads from instead. The Applications keep the upstream
// URL: only dorgu-gen's own downloads go to the mirror.
type Mirrors map[string]string

// ParseMirror parses --chart-mirror FROM=TO.
func ParseMirror(s string) (from, to string, err error) {
	from, to, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("--chart-mirror %q: expected FROM=TO, for example https://charts.jetstack.io=https://artifactory.acme.io/jetstack", s)
	}
	for _, u := range []string{from, to} {
		if !sourceRE.MatchString(u) {
			return "", "", fmt.Errorf("--chart-mirror %q: %q is not a chart repository URL (https://, http:// or oci://)", s, u)
		}
	}
	return from, to, nil
}

// Merge returns the mirrors of m overridden by those of over: the command
// line wins over the config.
func (m Mirrors) Merge(over Mirrors) Mirrors {
	out := Mirrors{}
	maps.Copy(out, m)
	maps.Copy(out, over)
	return out
}

// check validates every mapping.
func (m Mirrors) check() error {
	for _, from := range slices.Sorted(maps.Keys(m)) {
		for _, u := range []string{from, m[from]} {
			if !sourceRE.MatchString(u) {
				return fmt.Errorf("chart mirror %s=%s: %q is not a chart repository URL (https://, http:// or oci://)", from, m[from], u)
			}
		}
	}
	return nil
}

// rewrite returns where to download a repository from: the mirror of the
// longest matching prefix, and that prefix, or the URL itself and "".
func (m Mirrors) rewrite(repoURL string) (fetch, from string) {
	best := ""
	for f := range m {
		if under(repoURL, f) && len(f) > len(best) {
			best = f
		}
	}
	if best == "" {
		return repoURL, ""
	}
	rest := strings.TrimPrefix(strings.TrimSuffix(repoURL, "/"), strings.TrimSuffix(best, "/"))
	return strings.TrimSuffix(m[best], "/") + rest, best
}

// under reports whether u is prefix or below it, at a path boundary:
// https://charts.acme.io is under https://charts.acme.io, and
// https://charts.acme.io/x is too, but https://charts.acme.io.evil is not.
func under(u, prefix string) bool {
	u, prefix = strings.TrimSuffix(u, "/"), strings.TrimSuffix(prefix, "/")
	return u == prefix || strings.HasPrefix(u, prefix+"/")
}
