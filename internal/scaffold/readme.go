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

type readmeData struct {
	Stack *stack.Stack
	Roots map[string]string
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
	}).Parse(readmeTemplate)
	if err != nil {
		return nil, err
	}
	d := readmeData{Stack: s, Roots: map[string]string{}}
	for _, c := range s.Clusters {
		d.Roots[c.Name] = RootAppPath(c.Name, s.MultiCluster)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
