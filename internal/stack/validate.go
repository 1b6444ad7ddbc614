package stack

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"

	"github.com/dorgu/dorgu-gen/internal/config"
)

// The schema holds every constraint CUE can express. The checks here
// report, at the user's own field and with the valid choices, the mistakes
// whose CUE error would be obscure: a conflict inside the schema, an
// undefined field deep in a definition, a disjunction that lists every
// choice as a separate conflict.

// check validates the loaded sources before any cluster is evaluated, and
// learns the components, their dependencies and the clusters.
func (e *evaluator) check() error {
	// The instance's own error would be the first and only thing printed:
	// the mistakes precheck finds come first.
	if err := e.precheck(); err != nil {
		return err
	}
	if err := e.root.Err(); err != nil {
		return err
	}
	var err error
	if e.repo, err = e.resolveRepo(); err != nil {
		return err
	}
	var p problems
	e.indexComponents(&p)
	if p.empty() {
		if cyc := findCycle(e.deps); cyc != nil {
			pos := userPos(e.components[cyc[0]].v.LookupPath(compDependsOn))
			p.addf(pos, "dependsOn cycle: %s; sync waves need an order, so one of these dependencies must go", cycleString(cyc))
		}
	}
	e.indexClusters(&p)
	if p.empty() {
		e.checkGraphs(&p)
	}
	e.checkSelection(&p)
	if !p.empty() {
		return p.err()
	}
	e.selected = e.cfg.Clusters
	if len(e.selected) == 0 {
		e.selected = slices.Sorted(maps.Keys(e.clusters))
	}
	return nil
}

// precheck reports the mistakes that the schema rejects with a message that
// names only its own constraint: a top-level field that is not one of the
// config's, names that are not DNS-1123 labels, a repo that is not a Git
// URL, a chart mirror that is not a chart repository, an environment,
// provider or promotion entry that is not declared, a destination with
// both a server and a name, a malformed waiver.
func (e *evaluator) precheck() error {
	var p problems
	checkTopLevel(e.root, &p)
	checkNames(e.root, &p)
	p.add(precheckWaivers(e.root))
	checkRepoFields(e.root.LookupPath(pathRepo), &p)
	checkChartMirrors(e.root.LookupPath(pathChartMirrors), &p)
	checkChartRepos(e.root.LookupPath(pathComponents), &p)
	environments := labels(e.root.LookupPath(pathEnvironments))
	providers := labels(e.root.LookupPath(pathProviders))
	for _, c := range fields(e.root.LookupPath(pathClusters)) {
		if name := label(c); config.ValidName(name) {
			checkEnvironment(name, c, environments, &p)
			checkProvider(name, c, providers, &p)
			checkDestination(name, c, &p)
			checkACMEEmail(name, c, &p)
		}
	}
	checkPromotion(e.root.LookupPath(pathPromotion), environments, &p)
	return p.err()
}

func checkTopLevel(root cue.Value, p *problems) {
	for _, f := range fields(root) {
		name := label(f)
		if slices.Contains(topLevel, name) {
			continue
		}
		msg := fmt.Sprintf("unknown top-level field %q (a config sets %s)", name, strings.Join(topLevel, ", "))
		if s := suggest(name, topLevel); s != "" {
			msg = fmt.Sprintf("unknown top-level field %q; did you mean %q?", name, s)
		}
		p.addf(userPos(f), "%s", msg)
	}
}

// nameRule says what a DNS-1123 label is, for messages.
const nameRule = "is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)"

func checkNames(root cue.Value, p *problems) {
	for _, c := range fields(root.LookupPath(pathComponents)) {
		if name := label(c); !config.ValidName(name) {
			p.addf(userPos(c), "component name %q %s; it becomes a file name and part of the Application name", name, nameRule)
		}
	}
	for _, c := range fields(root.LookupPath(pathClusters)) {
		name := label(c)
		switch {
		case !config.ValidName(name):
			p.addf(userPos(c), "cluster name %q %s; it becomes a directory name and part of every Application name", name, nameRule)
		case reservedClusterName(name) && userPos(c).Filename() == config.FlagsSource:
			p.addf(token.NoPos, "--cluster %q: %s", name, reservedClusterReason)
		case reservedClusterName(name):
			p.addf(userPos(c), "cluster name %q: %s", name, reservedClusterReason)
		}
	}
}

// reservedClusterName reports whether a cluster name is one the schema's
// #ClusterName excludes: the name of ArgoCD's built-in project.
func reservedClusterName(name string) bool { return name == "default" }

// reservedClusterReason says why, for messages: CUE's own error would
// name only the schema's constraint.
const reservedClusterReason = "a cluster's AppProject takes the cluster's name, and \"default\" is ArgoCD's built-in project, which lets any repository deploy anything anywhere: the scaffold would replace it and put every Application of the cluster in it; rename the cluster"

func checkRepoFields(repo cue.Value, p *problems) {
	if s, pos, ok := userString(repo.LookupPath(repoURL)); ok && !validRepoURL(s) {
		p.addf(pos, "repo.url %q: expected an https://, ssh:// or git@ Git URL", s)
	}
	if s, pos, ok := userString(repo.LookupPath(repoRevision)); ok && s == "" {
		p.addf(pos, "repo.revision: empty; name the branch, tag or commit the Applications track (default \"main\")")
	}
	if s, pos, ok := userString(repo.LookupPath(repoPath)); ok {
		if why := repoPathProblem(s); why != "" {
			p.addf(pos, "repo.path %q: %s", s, why)
		}
	}
}

// repoPathProblem says what is wrong with a repo.path, or "": the rule of
// schema/stack.cue's #RepoPath, which CUE would report without saying why.
func repoPathProblem(p string) string {
	switch {
	case p == "":
		return ""
	case strings.HasPrefix(p, "/"):
		return "expected a folder relative to the repository's root, without a leading /"
	case strings.HasSuffix(p, "/"):
		return "expected no trailing /"
	case !repoPathRE.MatchString(p):
		return "expected folder names of letters, digits, '.', '_' and '-' joined by single slashes"
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return "expected a clean path inside the repository, without . or .. segments"
		}
	}
	return ""
}

var repoPathRE = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)

// chartSourceRE is schema/stack.cue's #ChartSource, for the message that
// names a mirror's key: CUE only says that the field is not allowed.
var chartSourceRE = regexp.MustCompile(`^(https?|oci)://[^/?#\s]+(/[^?#\s]*)?$`)

func checkChartMirrors(mirrors cue.Value, p *problems) {
	for _, m := range fields(mirrors) {
		if from := label(m); !chartSourceRE.MatchString(from) {
			p.addf(userPos(m), "chartMirrors: %q is not a chart repository URL; a mirror maps an https://, http:// or oci:// URL (or a prefix of one) to another", from)
		}
	}
}

// chartRepoRE is schema/component.cue's #Chart.repoURL scheme, for a
// message at the user's field that says what to write.
var chartRepoRE = regexp.MustCompile(`^(https?|oci)://`)

func checkChartRepos(components cue.Value, p *problems) {
	for _, c := range fields(components) {
		s, pos, ok := userString(c.LookupPath(compChartRepoURL))
		switch {
		case !ok || chartRepoRE.MatchString(s):
		case s == "":
			p.addf(pos, "components.%s.chart.repoURL: empty; name the chart repository, an https:// Helm repository or an oci:// registry", label(c))
		default:
			p.addf(pos, "components.%s.chart.repoURL %q: a chart repository is an https:// Helm repository or an oci:// registry (oci://%s, if it is one)", label(c), s, s)
		}
	}
}

// checkEnvironment checks that the environment a cluster names is
// declared. The schema's error would list every declared one as a
// separate conflict.
func checkEnvironment(name string, cv cue.Value, environments []string, p *problems) {
	s, pos, ok := userString(cv.LookupPath(clusterEnvironment))
	switch {
	case !ok || slices.Contains(environments, s):
	case pos.Filename() == config.FlagsSource:
		p.addf(token.NoPos, "--environment %q: unknown environment%s", s, known(s, environments))
	default:
		p.addf(pos, "clusters.%s.environment: unknown environment %q%s", name, s, known(s, environments))
	}
}

// checkEnvironmentSet checks that a cluster names one environment, once
// the names it gives are known to exist.
func checkEnvironmentSet(name string, cv cue.Value, environments []string, p *problems) {
	env := cv.LookupPath(clusterEnvironment)
	if _, err := env.String(); err == nil {
		return
	}
	if u, ok := userConjunct(env, anyValue); ok {
		// A disjunction of names; a value of another type, or an error, is
		// left to CUE's own message.
		if u.Err() == nil && u.IncompleteKind() == cue.StringKind {
			p.addf(u.Pos(), "clusters.%s.environment: not a single environment name; set one of %s", name, strings.Join(environments, ", "))
		}
		return
	}
	p.addf(userPos(cv), "clusters.%s: environment is required (one of %s)", name, strings.Join(environments, ", "))
}

func checkProvider(name string, cv cue.Value, providers []string, p *problems) {
	if s, pos, ok := userString(cv.LookupPath(clusterProvider)); ok && !slices.Contains(providers, s) {
		p.addf(pos, "clusters.%s.provider: unknown provider %q%s", name, s, known(s, providers))
	}
}

// checkDestination reports a destination with both a server and a name:
// ArgoCD would take one and drop the other silently.
func checkDestination(name string, cv cue.Value, p *problems) {
	dest := cv.LookupPath(clusterDestination)
	if dest.LookupPath(destServer).Exists() && dest.LookupPath(destName).Exists() {
		p.addf(userPos(dest.LookupPath(destName)), "clusters.%s.destination: set server or name, not both; ArgoCD identifies a cluster by one of them", name)
	}
}

// refusedContactRE is schema/persona.cue's #ContactEmail refusal: the
// domains Let's Encrypt refuses as an account contact. Its group is the
// domain, for the message.
var refusedContactRE = regexp.MustCompile(`(?i)@((?:[^@]*\.)?example\.(?:com|net|org)|[^@]*\.(?:example|invalid|localhost|test))$`)

// checkACMEEmail reports a Let's Encrypt issuer without acmeEmail, at the
// cluster, and an address Let's Encrypt refuses, at acmeEmail: the
// schema's errors say only that a field is required or out of bound.
func checkACMEEmail(name string, cv cue.Value, p *problems) {
	email := cv.LookupPath(clusterACMEEmail)
	if s, pos, ok := userString(email); ok {
		if m := refusedContactRE.FindStringSubmatch(s); m != nil {
			p.addf(pos, "clusters.%s.acmeEmail %q: Let's Encrypt refuses contacts at %s; use an address of your organisation that reads mail", name, s, m[1])
		}
		return
	}
	issuer, err := cv.LookupPath(clusterIssuer).String()
	if err != nil || !strings.HasPrefix(issuer, "letsencrypt-") {
		return
	}
	if _, err := email.String(); err != nil {
		p.addf(userPos(cv), "clusters.%s: acmeEmail is required with the issuer %s: Let's Encrypt registers the cluster's account under it and sends expiry notices there; set acmeEmail to an address of your organisation, or settings.issuer to \"selfsigned\"", name, issuer)
	}
}

// checkPromotion checks that the promotion order names each declared
// environment at most once.
func checkPromotion(v cue.Value, environments []string, p *problems) {
	u, ok := userConjunct(v, anyValue)
	if !ok {
		return
	}
	var order []string
	if err := u.Decode(&order); err != nil {
		p.addf(u.Pos(), "promotion: a list of environment names, earliest first")
		return
	}
	for i, env := range order {
		pos := userPos(u.LookupPath(index(i)))
		if !slices.Contains(environments, env) {
			p.addf(pos, "promotion: unknown environment %q%s", env, known(env, environments))
		} else if slices.Index(order, env) != i {
			p.addf(pos, "promotion: environment %q is listed twice", env)
		}
	}
}

// componentInfo is what deciding where a component runs needs.
type componentInfo struct {
	v                cue.Value
	required         bool
	enabledByDefault bool
	providesArgoCD   bool
	// publishes is the host label of the UI the component publishes, ""
	// for none; namespace is where its HTTPRoute lives.
	publishes string
	namespace string
}

// managed reports whether a cluster is managed by a hub's ArgoCD.
func managed(cv cue.Value) bool { return cv.LookupPath(clusterManagedBy).Exists() }

// requiredIn reports whether a component is required in a cluster: the
// ArgoCD component is, only where ArgoCD runs.
func (c *componentInfo) requiredIn(cv cue.Value) bool {
	return c.required && !(c.providesArgoCD && managed(cv))
}

// enabledIn reports whether a component runs in a cluster.
func (c *componentInfo) enabledIn(cv cue.Value, name string) bool {
	on := c.enabledByDefault && !(c.providesArgoCD && managed(cv))
	if b, err := cv.LookupPath(overridePath(name, overrideEnabled)).Bool(); err == nil {
		on = b
	}
	return on || c.requiredIn(cv)
}

// indexComponents learns every component and its dependencies, and checks
// that each declares what it must and depends on components that exist.
func (e *evaluator) indexComponents(p *problems) {
	e.components = map[string]*componentInfo{}
	e.deps = map[string][]string{}
	e.ingressDeps, e.graphs = nil, nil
	for _, c := range fields(e.root.LookupPath(pathComponents)) {
		name := label(c)
		if !config.ValidName(name) {
			continue // reported by precheck
		}
		var req []string
		for _, f := range compRequiredFields {
			if len(missing(c.LookupPath(f), "")) > 0 {
				req = append(req, f.String())
			}
		}
		if len(req) > 0 {
			p.addf(userPos(c), "components.%s: %s %s required (a component declares description and chart: {repoURL, name, version})", name, strings.Join(req, ", "), plural(len(req), "is", "are"))
			continue
		}
		info := &componentInfo{v: c}
		info.required, _ = c.LookupPath(compRequired).Bool()
		info.enabledByDefault, _ = c.LookupPath(compEnabledByDefault).Bool()
		info.providesArgoCD, _ = c.LookupPath(compProvidesArgoCD).Bool()
		info.publishes, _ = c.LookupPath(compPublishes).String()
		ns, _ := c.LookupPath(compNamespace).Default()
		info.namespace, _ = ns.String()
		e.components[name] = info
		deps := c.LookupPath(compDependsOn)
		var ds []string
		if err := deps.Decode(&ds); err != nil {
			p.addf(deps.Pos(), "components.%s.dependsOn must be a list of component names", name)
			continue
		}
		e.deps[name] = ds
	}
	names := slices.Sorted(maps.Keys(e.components))
	for _, name := range names {
		e.readIngressDeps(name, e.components[name].v, names, p)
	}
	for _, name := range slices.Sorted(maps.Keys(e.deps)) {
		for i, d := range e.deps[name] {
			if _, ok := e.components[d]; !ok {
				pos := userPos(e.components[name].v.LookupPath(compDependsOn).LookupPath(index(i)))
				p.addf(pos, "components.%s.dependsOn: unknown component %q%s", name, d, known(d, names))
			}
		}
	}
}

// indexClusters learns every cluster and checks what it refers to: the
// settings its environment must give, the components it overrides, its
// hub.
func (e *evaluator) indexClusters(p *problems) {
	e.clusters = map[string]cue.Value{}
	environments := labels(e.root.LookupPath(pathEnvironments))
	clusters := fields(e.root.LookupPath(pathClusters))
	if len(clusters) == 0 {
		p.addf(token.NoPos, "%s declares no clusters; add one, for example:\n\n\tclusters: \"dev\": environment: \"development\"", e.cfg.Origin)
	}
	for _, c := range clusters {
		name := label(c)
		if !config.ValidName(name) {
			continue // reported by precheck
		}
		e.clusters[name] = c
		checkEnvironmentSet(name, c, environments, p)
		e.checkSettings(name, c, p)
		e.checkOverrides(name, c, p)
	}
	e.manages = map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(e.clusters)) {
		if hub, ok := e.checkHub(name, e.clusters[name], p); ok {
			e.manages[hub] = append(e.manages[hub], name)
		}
	}
}

// checkSettings reports the settings a cluster's environment leaves
// without a value: an environment the config adds must set every setting,
// or every cluster of it must.
func (e *evaluator) checkSettings(name string, cv cue.Value, p *problems) {
	env, err := cv.LookupPath(clusterEnvironment).String()
	if err != nil {
		return // reported by precheck
	}
	m := missing(cv.LookupPath(clusterSettings), "")
	if len(m) == 0 {
		return
	}
	pos := userPos(e.root.LookupPath(pathEnvironments.Append(cue.Str(env))))
	if config.IsEmbedded(pos.Filename()) {
		pos = userPos(cv)
	}
	them := plural(len(m), "it", "them")
	p.addf(pos, "clusters.%s.settings: %s %s no value: environment %q does not set %s; set %s in environments.%s or in clusters.%s.settings", name, strings.Join(m, ", "), plural(len(m), "has", "have"), env, them, them, env, name)
}

// checkOverrides checks a cluster's per-component choices: each names a
// component, and none disables a required one.
func (e *evaluator) checkOverrides(name string, cv cue.Value, p *problems) {
	for _, o := range fields(cv.LookupPath(clusterComponents)) {
		cn := label(o)
		info, ok := e.components[cn]
		if !ok {
			p.addf(userPos(o), "clusters.%s.components: unknown component %q%s", name, cn, known(cn, slices.Sorted(maps.Keys(e.components))))
			continue
		}
		enabled := o.LookupPath(overrideEnabled)
		if en, err := enabled.Bool(); err == nil && !en && info.requiredIn(cv) {
			p.addf(userPos(enabled), "clusters.%s.components.%s: %s is required and cannot be disabled", name, cn, cn)
		}
	}
}

// checkHub checks who manages a cluster: a hub must be a declared cluster
// that runs its own ArgoCD, and a managed cluster must say how the hub's
// ArgoCD knows it. It returns the hub of a cluster that has a valid one.
func (e *evaluator) checkHub(name string, cv cue.Value, p *problems) (string, bool) {
	mb := cv.LookupPath(clusterManagedBy)
	if !mb.Exists() {
		return "", false
	}
	hub, err := mb.String()
	if err != nil {
		return "", false // the schema reports it
	}
	hv, ok := e.clusters[hub]
	switch {
	case hub == name:
		p.addf(userPos(mb), "clusters.%s.managedBy: a cluster cannot be its own hub; leave managedBy unset for a cluster that runs its own ArgoCD", name)
		return "", false
	case !ok:
		p.addf(userPos(mb), "clusters.%s.managedBy: unknown cluster %q%s", name, hub, known(hub, slices.Sorted(maps.Keys(e.clusters))))
		return "", false
	case managed(hv):
		p.addf(userPos(mb), "clusters.%s.managedBy: %s is itself managed by a hub; the hub must be a cluster that runs its own ArgoCD", name, hub)
		return "", false
	}
	dest := cv.LookupPath(clusterDestination)
	if !dest.LookupPath(destServer).Exists() && !dest.LookupPath(destName).Exists() {
		p.addf(userPos(mb), "clusters.%s: managed by %s, so it needs destination: {name: ...} or {server: ...}, as %s's ArgoCD knows the cluster", name, hub, hub)
	}
	return hub, true
}

// checkSelection checks that --cluster names declared clusters.
func (e *evaluator) checkSelection(p *problems) {
	if len(e.clusters) == 0 {
		return // reported by indexClusters
	}
	names := slices.Sorted(maps.Keys(e.clusters))
	for _, want := range e.cfg.Clusters {
		if _, ok := e.clusters[want]; !ok {
			p.addf(token.NoPos, "--cluster %q: %s declares no such cluster%s", want, e.cfg.Origin, known(want, names))
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// known phrases the valid choices, leading with the closest one.
func known(got string, choices []string) string {
	if len(choices) == 0 {
		return ""
	}
	if s := suggest(got, choices); s != "" {
		return fmt.Sprintf("; did you mean %q? (known: %s)", s, strings.Join(choices, ", "))
	}
	return fmt.Sprintf(" (known: %s)", strings.Join(choices, ", "))
}
