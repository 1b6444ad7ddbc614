package scaffold

import (
	"bytes"
	_ "embed"
	"path"
	"text/template"

	"github.com/dorgu/dorgu-gen/internal/stack"
)

//go:embed readme.md.tmpl
var readmeTemplate string

// requiredSecret is a Secret the operator creates for a component of a
// cluster, as the README lists it.
type requiredSecret struct {
	Component string
	Namespace string
	Secret    stack.RequiredSecret
}

// requiredSecrets lists the Secrets a cluster's components need from the
// operator, in the components' order.
func requiredSecrets(c *stack.Cluster) []requiredSecret {
	var out []requiredSecret
	for _, comp := range c.Components {
		for _, s := range comp.RequiresSecrets {
			out = append(out, requiredSecret{Component: comp.Name, Namespace: comp.Namespace, Secret: s})
		}
	}
	return out
}

type readmeData struct {
	Stack        *stack.Stack
	Roots        map[string]string
	RootsOfRoots map[string]string
	// Example is the cluster the bootstrap commands use: a hub, whose root
	// of roots brings up the clusters it manages too, else the first
	// cluster that runs its own ArgoCD.
	Example *stack.Cluster
}

func readme(s *stack.Stack) ([]byte, error) {
	t, err := template.New("README.md").Funcs(template.FuncMap{
		"argocd": func(c *stack.Cluster) *stack.Component {
			for _, comp := range c.Components {
				if comp.Chart == "argo-cd" {
					return comp
				}
			}
			return nil
		},
		"base": path.Base,
		// A path of the scaffold as the repository names it.
		"repo":            func(p string) string { return path.Join(s.Repo.Path, p) },
		"requiredSecrets": requiredSecrets,
	}).Parse(readmeTemplate)
	if err != nil {
		return nil, err
	}
	d := readmeData{Stack: s, Roots: map[string]string{}, RootsOfRoots: map[string]string{}}
	for _, c := range s.Clusters {
		d.Roots[c.Name] = RootAppPath(c.Name, s.MultiCluster)
		if c.Roots != nil {
			d.RootsOfRoots[c.Name] = RootsPath(c.Name)
		}
	}
	d.Example = example(s.Clusters)
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// example picks the cluster whose bootstrap the README spells out.
func example(clusters []*stack.Cluster) *stack.Cluster {
	for _, c := range clusters {
		if len(c.Manages) > 0 {
			return c
		}
	}
	for _, c := range clusters {
		if c.ManagedBy == "" {
			return c
		}
	}
	return clusters[0]
}
