package write

import (
	"path"
	"regexp"
	"strings"
)

// The scaffold layout: the only files dorgu-gen ever creates, updates or
// removes, besides its own bookkeeping in .dorgu/. The writer checks every
// planned path, every ledger entry and every journal entry against it, so
// that a tampered plan, ledger or journal cannot reach .git/, a CI workflow
// or a file of the user's, whatever else it gets wrong. Cluster and
// component names are DNS-1123 labels (schema/names.cue).
var layout = regexp.MustCompile(`^(?:` +
	`README\.md` +
	`|argocd/` + label + `\.yaml` +
	`|clusters/` + label + `/apps/(?:` + label + `|_appproject)\.(?:yaml|json)` +
	`|clusters/` + label + `/values/` + label + `\.yaml` +
	`)$`)

const label = `[a-z0-9](?:[-a-z0-9]*[a-z0-9])?`

// layoutHelp is the layout as people read it, for messages.
const layoutHelp = "README.md, argocd/*.yaml, clusters/<cluster>/apps/*.yaml, clusters/<cluster>/values/*.yaml"

// The bookkeeping files, as slash paths inside the output directory.
const (
	ledgerPath    = StateDir + "/" + ledgerFile
	gitignorePath = StateDir + "/" + gitignoreFile
	lockPath      = StateDir + "/" + lockFile
	journalPath   = StateDir + "/" + journalFile
)

// inLayout reports whether p is a scaffold file dorgu-gen may generate.
// The pattern admits no "..", no empty or dot element, no backslash and no
// absolute path.
func inLayout(p string) bool { return layout.MatchString(p) }

// staged reports whether p may receive a staged file: a scaffold file, or
// one of the two bookkeeping files a render replaces by renaming.
func staged(p string) bool { return inLayout(p) || p == ledgerPath || p == gitignorePath }

// A staged file is named .<name>.dorgu-tmp-<random> and sits next to its
// destination <name>, so that renaming it into place is atomic. Older
// releases used os.CreateTemp's decimal random part, which the pattern
// accepts too.
var tmpName = regexp.MustCompile(`^\.(.+)\.dorgu-tmp-([0-9a-f]{1,32})$`)

// tmpFor names the staged file for dst with the random part r.
func tmpFor(dst, r string) string {
	return path.Join(path.Dir(dst), "."+path.Base(dst)+".dorgu-tmp-"+r)
}

// stagedFor returns the destination the staged file tmp is for, or "" when
// tmp is not named like one.
func stagedFor(tmp string) string {
	dir, base := path.Split(tmp)
	m := tmpName.FindStringSubmatch(base)
	if m == nil || strings.Contains(m[1], "/") {
		return ""
	}
	return dir + m[1]
}
