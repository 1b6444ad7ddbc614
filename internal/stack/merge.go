package stack

// mergeValues layers src over dst the way Helm merges values files: maps
// merge key by key, anything else (lists included) is replaced, and an
// explicit null replaces too, so that it still removes the chart's default
// when Helm reads the file. dst is modified; src is not retained.
func mergeValues(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, sv := range src {
		sm, sIsMap := sv.(map[string]any)
		dm, dIsMap := dst[k].(map[string]any)
		if sIsMap && dIsMap {
			dst[k] = mergeValues(dm, sm)
			continue
		}
		if sIsMap {
			dst[k] = mergeValues(nil, sm)
			continue
		}
		dst[k] = sv
	}
	return dst
}
