package configedit

import "cuelang.org/go/cue/parser"

// The fields of a config that upgrade sets, as the schema names them, in
// one place: a component's chart version (#Component's chart.version in
// schema/component.cue) and a cluster's override of it
// (#ComponentOverride's version in schema/persona.cue).

// ComponentVersion is the chart version of component.
func ComponentVersion(component string) Path {
	return Path{"components", component, "chart", "version"}
}

// ClusterVersion is cluster's override of component's chart version.
func ClusterVersion(cluster, component string) Path {
	return Path{"clusters", cluster, "components", component, "version"}
}

// Sets reports whether files set the field at p themselves, in a form
// Edit finds; a file that does not parse sets nothing.
func Sets(files []File, p Path) bool {
	for i, f := range files {
		af, err := parser.ParseFile(f.Name, f.Data, parser.ParseComments)
		if err != nil {
			continue
		}
		var found finds
		walker{file: i, path: p, found: &found}.walk(af.Decls, 0, nil, 0, nil)
		if len(found.leaves) > 0 {
			return true
		}
	}
	return false
}
