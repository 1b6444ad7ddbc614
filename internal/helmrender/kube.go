package helmrender

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
)

// KubernetesVersions are the Kubernetes versions dorgu-gen renders for
// when a cluster does not declare its own, oldest first: the minor
// versions upstream supports at the time of ArgoCD v3.5.1 and Helm 4.2.1,
// whose Kubernetes libraries are 1.36's. A cluster without kubeVersion
// gets the newest of them that the chart's kubeVersion constraint allows.
var KubernetesVersions = []string{"1.32.0", "1.33.0", "1.34.0", "1.35.0", "1.36.0"}

// KubeVersionFor picks the Kubernetes version to render a chart for: the
// cluster's declared version, which the chart must accept, else the
// newest of KubernetesVersions the chart accepts.
func KubeVersionFor(declared, constraint string) (string, error) {
	if declared != "" {
		kv, err := common.ParseKubeVersion(declared)
		if err != nil {
			return "", fmt.Errorf("kubeVersion %q: %w", declared, err)
		}
		if constraint != "" && !chartutil.IsCompatibleRange(constraint, kv.String()) {
			return "", fmt.Errorf("the chart requires Kubernetes %s; the cluster declares kubeVersion %s", constraint, declared)
		}
		return declared, nil
	}
	for _, v := range slices.Backward(KubernetesVersions) {
		if constraint == "" || chartutil.IsCompatibleRange(constraint, "v"+v) {
			return v, nil
		}
	}
	return "", fmt.Errorf("the chart requires Kubernetes %s, which none of %s satisfies; declare the cluster's kubeVersion", constraint, strings.Join(KubernetesVersions, ", "))
}

// apiResource is a kind a Kubernetes API server serves out of the box.
type apiResource struct {
	GroupVersion string
	Kind         string
	Namespaced   bool
	// Since is the first minor version of Kubernetes 1 that serves it at
	// this version; 0 for every version dorgu-gen renders for.
	Since int
}

// builtin are the kinds of the GA APIs a conformant cluster serves, as
// discovery lists them (subresources and API machinery kinds left out).
// ArgoCD sends a cluster's group/versions and group/version/kinds as
// --api-versions; without a cluster, these stand in for them.
var builtin = []apiResource{
	{"v1", "ConfigMap", true, 0},
	{"v1", "Endpoints", true, 0},
	{"v1", "Event", true, 0},
	{"v1", "LimitRange", true, 0},
	{"v1", "PersistentVolumeClaim", true, 0},
	{"v1", "Pod", true, 0},
	{"v1", "PodTemplate", true, 0},
	{"v1", "ReplicationController", true, 0},
	{"v1", "ResourceQuota", true, 0},
	{"v1", "Secret", true, 0},
	{"v1", "Service", true, 0},
	{"v1", "ServiceAccount", true, 0},
	{"v1", "ComponentStatus", false, 0},
	{"v1", "Namespace", false, 0},
	{"v1", "Node", false, 0},
	{"v1", "PersistentVolume", false, 0},
	{"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", false, 0},
	{"admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", false, 0},
	{"admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", false, 30},
	{"admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", false, 30},
	{"admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy", false, 36},
	{"admissionregistration.k8s.io/v1", "MutatingAdmissionPolicyBinding", false, 36},
	{"apiextensions.k8s.io/v1", "CustomResourceDefinition", false, 0},
	{"apiregistration.k8s.io/v1", "APIService", false, 0},
	{"apps/v1", "ControllerRevision", true, 0},
	{"apps/v1", "DaemonSet", true, 0},
	{"apps/v1", "Deployment", true, 0},
	{"apps/v1", "ReplicaSet", true, 0},
	{"apps/v1", "StatefulSet", true, 0},
	{"authentication.k8s.io/v1", "SelfSubjectReview", false, 0},
	{"authentication.k8s.io/v1", "TokenReview", false, 0},
	{"authorization.k8s.io/v1", "LocalSubjectAccessReview", true, 0},
	{"authorization.k8s.io/v1", "SelfSubjectAccessReview", false, 0},
	{"authorization.k8s.io/v1", "SelfSubjectRulesReview", false, 0},
	{"authorization.k8s.io/v1", "SubjectAccessReview", false, 0},
	{"autoscaling/v1", "HorizontalPodAutoscaler", true, 0},
	{"autoscaling/v2", "HorizontalPodAutoscaler", true, 0},
	{"batch/v1", "CronJob", true, 0},
	{"batch/v1", "Job", true, 0},
	{"certificates.k8s.io/v1", "CertificateSigningRequest", false, 0},
	{"coordination.k8s.io/v1", "Lease", true, 0},
	{"discovery.k8s.io/v1", "EndpointSlice", true, 0},
	{"events.k8s.io/v1", "Event", true, 0},
	{"flowcontrol.apiserver.k8s.io/v1", "FlowSchema", false, 0},
	{"flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration", false, 0},
	{"networking.k8s.io/v1", "Ingress", true, 0},
	{"networking.k8s.io/v1", "IngressClass", false, 0},
	{"networking.k8s.io/v1", "NetworkPolicy", true, 0},
	{"networking.k8s.io/v1", "IPAddress", false, 33},
	{"networking.k8s.io/v1", "ServiceCIDR", false, 33},
	{"node.k8s.io/v1", "RuntimeClass", false, 0},
	{"policy/v1", "PodDisruptionBudget", true, 0},
	{"rbac.authorization.k8s.io/v1", "ClusterRole", false, 0},
	{"rbac.authorization.k8s.io/v1", "ClusterRoleBinding", false, 0},
	{"rbac.authorization.k8s.io/v1", "Role", true, 0},
	{"rbac.authorization.k8s.io/v1", "RoleBinding", true, 0},
	{"resource.k8s.io/v1", "DeviceClass", false, 34},
	{"resource.k8s.io/v1", "ResourceClaim", true, 34},
	{"resource.k8s.io/v1", "ResourceClaimTemplate", true, 34},
	{"resource.k8s.io/v1", "ResourceSlice", false, 34},
	{"scheduling.k8s.io/v1", "PriorityClass", false, 0},
	{"storage.k8s.io/v1", "CSIDriver", false, 0},
	{"storage.k8s.io/v1", "CSINode", false, 0},
	{"storage.k8s.io/v1", "CSIStorageCapacity", true, 0},
	{"storage.k8s.io/v1", "StorageClass", false, 0},
	{"storage.k8s.io/v1", "VolumeAttachment", false, 0},
	{"storage.k8s.io/v1", "VolumeAttributesClass", false, 34},
}

// minor returns the minor version of a Kubernetes 1.x version string.
func minor(kubeVersion string) int {
	kv, err := common.ParseKubeVersion(kubeVersion)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(kv.Minor)
	return n
}

// BuiltinAPIVersions are the --api-versions of a conformant cluster of
// the given Kubernetes version: each group/version and each
// group/version/kind it serves, sorted, as ArgoCD lists them.
func BuiltinAPIVersions(kubeVersion string) []string {
	m := minor(kubeVersion)
	set := map[string]bool{}
	for _, r := range builtin {
		if r.Since > m {
			continue
		}
		set[r.GroupVersion] = true
		set[r.GroupVersion+"/"+r.Kind] = true
	}
	return sortedKeys(set)
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Scopes says which kinds are namespaced: the built-in ones, and the
// custom resources whose definitions are rendered for the same cluster.
// A kind it does not know is taken as namespaced, as almost all are.
type Scopes map[string]bool // "group/Kind" -> namespaced

// NewScopes returns the scopes of the built-in kinds.
func NewScopes() Scopes {
	s := Scopes{}
	for _, r := range builtin {
		s[groupOf(r.GroupVersion)+"/"+r.Kind] = r.Namespaced
	}
	return s
}

// Namespaced reports whether objects of apiVersion and kind live in a
// namespace.
func (s Scopes) Namespaced(apiVersion, kind string) bool {
	ns, ok := s[groupOf(apiVersion)+"/"+kind]
	return !ok || ns
}

func groupOf(apiVersion string) string {
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}
