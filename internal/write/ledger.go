package write

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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

// readLedger reads the ledger of out; a missing ledger is an empty one.
func readLedger(out string) (*Ledger, error) {
	p := filepath.Join(out, StateDir, ledgerFile)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return newLedger(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, unwrap(err))
	}
	l := newLedger()
	if err := json.Unmarshal(data, l); err != nil || l.Generator != "dorgu-gen" || l.Files == nil {
		return nil, fmt.Errorf("%s: not a dorgu-gen ledger (%v); restore it from Git, or delete it and render with --force to adopt every generated file", p, errOr(err, "unexpected content"))
	}
	if l.Version != 1 {
		return nil, fmt.Errorf("%s: ledger version %d is newer than this dorgu-gen understands; upgrade dorgu-gen", p, l.Version)
	}
	return l, nil
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
