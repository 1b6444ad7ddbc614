package charts

import (
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Version is a chart version read as semantic versioning, as Helm orders
// an index's versions. A leading "v" is allowed (cert-manager's
// v1.21.1); anything else must be strict SemVer 2.0: "1.2" is not a
// release but a range, as the chart-version-pinned policy says.
type Version struct {
	// Raw is the version as the repository or the config spells it.
	Raw string
	v   *semver.Version
}

// ParseVersion reads s as a chart version; ok is false for anything that
// is not one.
func ParseVersion(s string) (Version, bool) {
	v, err := semver.StrictNewVersion(strings.TrimPrefix(s, "v"))
	if err != nil {
		return Version{}, false
	}
	return Version{Raw: s, v: v}, true
}

// Prerelease reports whether v is a pre-release (1.0.0-rc.1).
func (v Version) Prerelease() bool { return v.v.Prerelease() != "" }

// Compare orders versions by SemVer precedence; two that differ only in
// build metadata (or in the leading "v") are ordered by their spelling,
// so that a sort is deterministic.
func (v Version) Compare(o Version) int {
	if c := v.v.Compare(o.v); c != 0 {
		return c
	}
	return strings.Compare(v.Raw, o.Raw)
}

// Newer reports whether v takes precedence over o: build metadata and the
// spelling do not count.
func (v Version) Newer(o Version) bool { return v.v.GreaterThan(o.v) }

// MajorStep reports whether going from v to newer crosses a major
// version, the step SemVer allows to break things: 1.x to 2.x, and below
// 1.0.0, where SemVer promises nothing, 0.3.x to 0.4.x (Cargo's rule).
func (v Version) MajorStep(newer Version) bool {
	if v.v.Major() != newer.v.Major() {
		return true
	}
	return v.v.Major() == 0 && v.v.Minor() != newer.v.Minor()
}
