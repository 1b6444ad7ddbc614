package charts

import (
	"errors"
	"fmt"
	"strings"
)

// UnavailableError is a chart that is not in the cache and that cannot be
// downloaded: offline, or the repository cannot be reached.
type UnavailableError struct {
	Ref Ref
	// URL is what would have been downloaded: the repository, its mirror,
	// or the chart archive.
	URL     string
	Offline bool
	// Err is why the download failed; nil when offline.
	Err error
}

func (e *UnavailableError) Error() string {
	if e.Offline {
		s := fmt.Sprintf("%s is not in the cache, and --offline forbids downloading it", e.Ref)
		if e.URL != e.Ref.RepoURL {
			s += " from " + redact(e.URL)
		}
		return s
	}
	return fmt.Sprintf("%s cannot be downloaded from %s: %v", e.Ref, redact(e.URL), e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// MismatchError is an archive whose sha256 is not the one its repository
// publishes, or not the one dorgu.lock records.
type MismatchError struct {
	Ref Ref
	// URL is where the archive came from.
	URL       string
	Got, Want string
	// Against names what Want comes from: "the repository" or the lock.
	Against string
}

func (e *MismatchError) Error() string {
	s := fmt.Sprintf("%s: the archive downloaded from %s has digest %s, but %s says %s", e.Ref, redact(e.URL), e.Got, e.Against, e.Want)
	if e.Against == "the repository" {
		return s + "\n  the download was corrupted or tampered with on the way, or the repository is inconsistent; nothing was kept"
	}
	return s + "\n  the repository now serves other bytes under a released version (or something between it and you changed them); dorgu-gen never updates a locked chart silently: if the new archive is trusted, delete its entry from " + e.Against + " and run dorgu-gen charts pull"
}

// Errors are the failures of a pull or of resolving the locked charts,
// one per chart, in the lock's order, and what to do about those that
// could not be downloaded.
type Errors struct {
	Errs []error
	// Remedy is set when a chart could not be downloaded.
	Remedy string
}

func (e *Errors) Error() string {
	var b strings.Builder
	for i, err := range e.Errs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(err.Error())
	}
	if e.Remedy != "" {
		b.WriteString("\n" + e.Remedy)
	}
	return b.String()
}

func (e *Errors) Unwrap() []error { return e.Errs }

// collect returns the errors of errs, nil when there is none, with remedy
// when one of them is a chart that could not be downloaded.
func collect(errs []error, remedy string) error {
	e := &Errors{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		e.Errs = append(e.Errs, err)
		var ue *UnavailableError
		if errors.As(err, &ue) {
			e.Remedy = remedy
		}
	}
	if len(e.Errs) == 0 {
		return nil
	}
	return e
}
