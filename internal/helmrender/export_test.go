package helmrender

import (
	"os"
	"testing"

	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// Unloadable returns c with the same identity, whose loading fails with
// err: a render that needs it must come from the cache.
func Unloadable(c *Chart, err error) *Chart {
	u := *c
	u.load = func() (*chart.Chart, error) { return nil, err }
	return &u
}

// WriteFile writes a test file.
func WriteFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
