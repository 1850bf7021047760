// Package k8sgen writes a KCL package shaped like the official Kubernetes package
// (ghcr.io/kcl-lang/k8s): one schema per file with a long docstring, nested module directories
// (api/apps/v1, api/core/v1, apimachinery/pkg/apis/meta/v1, ...) that import each other by
// package-root paths (`import apimachinery.pkg.apis.meta.v1`, `import api.core.v1 as corev1`),
// literal-typed apiVersion/kind defaults, `$`-escaped keyword attributes and union types.
// Tests run programs against it through kpm and the reference; benchmarks measure them.
// Nothing of the real package is copied: the core schemas are a small hand-written subset and
// the rest is synthetic API groups of the same shape.
package k8sgen

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// Options sizes the package. The zero value gives the defaults.
type Options struct {
	// Name is the package name (default "k8s").
	Name string
	// Version is the package version in kcl.mod (default "1.31.2").
	Version string
	// Groups is the number of synthetic API groups beside core, apps and meta (default 40).
	Groups int
	// KindsPerGroup is the number of top-level kinds of each synthetic group version (default 12);
	// each kind brings a Spec, a Status, a List and a Condition schema.
	KindsPerGroup int
}

func (o *Options) defaults() {
	if o.Name == "" {
		o.Name = "k8s"
	}
	if o.Version == "" {
		o.Version = "1.31.2"
	}
	if o.Groups == 0 {
		o.Groups = 40
	}
	if o.KindsPerGroup == 0 {
		o.KindsPerGroup = 12
	}
}

// Stats says what Write produced.
type Stats struct {
	Schemas int
	Modules int
}

// Module import paths of the core modules, from the package root.
const (
	MetaV1 = "apimachinery.pkg.apis.meta.v1"
	CoreV1 = "api.core.v1"
	AppsV1 = "api.apps.v1"
)

// Program is a Deployment + Service + ConfigMap program for a package generated with the
// default name, as a user writes it after `kpm add k8s`.
const Program = `import k8s.api.apps.v1 as apps
import k8s.api.core.v1 as core

_name = "web"
_labels = {app = _name, tier = "frontend"}

config = core.ConfigMap {
    metadata = {name = _name + "-config", labels = _labels}
    data = {"LOG_LEVEL" = "info", "PORT" = "8080"}
}

deployment = apps.Deployment {
    metadata = {name = _name, labels = _labels}
    spec = {
        replicas = 3
        selector.matchLabels = _labels
        template = {
            metadata.labels = _labels
            spec.containers = [{
                name = _name
                image = "nginx:1.27"
                ports = [{containerPort = 8080, name = "http"}]
                envFrom = [{configMapRef.name = config.metadata.name}]
                resources = {limits = {cpu = "500m", memory = "256Mi"}, requests = {cpu = "100m", memory = "128Mi"}}
                readinessProbe.httpGet = {path = "/healthz", port = "http"}
            }]
        }
    }
}

service = core.Service {
    metadata = {name = _name, labels = _labels}
    spec = {
        selector = _labels
        ports = [{port = 80, targetPort = "http", $protocol = "TCP"}]
        $type = "ClusterIP"
    }
}
`

// field is one schema attribute.
type field struct {
	name     string // as written, `$` included for keywords
	typ      string
	required bool
	def      string // default value, "" for none
	doc      string
}

// schema is one generated schema, in its own file of module.
type schema struct {
	module  string // import path from the package root
	name    string
	doc     string
	imports []string // import lines
	fields  []field
}

// WriteProgram writes the package into dir/k8s and Program into dir/app/main.k: a package
// to run with the dependency k8s = pkg (kpm run -E k8s=PKG in app).
func WriteProgram(dir string, o Options) (pkg, app string, st Stats, err error) {
	pkg, app = filepath.Join(dir, "k8s"), filepath.Join(dir, "app")
	if st, err = Write(pkg, o); err != nil {
		return "", "", Stats{}, err
	}
	if err = os.MkdirAll(app, 0o755); err != nil {
		return "", "", Stats{}, err
	}
	if err = os.WriteFile(filepath.Join(app, "main.k"), []byte(Program), 0o644); err != nil {
		return "", "", Stats{}, err
	}
	return pkg, app, st, nil
}

// Write writes the package into dir (created when missing).
func Write(dir string, o Options) (Stats, error) {
	o.defaults()
	schemas := coreSchemas()
	for g := 0; g < o.Groups; g++ {
		versions := []string{"v1"}
		if g%3 == 0 {
			versions = append(versions, "v1beta1")
		}
		for _, v := range versions {
			schemas = append(schemas, groupSchemas(fmt.Sprintf("api.group%02d.%s", g, v), fmt.Sprintf("group%02d.example.io/%s", g, v), o.KindsPerGroup)...)
		}
	}
	mods := map[string]bool{}
	for _, s := range schemas {
		mods[s.module] = true
		p := filepath.Join(dir, filepath.Join(strings.Split(s.module, ".")...), snake(s.name)+".k")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return Stats{}, err
		}
		if err := os.WriteFile(p, []byte(s.render(o.Name)), 0o644); err != nil {
			return Stats{}, err
		}
	}
	mod := fmt.Sprintf("[package]\nname = %q\nedition = \"*\"\nversion = %q\ndescription = \"A generated package shaped like the Kubernetes package.\"\n", o.Name, o.Version)
	if err := os.WriteFile(filepath.Join(dir, "kcl.mod"), []byte(mod), 0o644); err != nil {
		return Stats{}, err
	}
	return Stats{Schemas: len(schemas), Modules: len(mods)}, nil
}

func (s schema) render(pkg string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\"\"\"\nThis is the %s module in %s.%s package.\nThis file was generated by k8sgen. DO NOT EDIT.\n\"\"\"\n", snake(s.name), pkg, s.module)
	imps := append([]string(nil), s.imports...)
	sort.Strings(imps)
	for _, i := range imps {
		b.WriteString(i + "\n")
	}
	fmt.Fprintf(&b, "\n\nschema %s:\n    r\"\"\"\n    %s\n\n    Attributes\n    ----------\n", s.name, s.doc)
	fields := append([]field(nil), s.fields...)
	sort.Slice(fields, func(i, j int) bool {
		return strings.TrimPrefix(fields[i].name, "$") < strings.TrimPrefix(fields[j].name, "$")
	})
	for _, f := range fields {
		def, req := "Undefined", "optional"
		if f.def != "" {
			def = f.def
		}
		if f.required {
			req = "required"
		}
		fmt.Fprintf(&b, "    %s : %s, default is %s, %s\n        %s\n", f.name, docType(f.typ), def, req, f.doc)
	}
	b.WriteString("    \"\"\"\n\n")
	for _, f := range fields {
		opt := "?"
		if f.required {
			opt = ""
		}
		if f.def != "" {
			fmt.Fprintf(&b, "\n    %s%s: %s = %s\n", f.name, opt, f.typ, f.def)
		} else {
			fmt.Fprintf(&b, "\n    %s%s: %s\n", f.name, opt, f.typ)
		}
	}
	b.WriteString("\n\n")
	return b.String()
}

// docType is how a docstring spells a type: literal types read as str.
func docType(t string) string {
	if strings.HasPrefix(t, `"`) {
		return "str"
	}
	return t
}

// snake turns a schema name into its file name: DeploymentSpec -> deployment_spec.
func snake(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func opt(name, typ, doc string) field { return field{name: name, typ: typ, doc: doc} }
func req(name, typ, doc string) field { return field{name: name, typ: typ, required: true, doc: doc} }

// resource gives the apiVersion, kind and metadata fields of a top-level kind.
func resource(apiVersion, kind, metaType string) []field {
	return []field{
		{name: "apiVersion", typ: fmt.Sprintf("%q", apiVersion), def: fmt.Sprintf("%q", apiVersion), required: true,
			doc: "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value."},
		{name: "kind", typ: fmt.Sprintf("%q", kind), def: fmt.Sprintf("%q", kind), required: true,
			doc: "Kind is a string value representing the REST resource this object represents. In CamelCase."},
		opt("metadata", metaType, "Standard object's metadata."),
	}
}

const (
	metaImport = "import apimachinery.pkg.apis.meta.v1"
	coreImport = "import api.core.v1 as corev1"
)

// coreSchemas is a hand-written subset of meta/v1, core/v1 and apps/v1: what a Deployment,
// a Service and a ConfigMap use.
func coreSchemas() []schema {
	meta := func(name, doc string, fields ...field) schema {
		return schema{module: MetaV1, name: name, doc: doc, fields: fields}
	}
	core := func(name, doc string, imports []string, fields ...field) schema {
		return schema{module: CoreV1, name: name, doc: doc, imports: imports, fields: fields}
	}
	apps := func(name, doc string, imports []string, fields ...field) schema {
		return schema{module: AppsV1, name: name, doc: doc, imports: imports, fields: fields}
	}
	m := []string{metaImport}
	mc := []string{metaImport, coreImport}
	return []schema{
		meta("ObjectMeta", "ObjectMeta is metadata that all persisted resources must have.",
			opt("annotations", "{str:str}", "Annotations is an unstructured key value map."),
			opt("creationTimestamp", "str", "CreationTimestamp is a timestamp representing the server time when this object was created."),
			opt("finalizers", "[str]", "Must be empty before the object is deleted from the registry."),
			opt("generateName", "str", "GenerateName is an optional prefix, used by the server, to generate a unique name."),
			opt("generation", "int", "A sequence number representing a specific generation of the desired state."),
			opt("labels", "{str:str}", "Map of string keys and values that can be used to organize and categorize objects."),
			opt("managedFields", "[ManagedFieldsEntry]", "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow."),
			opt("name", "str", "Name must be unique within a namespace."),
			opt("namespace", "str", "Namespace defines the space within which each name must be unique."),
			opt("ownerReferences", "[OwnerReference]", "List of objects depended by this object."),
			opt("resourceVersion", "str", "An opaque value that represents the internal version of this object."),
			opt("uid", "str", "UID is the unique in time and space value for this object.")),
		meta("ManagedFieldsEntry", "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
			opt("apiVersion", "str", "APIVersion defines the version of this resource that this field set applies to."),
			opt("fieldsType", "str", "FieldsType is the discriminator for the different fields format and version."),
			opt("fieldsV1", "any", "FieldsV1 holds the first JSON version format as described in the \"FieldsV1\" type."),
			opt("manager", "str", "Manager is an identifier of the workflow managing these fields."),
			opt("operation", "str", "Operation is the type of operation which lead to this ManagedFieldsEntry being created."),
			opt("time", "str", "Time is the timestamp of when the ManagedFields entry was added.")),
		meta("OwnerReference", "OwnerReference contains enough information to let you identify an owning object.",
			req("apiVersion", "str", "API version of the referent."),
			opt("blockOwnerDeletion", "bool", "If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed."),
			opt("controller", "bool", "If true, this reference points to the managing controller."),
			req("kind", "str", "Kind of the referent."),
			req("name", "str", "Name of the referent."),
			req("uid", "str", "UID of the referent.")),
		meta("LabelSelector", "A label selector is a label query over a set of resources.",
			opt("matchExpressions", "[LabelSelectorRequirement]", "matchExpressions is a list of label selector requirements. The requirements are ANDed."),
			opt("matchLabels", "{str:str}", "matchLabels is a map of {key,value} pairs.")),
		meta("LabelSelectorRequirement", "A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.",
			req("key", "str", "key is the label key that the selector applies to."),
			req("operator", "str", "operator represents a key's relationship to a set of values."),
			opt("values", "[str]", "values is an array of string values.")),
		meta("Condition", "Condition contains details for one aspect of the current state of this API Resource.",
			req("lastTransitionTime", "str", "lastTransitionTime is the last time the condition transitioned from one status to another."),
			req("message", "str", "message is a human readable message indicating details about the transition."),
			opt("observedGeneration", "int", "observedGeneration represents the .metadata.generation that the condition was set based upon."),
			req("reason", "str", "reason contains a programmatic identifier indicating the reason for the condition's last transition."),
			req("status", "str", "status of the condition, one of True, False, Unknown."),
			req("$type", "str", "type of condition in CamelCase or in foo.example.com/CamelCase.")),
		meta("ListMeta", "ListMeta describes metadata that synthetic resources must have.",
			opt("$continue", "str", "continue may be set if the user set a limit on the number of items returned."),
			opt("remainingItemCount", "int", "remainingItemCount is the number of subsequent items in the list which are not included in this list response."),
			opt("resourceVersion", "str", "String that identifies the server's internal version of this object.")),

		core("ConfigMap", "ConfigMap holds configuration data for pods to consume.", m, append(resource("v1", "ConfigMap", "v1.ObjectMeta"),
			opt("binaryData", "{str:str}", "BinaryData contains the binary data."),
			opt("data", "{str:str}", "Data contains the configuration data."),
			opt("immutable", "bool", "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated."))...),
		core("Service", "Service is a named abstraction of software service (for example, mysql) consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.", m, append(resource("v1", "Service", "v1.ObjectMeta"),
			opt("spec", "ServiceSpec", "Spec defines the behavior of a service."),
			opt("status", "ServiceStatus", "Most recently observed status of the service."))...),
		core("ServiceSpec", "ServiceSpec describes the attributes that a user creates on a service.", nil,
			opt("clusterIP", "str", "clusterIP is the IP address of the service and is usually assigned randomly."),
			opt("externalName", "str", "externalName is the external reference that discovery mechanisms will return as an alias for this service."),
			opt("ports", "[ServicePort]", "The list of ports that are exposed by this service."),
			opt("selector", "{str:str}", "Route service traffic to pods with label keys and values matching this selector."),
			opt("sessionAffinity", "str", "Supports \"ClientIP\" and \"None\"."),
			opt("$type", "str", "type determines how the Service is exposed.")),
		core("ServicePort", "ServicePort contains information on service's port.", nil,
			opt("appProtocol", "str", "The application protocol for this port."),
			opt("name", "str", "The name of this port within the service."),
			opt("nodePort", "int", "The port on each node on which this service is exposed when type is NodePort or LoadBalancer."),
			req("port", "int", "The port that will be exposed by this service."),
			opt("$protocol", "str", "The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\"."),
			opt("targetPort", "int | str", "Number or name of the port to access on the pods targeted by the service.")),
		core("ServiceStatus", "ServiceStatus represents the current status of a service.", m,
			opt("conditions", "[v1.Condition]", "Current service state."),
			opt("loadBalancer", "{str:any}", "LoadBalancer contains the current status of the load-balancer, if one is present.")),
		core("PodTemplateSpec", "PodTemplateSpec describes the data a pod should have when created from a template.", m,
			opt("metadata", "v1.ObjectMeta", "Standard object's metadata."),
			opt("spec", "PodSpec", "Specification of the desired behavior of the pod.")),
		core("PodSpec", "PodSpec is a description of a pod.", nil,
			opt("activeDeadlineSeconds", "int", "Optional duration in seconds the pod may be active on the node relative to StartTime."),
			opt("automountServiceAccountToken", "bool", "AutomountServiceAccountToken indicates whether a service account token should be automatically mounted."),
			req("containers", "[Container]", "List of containers belonging to the pod."),
			opt("hostNetwork", "bool", "Host networking requested for this pod."),
			opt("initContainers", "[Container]", "List of initialization containers belonging to the pod."),
			opt("nodeSelector", "{str:str}", "NodeSelector is a selector which must be true for the pod to fit on a node."),
			opt("restartPolicy", "str", "Restart policy for all containers within the pod."),
			opt("serviceAccountName", "str", "ServiceAccountName is the name of the ServiceAccount to use to run this pod."),
			opt("terminationGracePeriodSeconds", "int", "Optional duration in seconds the pod needs to terminate gracefully."),
			opt("volumes", "[Volume]", "List of volumes that can be mounted by containers belonging to the pod.")),
		core("Container", "A single application container that you want to run within a pod.", nil,
			opt("args", "[str]", "Arguments to the entrypoint."),
			opt("command", "[str]", "Entrypoint array. Not executed within a shell."),
			opt("env", "[EnvVar]", "List of environment variables to set in the container."),
			opt("envFrom", "[EnvFromSource]", "List of sources to populate environment variables in the container."),
			opt("image", "str", "Container image name."),
			opt("imagePullPolicy", "str", "Image pull policy. One of Always, Never, IfNotPresent."),
			opt("livenessProbe", "Probe", "Periodic probe of container liveness."),
			req("name", "str", "Name of the container specified as a DNS_LABEL."),
			opt("ports", "[ContainerPort]", "List of ports to expose from the container."),
			opt("readinessProbe", "Probe", "Periodic probe of container service readiness."),
			opt("resources", "ResourceRequirements", "Compute Resources required by this container."),
			opt("volumeMounts", "[VolumeMount]", "Pod volumes to mount into the container's filesystem."),
			opt("workingDir", "str", "Container's working directory.")),
		core("ContainerPort", "ContainerPort represents a network port in a single container.", nil,
			req("containerPort", "int", "Number of port to expose on the pod's IP address."),
			opt("hostPort", "int", "Number of port to expose on the host."),
			opt("name", "str", "If specified, this must be an IANA_SVC_NAME and unique within the pod."),
			opt("$protocol", "str", "Protocol for port. Must be UDP, TCP, or SCTP.")),
		core("EnvVar", "EnvVar represents an environment variable present in a Container.", nil,
			req("name", "str", "Name of the environment variable."),
			opt("value", "str", "Variable references $(VAR_NAME) are expanded using the previously defined environment variables.")),
		core("EnvFromSource", "EnvFromSource represents the source of a set of ConfigMaps.", nil,
			opt("configMapRef", "ConfigMapEnvSource", "The ConfigMap to select from."),
			opt("prefix", "str", "An optional identifier to prepend to each key in the ConfigMap.")),
		core("ConfigMapEnvSource", "ConfigMapEnvSource selects a ConfigMap to populate the environment variables with.", nil,
			opt("name", "str", "Name of the referent."),
			opt("optional", "bool", "Specify whether the ConfigMap must be defined.")),
		core("Probe", "Probe describes a health check to be performed against a container.", nil,
			opt("failureThreshold", "int", "Minimum consecutive failures for the probe to be considered failed after having succeeded."),
			opt("httpGet", "HTTPGetAction", "HTTPGet specifies the http request to perform."),
			opt("initialDelaySeconds", "int", "Number of seconds after the container has started before liveness probes are initiated."),
			opt("periodSeconds", "int", "How often (in seconds) to perform the probe."),
			opt("timeoutSeconds", "int", "Number of seconds after which the probe times out.")),
		core("HTTPGetAction", "HTTPGetAction describes an action based on HTTP Get requests.", nil,
			opt("host", "str", "Host name to connect to, defaults to the pod IP."),
			opt("path", "str", "Path to access on the HTTP server."),
			req("port", "int | str", "Name or number of the port to access on the container."),
			opt("scheme", "str", "Scheme to use for connecting to the host.")),
		core("ResourceRequirements", "ResourceRequirements describes the compute resource requirements.", nil,
			opt("limits", "{str:str}", "Limits describes the maximum amount of compute resources allowed."),
			opt("requests", "{str:str}", "Requests describes the minimum amount of compute resources required.")),
		core("Volume", "Volume represents a named volume in a pod that may be accessed by any container in the pod.", nil,
			opt("configMap", "ConfigMapVolumeSource", "configMap represents a configMap that should populate this volume."),
			opt("emptyDir", "{str:any}", "emptyDir represents a temporary directory that shares a pod's lifetime."),
			req("name", "str", "name of the volume.")),
		core("ConfigMapVolumeSource", "Adapts a ConfigMap into a volume.", nil,
			opt("defaultMode", "int", "defaultMode is optional: mode bits used to set permissions on created files by default."),
			opt("name", "str", "Name of the referent."),
			opt("optional", "bool", "optional specify whether the ConfigMap or its keys must be defined.")),
		core("VolumeMount", "VolumeMount describes a mounting of a Volume within a container.", nil,
			req("mountPath", "str", "Path within the container at which the volume should be mounted."),
			req("name", "str", "This must match the Name of a Volume."),
			opt("readOnly", "bool", "Mounted read-only if true, read-write otherwise."),
			opt("subPath", "str", "Path within the volume from which the container's volume should be mounted.")),

		apps("Deployment", "Deployment enables declarative updates for Pods and ReplicaSets.", m, append(resource("apps/v1", "Deployment", "v1.ObjectMeta"),
			opt("spec", "DeploymentSpec", "Specification of the desired behavior of the Deployment."),
			opt("status", "DeploymentStatus", "Most recently observed status of the Deployment."))...),
		apps("DeploymentSpec", "DeploymentSpec is the specification of the desired behavior of the Deployment.", mc,
			opt("minReadySeconds", "int", "Minimum number of seconds for which a newly created pod should be ready."),
			opt("paused", "bool", "Indicates that the deployment is paused."),
			opt("progressDeadlineSeconds", "int", "The maximum time in seconds for a deployment to make progress before it is considered to be failed."),
			opt("replicas", "int", "Number of desired pods."),
			opt("revisionHistoryLimit", "int", "The number of old ReplicaSets to retain to allow rollback."),
			req("selector", "v1.LabelSelector", "Label selector for pods."),
			opt("strategy", "DeploymentStrategy", "The deployment strategy to use to replace existing pods with new ones."),
			req("template", "corev1.PodTemplateSpec", "Template describes the pods that will be created.")),
		apps("DeploymentStrategy", "DeploymentStrategy describes how to replace existing pods with new ones.", nil,
			opt("rollingUpdate", "RollingUpdateDeployment", "Rolling update config params."),
			opt("$type", "str", "Type of deployment. Can be \"Recreate\" or \"RollingUpdate\".")),
		apps("RollingUpdateDeployment", "Spec to control the desired behavior of rolling update.", nil,
			opt("maxSurge", "int | str", "The maximum number of pods that can be scheduled above the desired number of pods."),
			opt("maxUnavailable", "int | str", "The maximum number of pods that can be unavailable during the update.")),
		apps("DeploymentStatus", "DeploymentStatus is the most recently observed status of the Deployment.", nil,
			opt("availableReplicas", "int", "Total number of available pods targeted by this deployment."),
			opt("conditions", "[DeploymentCondition]", "Represents the latest available observations of a deployment's current state."),
			opt("observedGeneration", "int", "The generation observed by the deployment controller."),
			opt("readyReplicas", "int", "Total number of ready pods targeted by this Deployment."),
			opt("replicas", "int", "Total number of non-terminated pods targeted by this deployment.")),
		apps("DeploymentCondition", "DeploymentCondition describes the state of a deployment at a certain point.", nil,
			opt("lastTransitionTime", "str", "Last time the condition transitioned from one status to another."),
			opt("message", "str", "A human readable message indicating details about the transition."),
			opt("reason", "str", "The reason for the condition's last transition."),
			req("status", "str", "Status of the condition, one of True, False, Unknown."),
			req("$type", "str", "Type of deployment condition.")),
	}
}

// groupSchemas is one synthetic group version: each kind has a top-level resource, a Spec, a
// Status, a List and a Condition, referring to meta/v1, core/v1 and each other.
func groupSchemas(module, apiVersion string, kinds int) []schema {
	var out []schema
	for k := 0; k < kinds; k++ {
		kind := fmt.Sprintf("Widget%02d", k)
		add := func(name, doc string, imports []string, fields ...field) {
			out = append(out, schema{module: module, name: name, doc: doc, imports: imports, fields: fields})
		}
		add(kind, kind+" is a synthetic top-level resource of "+apiVersion+".", []string{metaImport}, append(resource(apiVersion, kind, "v1.ObjectMeta"),
			opt("spec", kind+"Spec", "Spec defines the desired state of the "+kind+"."),
			opt("status", kind+"Status", "Status is the observed state of the "+kind+"."))...)
		add(kind+"Spec", kind+"Spec is the desired state of a "+kind+".", []string{metaImport, coreImport},
			opt("replicas", "int", "Number of desired replicas."),
			opt("selector", "v1.LabelSelector", "Label selector for the managed objects."),
			opt("template", "corev1.PodTemplateSpec", "Template of the pods the widget creates."),
			opt("ports", "[corev1.ServicePort]", "Ports the widget exposes."),
			opt("settings", "{str:str}", "Free-form settings."),
			opt("targetPort", "int | str", "Number or name of the target port."),
			opt("mode", `"Active" | "Passive"`, "Mode of operation."),
			opt("$import", "bool", "Whether the widget is imported."),
			opt("paused", "bool", "Indicates that the widget is paused."))
		add(kind+"Status", kind+"Status is the observed state of a "+kind+".", []string{metaImport},
			opt("conditions", "["+kind+"Condition]", "Latest available observations."),
			opt("observedGeneration", "int", "The generation observed by the controller."),
			opt("readyReplicas", "int", "Number of ready replicas."),
			opt("lastUpdate", "v1.Condition", "Last generic condition."))
		add(kind+"List", kind+"List is a list of "+kind+".", []string{metaImport}, append(resource(apiVersion, kind+"List", "v1.ListMeta"),
			req("items", "["+kind+"]", "Items is the list of "+kind+"."))...)
		add(kind+"Condition", kind+"Condition describes the state of a "+kind+" at a certain point.", nil,
			opt("lastTransitionTime", "str", "Last time the condition transitioned from one status to another."),
			opt("message", "str", "A human readable message indicating details about the transition."),
			req("status", "str", "Status of the condition, one of True, False, Unknown."),
			req("$type", "str", "Type of the condition."))
	}
	return out
}
