package write

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// StateDir is the folder, inside the output directory, where dorgu-gen keeps
// its bookkeeping: the ledger (committed with the scaffold), and the lock
// and journal of a render in progress (never committed).
const StateDir = ".dorgu"

const (
	ledgerFile    = "ledger.json"
	lockFile      = "lock"
	journalFile   = "journal.json"
	gitignoreFile = ".gitignore"
	// gitignore keeps the transient files out of the scaffold's repository.
	gitignore = "# Written by dorgu-gen: the lock and journal of a render in progress.\nlock\njournal.json\n*.dorgu-tmp-*\n"
)

// Ledger records which files dorgu-gen generated and what it wrote, so that
// a later render can tell its own output from a hand edit.
type Ledger struct {
	Generator string `json:"generator"`
	Version   int    `json:"version"`
	// Files maps a slash path inside the output directory to the SHA-256
	// of the bytes dorgu-gen wrote there.
	Files map[string]string `json:"files"`
}

func newLedger() *Ledger {
	return &Ledger{Generator: "dorgu-gen", Version: 1, Files: map[string]string{}}
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// CorruptError is a ledger or journal that dorgu-gen cannot have written:
// unreadable, or with an entry outside the scaffold layout. Nothing is
// done on its word.
type CorruptError struct {
	File   string // the ledger or journal, as shown
	Entry  string // the offending entry, "" for the whole file
	Reason string
	Err    error // what was wrong on disk, when Reason is empty
	Fix    string
}

func (e *CorruptError) Error() string {
	s := e.File + ": "
	if e.Entry != "" {
		s += fmt.Sprintf("entry %q: ", e.Entry)
	}
	if e.Reason != "" {
		s += e.Reason
	} else {
		s += e.Err.Error()
	}
	return s + "; " + e.Fix
}

func (e *CorruptError) Unwrap() error { return e.Err }

const ledgerFix = "restore the ledger from Git, or delete it and render with --force to adopt every generated file; nothing was written"

// readLedger reads the ledger of the output directory; a missing ledger
// is an empty one.
func readLedger(d *outDir) (*Ledger, error) {
	data, ok, err := d.read(ledgerPath, MaxLedgerSize)
	if err != nil {
		return nil, err
	}
	if !ok {
		return newLedger(), nil
	}
	return parseLedger(d.show(ledgerPath), data)
}

// parseLedger decodes a ledger and checks every entry: a path of the
// scaffold layout and a SHA-256. A ledger entry names a file render may
// remove, so one that dorgu-gen could not have written (.git/config, a
// README of the user's) makes the whole ledger suspect.
func parseLedger(name string, data []byte) (*Ledger, error) {
	l := newLedger()
	if err := json.Unmarshal(data, l); err != nil || l.Generator != "dorgu-gen" || l.Files == nil {
		return nil, &CorruptError{File: name, Reason: fmt.Sprintf("not a dorgu-gen ledger (%v)", errOr(err, "unexpected content")), Fix: ledgerFix}
	}
	if l.Version != 1 {
		return nil, fmt.Errorf("%s: ledger version %d is newer than this dorgu-gen understands; upgrade dorgu-gen", name, l.Version)
	}
	if err := l.check(name, ledgerFix); err != nil {
		return nil, err
	}
	return l, nil
}

// check refuses an entry dorgu-gen cannot have written, naming the first
// in path order.
func (l *Ledger) check(name, fix string) error {
	for _, p := range slices.Sorted(maps.Keys(l.Files)) {
		if !inLayout(p) {
			return &CorruptError{File: name, Entry: p, Reason: "dorgu-gen never writes there (it writes only " + layoutHelp + ")", Fix: fix}
		}
		if !digestRE.MatchString(l.Files[p]) {
			return &CorruptError{File: name, Entry: p, Reason: "not a sha256:<hex> digest", Fix: fix}
		}
	}
	return nil
}

func (l *Ledger) encode() []byte {
	b, _ := json.MarshalIndent(l, "", "  ")
	return append(b, '\n')
}

func errOr(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}
