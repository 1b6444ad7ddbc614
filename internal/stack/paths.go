package stack

import (
	"strings"

	"cuelang.org/go/cue"
)

// The CUE paths dorgu-gen reads and fills, in one place, as Timoni keeps
// its selectors: a field the schema renames is changed here, and nowhere
// else in the Go code spells a field name of the schema.

// Top-level fields of a config (schema/stack.cue). topLevel lists them
// for messages; the schema rejects any other with a constraint of its own.
var (
	pathRepo         = makePath("repo")
	pathComponents   = makePath("components")
	pathClusters     = makePath("clusters")
	pathEnvironments = makePath("environments")
	pathProviders    = makePath("providers")
	pathPromotion    = makePath("promotion")
	pathWaivers      = makePath("waivers")
	pathChartMirrors = makePath("chartMirrors")

	topLevel = []string{"chartMirrors", "clusters", "components", "environments", "promotion", "providers", "repo", "waivers"}
)

// Definitions of the schema that dorgu-gen unifies with its arguments.
var (
	pathRootDef       = makePath("#Root")    // a cluster's root Application
	pathRootsDef      = makePath("#Roots")   // a hub's root of roots
	pathProjectDef    = makePath("#Project") // a cluster's AppProject
	pathBaselineKinds = makePath("#BaselineClusterResources")
)

// The arguments dorgu-gen fills into a component, #Root or #Project.
var (
	argCluster   = makePath("#cluster")   // the cluster's persona, as data
	argRepo      = makePath("#repo")      // the scaffold's repository
	argWave      = makePath("#wave")      // the component's sync wave
	argIn        = makePath("#in")        // what #Project derives from the components
	argRoots     = makePath("#roots")     // the clusters whose roots #Roots syncs
	argPublished = makePath("#published") // the UIs a cluster's components publish
)

// The document each definition yields.
var (
	pathApplication = makePath("application") // of a component and of #Root
	pathAppProject  = makePath("appproject")  // of #Project
)

// Fields of repo.
var (
	repoURL      = makePath("url")
	repoRevision = makePath("revision")
	repoPath     = makePath("path")
)

// Fields of a component (#Component).
var (
	compDescription      = makePath("description")
	compChartRepoURL     = makePath("chart", "repoURL")
	compSourceRepoURL    = makePath("#sourceRepoURL") // as the Application names it
	compChartName        = makePath("chart", "name")
	compChartVersion     = makePath("chart", "version")
	compVersion          = makePath("version") // the version a cluster runs
	compDependsOn        = makePath("dependsOn")
	compIngressDependsOn = makePath("ingressDependsOn")
	compDeprecated       = makePath("deprecated")
	compPublishes        = makePath("publishes")
	compFreeformValues   = makePath("freeformValues")
	compRequiresSecrets  = makePath("requiresSecrets")
	compClusterResources = makePath("clusterResources")
	compNamespace        = makePath("#effective", "namespace")
	compRequired         = makePath("#effective", "required")
	compEnabledByDefault = makePath("#effective", "enabledByDefault")
	compProvidesArgoCD   = makePath("#effective", "providesArgoCD")
	// The values layers, in the order Helm merges them; the cluster's
	// own (overrideValues) comes last.
	compValueLayers = []cue.Path{makePath("values"), makePath("environmentValues"), makePath("providerValues")}

	// What a component must declare, named as messages print it.
	compRequiredFields = []cue.Path{compDescription, compChartRepoURL, compChartName, compChartVersion}
)

// Fields of a cluster (#ClusterPersona).
var (
	clusterEnvironment = makePath("environment")
	clusterProvider    = makePath("provider")
	clusterIngress     = makePath("ingress")
	clusterManagedBy   = makePath("managedBy")
	clusterKubeVersion = makePath("kubeVersion")
	clusterAPIVersions = makePath("apiVersions")
	clusterSettings    = makePath("settings")
	clusterIssuer      = makePath("settings", "issuer")
	clusterACMEEmail   = makePath("acmeEmail")
	clusterDestination = makePath("destination")
	clusterComponents  = makePath("components")

	destServer = makePath("server")
	destName   = makePath("name")
)

// Fields of a cluster's override of a component (#ComponentOverride).
var (
	overrideEnabled   = makePath("enabled")
	overrideDependsOn = makePath("dependsOn")
	overrideValues    = makePath("values")
)

// overridePath is the path, in a cluster, of a field of its override of
// a component.
func overridePath(component string, field cue.Path) cue.Path {
	return clusterComponents.Append(cue.Str(component)).Append(field.Selectors()...)
}

// Fields of a waiver (#Waiver).
var (
	waiverRule    = makePath("rule")
	waiverReason  = makePath("reason")
	waiverExpires = makePath("expires")
)

// makePath builds a path of field names; a name starting with # is a
// definition. Unlike cue.ParsePath, a name needs no quoting.
func makePath(names ...string) cue.Path {
	sels := make([]cue.Selector, len(names))
	for i, n := range names {
		if strings.HasPrefix(n, "#") {
			sels[i] = cue.Def(n)
		} else {
			sels[i] = cue.Str(n)
		}
	}
	return cue.MakePath(sels...)
}

// index is the path of a list element.
func index(i int) cue.Path { return cue.MakePath(cue.Index(i)) }
