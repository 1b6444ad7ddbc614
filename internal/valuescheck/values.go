package valuescheck

import "github.com/dorgu/dorgu-gen/internal/helmrender"

// readValues reads a values file as `helm template --values` reads it.
func readValues(content []byte) (map[string]any, error) {
	return helmrender.Values([][]byte{content})
}
