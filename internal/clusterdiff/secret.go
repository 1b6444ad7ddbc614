package clusterdiff

import (
	"maps"
	"slices"

	"github.com/dorgu/dorgu-gen/internal/kubeyaml"
)

// secretFields are the fields of a Secret that hold its values.
var secretFields = []string{"data", "stringData"}

func isSecret(doc any) bool {
	m := asMap(doc)
	return m["kind"] == "Secret" && m["apiVersion"] == "v1"
}

// maskSecret replaces the values of a Secret with Hidden, those that
// differ from the other side's with HiddenChanged (a value regenerated at
// every render stays RegeneratedValue), and returns its keys.
func maskSecret(doc, other any) []string {
	var keys []string
	for _, f := range secretFields {
		vals := asMap(asMap(doc)[f])
		theirs := asMap(asMap(other)[f])
		for _, k := range slices.Sorted(maps.Keys(vals)) {
			keys = append(keys, f+"."+k)
			v := vals[k]
			if v == RegeneratedValue {
				continue
			}
			vals[k] = Hidden
			if o, ok := theirs[k]; ok && other != nil {
				if _, same := kubeyaml.Equal(v, o); !same {
					vals[k] = HiddenChanged
				}
			}
		}
	}
	return keys
}

// secretKeys masks a Secret on both sides (Secret or not: a Secret that
// becomes something else is masked all the same) and says which keys
// change.
func secretKeys(base, head any) *KeyChanges {
	// The head is masked against the base's values, before they are
	// masked in turn.
	hk := maskSecret(head, base)
	bk := maskSecret(base, nil)
	kc := &KeyChanges{}
	for _, k := range hk {
		if !slices.Contains(bk, k) {
			kc.Added = append(kc.Added, k)
		}
	}
	for _, k := range bk {
		if !slices.Contains(hk, k) {
			kc.Removed = append(kc.Removed, k)
		}
	}
	for _, f := range secretFields {
		for k, v := range asMap(asMap(head)[f]) {
			if v == HiddenChanged {
				kc.Changed = append(kc.Changed, f+"."+k)
			}
		}
	}
	slices.Sort(kc.Changed)
	return kc
}
