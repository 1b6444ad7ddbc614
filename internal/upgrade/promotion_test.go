package upgrade

import (
	"errors"
	"strings"
	"testing"

	"github.com/dorgu/dorgu-gen/internal/stack"
)

// fleet builds a stack of clusters "name:environment:version" running
// demo ("-" for a cluster that does not run it).
func fleet(order []string, clusters ...string) (*stack.Stack, map[string]*stack.Component) {
	s := &stack.Stack{Promotion: order}
	for _, c := range clusters {
		parts := strings.Split(c, ":")
		cl := &stack.Cluster{Name: parts[0], Environment: parts[1]}
		if parts[2] != "-" {
			cl.Components = []*stack.Component{{Name: "demo", Version: parts[2]}}
		}
		s.Clusters = append(s.Clusters, cl)
	}
	return s, runningIn(s, "demo")
}

func move(s *stack.Stack, version string, clusters ...string) *Plan {
	p := &Plan{Component: "demo", Version: version}
	for _, name := range clusters {
		p.Changed = append(p.Changed, Move{Cluster: name, Environment: clusterOf(s, name).Environment})
	}
	return p
}

func TestPromotion(t *testing.T) {
	order := []string{"development", "staging", "production"}
	for _, tc := range []struct {
		name     string
		clusters []string
		version  string
		moving   []string
		refused  string // the environment refused, and the one to upgrade first
	}{
		{"the first environment is free", []string{"dev:development:1", "stg:staging:1", "prod:production:1"}, "2", []string{"dev"}, ""},
		{"after development", []string{"dev:development:2", "stg:staging:1", "prod:production:1"}, "2", []string{"stg"}, ""},
		{"production first", []string{"dev:development:1", "stg:staging:1", "prod:production:1"}, "2", []string{"prod"}, "production development"},
		{"staging can be skipped, as the policy allows", []string{"dev:development:2", "stg:staging:1", "prod:production:1"}, "2", []string{"prod"}, ""},
		{"every cluster at once", []string{"dev:development:1", "stg:staging:1", "prod:production:1"}, "2", []string{"dev", "stg", "prod"}, "staging development"},
		{"nothing to promote from", []string{"dev:development:-", "prod:production:1"}, "2", []string{"prod"}, ""},
		{"the first environment that runs it", []string{"dev:development:-", "stg:staging:1", "prod:production:1"}, "2", []string{"prod"}, "production staging"},
		{"an environment outside the order", []string{"dev:development:1", "sb:sandbox:1"}, "2", []string{"sb"}, ""},
		{"a rollback is a version no earlier environment runs", []string{"dev:development:2", "prod:production:2"}, "1", []string{"prod"}, "production development"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, running := fleet(order, tc.clusters...)
			err := checkPromotion(s, running, move(s, tc.version, tc.moving...))
			var pe *PromotionError
			if tc.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.As(err, &pe) || pe.Environment+" "+pe.First != tc.refused {
				t.Fatalf("got %v, want %s refused", err, tc.refused)
			}
		})
	}
	// Without an order, anything goes.
	s, running := fleet(nil, "dev:development:1", "prod:production:1")
	if err := checkPromotion(s, running, move(s, "2", "prod")); err != nil {
		t.Fatal(err)
	}
}

func TestPromotionMessage(t *testing.T) {
	s, running := fleet([]string{"development", "staging", "production"}, "dev:development:1.2.3", "prod-eu:production:1.2.3", "prod-us:production:1.2.3")
	err := checkPromotion(s, running, move(s, "2.0.0", "prod-eu", "prod-us"))
	want := "refusing to upgrade demo to 2.0.0 in production (clusters prod-eu, prod-us): no earlier environment runs 2.0.0 (development runs 1.2.3; staging does not run demo), and the config's promotion order is development, staging, production"
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
}
