// Package k8sshape writes a KCL package shaped like the official k8s package (ghcr.io/kcl-lang/k8s)
// for tests and benchmarks: nested api groups whose schemas import each other by
// package-root paths (`import apimachinery.pkg.apis.meta.v1`), documented attributes,
// optional and required ones, lists and dicts of schemas, and as many filler schemas as asked.
// Nothing of the real package is copied: the shape is the same, the text is generated.
package k8sshape

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Options sizes the package.
type Options struct {
	Name    string // package name (default "k8s")
	Version string // default "1.31.2"
	Groups  int    // extra api groups of filler schemas (default 20)
	Schemas int    // filler schemas per group (default 50)
}

// Write writes the package into dir (created) and returns the number of schemas written.
func Write(dir string, o Options) (int, error) {
	if o.Name == "" {
		o.Name = "k8s"
	}
	if o.Version == "" {
		o.Version = "1.31.2"
	}
	if o.Groups == 0 {
		o.Groups = 20
	}
	if o.Schemas == 0 {
		o.Schemas = 50
	}
	files := map[string]string{
		"kcl.mod": fmt.Sprintf("[package]\nname = %q\nedition = \"*\"\nversion = %q\n", o.Name, o.Version),
		"apimachinery/pkg/apis/meta/v1/object_meta.k":    objectMeta,
		"apimachinery/pkg/apis/meta/v1/label_selector.k": labelSelector,
		"api/core/v1/pod_spec.k":                         podSpec,
		"api/core/v1/container.k":                        container,
		"api/core/v1/service.k":                          service,
		"api/core/v1/config_map.k":                       configMap,
		"api/apps/v1/deployment.k":                       deployment,
	}
	n := 12
	for g := 0; g < o.Groups; g++ {
		for s := 0; s < o.Schemas; s++ {
			files[fmt.Sprintf("api/group%d/v1/kind%d.k", g, s)] = filler(g, s)
			n++
		}
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func filler(g, s int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\"\"\"\nGenerated schema Kind%d of group%d.\n\"\"\"\nimport apimachinery.pkg.apis.meta.v1\n\n", s, g)
	fmt.Fprintf(&b, "schema Kind%d:\n    r\"\"\"\n    Kind%d is a resource of group%d.\n\n    Attributes\n    ----------\n    apiVersion : str, default is \"group%d/v1\", required\n    \"\"\"\n\n", s, s, g, g)
	fmt.Fprintf(&b, "    apiVersion: \"group%d/v1\" = \"group%d/v1\"\n    kind: \"Kind%d\" = \"Kind%d\"\n    metadata?: v1.ObjectMeta\n    spec?: Kind%dSpec\n\n", g, g, s, s, s)
	fmt.Fprintf(&b, "schema Kind%dSpec:\n    \"\"\"Kind%dSpec is the spec of Kind%d.\"\"\"\n\n    size: int\n    mode?: \"Fast\" | \"Slow\"\n    tags?: {str:str}\n    items?: [str]\n", s, s, s)
	return b.String()
}

const objectMeta = `"""
This is the v1 module in k8s.apimachinery.pkg.apis.meta package.
"""

schema ObjectMeta:
    r"""
    ObjectMeta is metadata that all persisted resources must have.

    Attributes
    ----------
    name : str, default is Undefined, optional
        Name must be unique within a namespace.
    namespace : str, default is Undefined, optional
        Namespace defines the space within which each name must be unique.
    labels : {str:str}, default is Undefined, optional
        Map of string keys and values that can be used to organize and categorize objects.
    annotations : {str:str}, default is Undefined, optional
        Annotations is an unstructured key value map.
    """

    annotations?: {str:str}
    labels?: {str:str}
    name?: str
    namespace?: str
`

const labelSelector = `schema LabelSelector:
    r"""
    A label selector is a label query over a set of resources.

    Attributes
    ----------
    matchLabels : {str:str}, default is Undefined, optional
        matchLabels is a map of {key,value} pairs.
    """

    matchLabels?: {str:str}
`

const podSpec = `import apimachinery.pkg.apis.meta.v1

schema PodTemplateSpec:
    r"""
    PodTemplateSpec describes the data a pod should have when created from a template

    Attributes
    ----------
    metadata : v1.ObjectMeta, default is Undefined, optional
        Standard object's metadata.
    spec : PodSpec, default is Undefined, optional
        Specification of the desired behavior of the pod.
    """

    metadata?: v1.ObjectMeta
    spec?: PodSpec

schema PodSpec:
    r"""
    PodSpec is a description of a pod.

    Attributes
    ----------
    containers : [Container], default is Undefined, required
        List of containers belonging to the pod.
    restartPolicy : str, default is Undefined, optional
        Restart policy for all containers within the pod.
    nodeSelector : {str:str}, default is Undefined, optional
        NodeSelector is a selector which must be true for the pod to fit on a node.
    """

    containers: [Container]
    nodeSelector?: {str:str}
    restartPolicy?: "Always" | "OnFailure" | "Never"
    serviceAccountName?: str
`

const container = `schema Container:
    r"""
    A single application container that you want to run within a pod.

    Attributes
    ----------
    name : str, default is Undefined, required
        Name of the container specified as a DNS_LABEL.
    image : str, default is Undefined, optional
        Container image name.
    ports : [ContainerPort], default is Undefined, optional
        List of ports to expose from the container.
    """

    args?: [str]
    command?: [str]
    env?: [EnvVar]
    image?: str
    name: str
    ports?: [ContainerPort]

schema ContainerPort:
    r"""
    ContainerPort represents a network port in a single container.
    """

    containerPort: int
    name?: str
    protocol?: "TCP" | "UDP" | "SCTP"

schema EnvVar:
    r"""
    EnvVar represents an environment variable present in a Container.
    """

    name: str
    value?: str
`

const service = `import apimachinery.pkg.apis.meta.v1

schema Service:
    r"""
    Service is a named abstraction of software service.

    Attributes
    ----------
    apiVersion : str, default is "v1", required
        APIVersion defines the versioned schema of this representation of an object.
    """

    apiVersion: "v1" = "v1"
    kind: "Service" = "Service"
    metadata?: v1.ObjectMeta
    spec?: ServiceSpec

schema ServiceSpec:
    r"""
    ServiceSpec describes the attributes that a user creates on a service.
    """

    ports?: [ServicePort]
    selector?: {str:str}
    type?: str

schema ServicePort:
    r"""
    ServicePort contains information on service's port.
    """

    name?: str
    port: int
    targetPort?: int | str
`

const configMap = `import apimachinery.pkg.apis.meta.v1

schema ConfigMap:
    r"""
    ConfigMap holds configuration data for pods to consume.
    """

    apiVersion: "v1" = "v1"
    kind: "ConfigMap" = "ConfigMap"
    data?: {str:str}
    metadata?: v1.ObjectMeta
`

const deployment = `"""
This is the v1 module in k8s.api.apps package.
"""
import apimachinery.pkg.apis.meta.v1
import api.core.v1 as corev1

schema Deployment:
    r"""
    Deployment enables declarative updates for Pods and ReplicaSets.

    Attributes
    ----------
    apiVersion : str, default is "apps/v1", required
        APIVersion defines the versioned schema of this representation of an object.
    kind : str, default is "Deployment", required
        Kind is a string value representing the REST resource this object represents.
    metadata : v1.ObjectMeta, default is Undefined, optional
        Standard object's metadata.
    spec : DeploymentSpec, default is Undefined, optional
        Specification of the desired behavior of the Deployment.
    """

    apiVersion: "apps/v1" = "apps/v1"
    kind: "Deployment" = "Deployment"
    metadata?: v1.ObjectMeta
    spec?: DeploymentSpec

schema DeploymentSpec:
    r"""
    DeploymentSpec is the specification of the desired behavior of the Deployment.

    Attributes
    ----------
    replicas : int, default is Undefined, optional
        Number of desired pods.
    selector : v1.LabelSelector, default is Undefined, required
        Label selector for pods.
    template : corev1.PodTemplateSpec, default is Undefined, required
        Template describes the pods that will be created.
    """

    minReadySeconds?: int
    paused?: bool
    replicas?: int
    selector: v1.LabelSelector
    template: corev1.PodTemplateSpec
`
