package fleet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// StandIn is a chart that stands in for a blessed component's in the
// benchmarks of the chart checks: the real charts are not part of the
// project, and the benchmarks run without the network. Each is sized after
// what its real chart renders: workloads with their ServiceAccount,
// ConfigMap and Service, RBAC, and CRDs of about the real total size.
type StandIn struct {
	Component string
	Chart     string
	// Workloads are the Deployments rendered; CRDs the custom resource
	// definitions, each of about CRDBytes of YAML.
	Workloads, CRDs, CRDBytes int
}

// StandIns are the six blessed components' stand-ins: about 180 objects
// and 3.8 MB of CRDs per cluster.
var StandIns = []StandIn{
	{Component: "argocd", Chart: "argo-cd", Workloads: 7, CRDs: 3, CRDBytes: 350_000},
	{Component: "cert-manager", Chart: "cert-manager", Workloads: 3, CRDs: 6, CRDBytes: 80_000},
	{Component: "ingress-nginx", Chart: "ingress-nginx", Workloads: 2},
	{Component: "external-secrets", Chart: "external-secrets", Workloads: 3, CRDs: 15, CRDBytes: 100_000},
	{Component: "cloudnative-pg", Chart: "cloudnative-pg", Workloads: 1, CRDs: 10, CRDBytes: 80_000},
	{Component: "openobserve", Chart: "openobserve", Workloads: 8},
}

// WriteChart writes the chart folder of s under dir and returns its path.
func (s StandIn) WriteChart(dir string) (string, error) {
	root := filepath.Join(dir, s.Chart)
	files := map[string]string{
		"Chart.yaml":  fmt.Sprintf("apiVersion: v2\nname: %s\nversion: 1.0.0\ndescription: A stand-in of the benchmarks, not the real chart.\n", s.Chart),
		"values.yaml": "replicaCount: 1\nimage:\n  tag: \"1.0\"\n",
	}
	var tpl strings.Builder
	for i := range s.Workloads {
		fmt.Fprintf(&tpl, workload, i)
	}
	tpl.WriteString(rbac)
	files["templates/workloads.yaml"] = tpl.String()
	for i := range s.CRDs {
		files[fmt.Sprintf("crds/crd-%02d.yaml", i)] = crd(s.Chart, i, s.CRDBytes)
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	return root, nil
}

const workload = `---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .Release.Name }}-w%[1]d
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-w%[1]d
data:
  config.yaml: |
    logLevel: info
    replicas: {{ .Values.replicaCount }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-w%[1]d
spec:
  selector:
    app.kubernetes.io/name: {{ .Release.Name }}-w%[1]d
  ports:
    - port: 8080
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-w%[1]d
  labels:
    app.kubernetes.io/name: {{ .Release.Name }}-w%[1]d
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Release.Name }}-w%[1]d
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Release.Name }}-w%[1]d
    spec:
      serviceAccountName: {{ .Release.Name }}-w%[1]d
      containers:
        - name: main
          image: "registry.example.test/{{ .Chart.Name }}:{{ .Values.image.tag }}"
          ports:
            - name: http
              containerPort: 8080
          resources:
            requests: {cpu: 50m, memory: 64Mi}
          volumeMounts:
            - name: config
              mountPath: /etc/app
      volumes:
        - name: config
          configMap:
            name: {{ .Release.Name }}-w%[1]d
`

const rbac = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ .Release.Name }}
rules:
  - apiGroups: [""]
    resources: ["configmaps", "secrets"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ .Release.Name }}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: {{ .Release.Name }}}
subjects:
  - {kind: ServiceAccount, name: {{ .Release.Name }}-w0, namespace: {{ .Release.Namespace }}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Release.Name }}
rules:
  - apiGroups: [""]
    resources: ["namespaces"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ .Release.Name }}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {{ .Release.Name }}}
subjects:
  - {kind: ServiceAccount, name: {{ .Release.Name }}-w0, namespace: {{ .Release.Namespace }}}
`

// crd is a CustomResourceDefinition of about size bytes: an OpenAPI
// schema of described string fields, as generated CRDs are.
func crd(chart string, i, size int) string {
	group := strings.ReplaceAll(chart, "-", "") + ".example.test"
	kind := fmt.Sprintf("Thing%02d", i)
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: thing%02ds.%s
spec:
  group: %s
  names: {kind: %s, plural: thing%02ds, singular: thing%02d, listKind: %sList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
`, i, group, group, kind, i, i, kind)
	for f := 0; b.Len() < size; f++ {
		fmt.Fprintf(&b, "                field%05d:\n                  type: string\n                  description: Field %d of %s, described at the length generated CRDs describe their fields, which is what makes them large.\n", f, f, kind)
	}
	return b.String()
}
