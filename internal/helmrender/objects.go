package helmrender

import (
	"encoding/json"
	"fmt"
)

// Object is one Kubernetes object a component deploys to a cluster, as
// ArgoCD applies it: a namespaced object without a namespace gets the
// Application's destination namespace, in its metadata too.
type Object struct {
	Cluster    string `json:"cluster"`
	Component  string `json:"component"`
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Namespace is "" for a cluster-scoped kind.
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Source is the chart template it came from (`# Source:`).
	Source string `json:"source"`
	// Hook lists the Helm hook events of a hook ("pre-install", "test");
	// ArgoCD runs them as sync hooks.
	Hook   []string        `json:"hook,omitempty"`
	Object json.RawMessage `json:"object"`
}

type objectMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// objects turns one render's documents into objects of a cluster and
// component, defaulting namespaces as ArgoCD does.
func objects(cluster, component, destNamespace string, scopes Scopes, res *Result) ([]Object, error) {
	out := make([]Object, 0, len(res.Docs))
	for _, d := range res.Docs {
		var m objectMeta
		if err := json.Unmarshal(d.Object, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", d.Source, err)
		}
		o := Object{
			Cluster: cluster, Component: component,
			APIVersion: m.APIVersion, Kind: m.Kind, Name: m.Metadata.Name, Namespace: m.Metadata.Namespace,
			Source: d.Source, Hook: d.Hook, Object: d.Object,
		}
		switch {
		case !scopes.Namespaced(m.APIVersion, m.Kind):
			o.Namespace = ""
		case o.Namespace == "":
			o.Namespace = destNamespace
			obj, err := withNamespace(d.Object, destNamespace)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", d.Source, err)
			}
			o.Object = obj
		}
		out = append(out, o)
	}
	return out, nil
}

// withNamespace sets metadata.namespace in a JSON object.
func withNamespace(obj json.RawMessage, ns string) (json.RawMessage, error) {
	var m map[string]any
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, err
	}
	meta, _ := m["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		m["metadata"] = meta
	}
	meta["namespace"] = ns
	return json.Marshal(m)
}

// crdScopes learns the kinds, scopes and API versions that the custom
// resource definitions among docs define.
func crdScopes(docs []Doc, scopes Scopes, apis map[string]bool) {
	for _, d := range docs {
		var crd struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Spec       struct {
				Group string `json:"group"`
				Scope string `json:"scope"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Served bool   `json:"served"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if json.Unmarshal(d.Object, &crd) != nil || crd.Kind != "CustomResourceDefinition" || groupOf(crd.APIVersion) != "apiextensions.k8s.io" {
			continue
		}
		s := crd.Spec
		if s.Group == "" || s.Names.Kind == "" {
			continue
		}
		scopes[s.Group+"/"+s.Names.Kind] = s.Scope != "Cluster"
		for _, v := range s.Versions {
			if v.Served {
				gv := s.Group + "/" + v.Name
				apis[gv] = true
				apis[gv+"/"+s.Names.Kind] = true
			}
		}
	}
}
