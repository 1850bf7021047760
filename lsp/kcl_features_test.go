package lsp

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/k8sgen"
	"github.com/kpm-dev/kpm/kcl/syntax"
)

// kclWorkspace starts an offline server with a package depending on a k8s-shaped package
// downloaded in the package cache (k8s 1.29), and returns the client, the package directory
// and the dependency's directory in the cache.
func kclWorkspace(t *testing.T, files map[string]string) (*testClient, string, string) {
	t.Helper()
	c, home, work := offlineServer(t)
	dep := filepath.Join(home, "k8s_1.29")
	_, err := k8sgen.Write(dep, k8sgen.Options{Groups: 2, KindsPerGroup: 2})
	require.NoError(t, err)
	files["kcl.mod"] = "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nk8s = \"1.29\"\n"
	writeFiles(t, work, files)
	return c, work, dep
}

const appProgram = `import k8s.api.apps.v1 as apps

schema App:
    """An application."""
    name: str
    replicas?: int = 1

app = App {name = "web"}
deploy = apps.Deployment {
    metadata.name = app.name
    spec = {
        replicas = app.replicas
        template.spec.containers = [{
            name = "web"
            
        }]
    }
}
`

func (c *testClient) completionLabels(uri string, p lspPos) (labels []string, details map[string]string) {
	c.t.Helper()
	var l completionList
	c.mustCall("textDocument/completion", docParams(uri, p), &l)
	details = map[string]string{}
	for _, it := range l.Items {
		labels = append(labels, it.Label)
		details[it.Label] = it.Detail
	}
	return labels, details
}

func TestKCLCompletion(t *testing.T) {
	c, work, _ := kclWorkspace(t, map[string]string{})
	uri := c.open(filepath.Join(work, "main.k"), appProgram)

	// a nested attribute of a schema from the dependency: Container, inside a list inside
	// Deployment.spec.template.spec; `name` is set already, required ones first
	labels, details := c.completionLabels(uri, positionOf(t, appProgram, "            \n        }]", 12))
	assert.Equal(t, []string{"args", "command", "env", "envFrom", "image", "imagePullPolicy", "livenessProbe", "ports",
		"readinessProbe", "resources", "volumeMounts", "workingDir"}, labels)
	assert.Equal(t, "[ContainerPort] (optional)", details["ports"])

	edited := strings.Replace(appProgram, "replicas = app.replicas\n", "replicas = app.replicas\n        \n", 1)
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": edited}}})
	labels, details = c.completionLabels(uri, positionOf(t, edited, "app.replicas\n        \n", 21))
	assert.Equal(t, []string{"selector", "minReadySeconds", "paused", "progressDeadlineSeconds", "revisionHistoryLimit", "strategy"}, labels,
		"required first, set ones (template, by a dotted key) left out")
	assert.Equal(t, "LabelSelector (required)", details["selector"])

	for _, tc := range []struct {
		name, text, at string
		delta          int
		want           []string
	}{
		{"module members", "import k8s.api.apps.v1 as apps\nx = apps.\n", "apps.\n", 5, []string{"Deployment", "DeploymentSpec"}},
		{"instance members", "import k8s.api.apps.v1 as apps\nd = apps.Deployment {}\nx = d.spec.\n", "spec.\n", 5,
			[]string{"minReadySeconds", "paused", "progressDeadlineSeconds", "replicas", "revisionHistoryLimit", "selector", "strategy", "template"}},
		{"dotted config key", "import k8s.api.apps.v1 as apps\nd = apps.Deployment {\n    metadata.\n}\n", "metadata.\n", 9,
			[]string{"annotations", "creationTimestamp", "finalizers", "generateName", "generation", "labels", "managedFields", "name",
				"namespace", "ownerReferences", "resourceVersion", "uid"}},
		{"standard module", "import math\nx = math.sq\n", "math.sq", 7, []string{"sqrt"}},
		{"string methods", "x = \"a\".up\n", ".up", 3, []string{"upper"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(work, "c_"+strings.ReplaceAll(tc.name, " ", "_")+".k")
			u := c.open(p, tc.text)
			labels, _ := c.completionLabels(u, positionOf(t, tc.text, tc.at, tc.delta))
			for _, w := range tc.want {
				assert.Contains(t, labels, w)
			}
			if tc.name == "dotted config key" || tc.name == "instance members" {
				sort.Strings(labels)
				assert.Equal(t, tc.want, labels)
			}
		})
	}

	// names in scope, keywords, standard modules and snippets at statement level
	text := "import k8s.api.apps.v1 as apps\nschema S:\n    a: int\nvalue = 1\n\n"
	u := c.open(filepath.Join(work, "scope.k"), text)
	labels, _ = c.completionLabels(u, positionOf(t, text, "value = 1\n\n", 11))
	for _, w := range []string{"value", "S", "apps", "len", "schema", "lambda", "json", "S{}", "apps.Deployment{}"} {
		assert.Contains(t, labels, w)
	}
}

func TestKCLDiagnosticsAsYouType(t *testing.T) {
	c, work, _ := kclWorkspace(t, map[string]string{})
	text := strings.Replace(appProgram, "name = \"web\"\n            ", "name = \"web\"\n            portz = 1", 1)
	m := c.mark()
	uri := c.open(filepath.Join(work, "main.k"), text)
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return len(p.Diagnostics) > 0 })
	require.Len(t, p.Diagnostics, 1)
	assert.Equal(t, "CompileError", p.Diagnostics[0].Code)
	assert.Equal(t, `Cannot add member 'portz' to schema 'Container', did you mean '["ports"]'?`, p.Diagnostics[0].Message)
	assert.Equal(t, positionOf(t, text, "portz", 0), p.Diagnostics[0].Range.Start)

	m = c.mark()
	fixed := strings.Replace(text, "portz = 1", "image = 1", 1)
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": fixed}}})
	p = c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return p.Version != nil && *p.Version == 2 })
	require.Len(t, p.Diagnostics, 1)
	assert.Equal(t, "TypeError", p.Diagnostics[0].Code)
	assert.Equal(t, "expected str, got int(1)", p.Diagnostics[0].Message)
}

func TestKCLHoverAndNavigation(t *testing.T) {
	c, work, dep := kclWorkspace(t, map[string]string{})
	uri := c.open(filepath.Join(work, "main.k"), appProgram)

	hover := c.hoverText(uri, positionOf(t, appProgram, "Deployment {", 0))
	assert.Contains(t, hover, "schema Deployment:")
	assert.Contains(t, hover, "Deployment enables declarative updates for Pods and ReplicaSets.")
	assert.Contains(t, hover, "from `k8s` 1.29 (`api/apps/v1/deployment.k`)")

	hover = c.hoverText(uri, positionOf(t, appProgram, "replicas = app", 0))
	assert.Contains(t, hover, "DeploymentSpec.replicas?: int")
	assert.Contains(t, hover, "Number of desired pods.")

	hover = c.hoverText(uri, positionOf(t, appProgram, "app.replicas", 4))
	assert.Contains(t, hover, "App.replicas?: int = 1")
	assert.Contains(t, hover, "in `main.k`")

	// definition into the dependency in the cache
	locs := c.locations("textDocument/definition", uri, positionOf(t, appProgram, "containers", 0))
	require.Len(t, locs, 1)
	assert.Equal(t, pathToURI(filepath.Join(dep, "api", "core", "v1", "pod_spec.k")), locs[0].URI)
	podSpec, err := os.ReadFile(filepath.Join(dep, "api", "core", "v1", "pod_spec.k"))
	require.NoError(t, err)
	assert.Equal(t, positionOf(t, string(podSpec), "    containers: [Container]", 4), locs[0].Range.Start)

	// type definition: from a variable to its schema
	locs = c.locations("textDocument/typeDefinition", uri, positionOf(t, appProgram, "app = App", 0))
	require.Len(t, locs, 1)
	assert.Equal(t, lspPos{2, 7}, locs[0].Range.Start)

	// references of an attribute: its declaration, a config key and two uses
	var refs []struct {
		URI   string   `json:"uri"`
		Range lspRange `json:"range"`
	}
	c.mustCall("textDocument/references", map[string]any{"textDocument": map[string]any{"uri": uri},
		"position": positionOf(t, appProgram, "name: str", 0), "context": map[string]any{"includeDeclaration": true}}, &refs)
	var lines []int
	for _, r := range refs {
		lines = append(lines, r.Range.Start.Line)
	}
	assert.Equal(t, []int{4, 7, 9}, lines)

	// rename a schema of the package; refused in the dependency
	var edit struct {
		Changes map[string][]struct {
			Range   lspRange `json:"range"`
			NewText string   `json:"newText"`
		} `json:"changes"`
	}
	c.mustCall("textDocument/rename", map[string]any{"textDocument": map[string]any{"uri": uri},
		"position": positionOf(t, appProgram, "App {", 0), "newName": "Application"}, &edit)
	require.Len(t, edit.Changes[uri], 2)
	assert.Equal(t, positionOf(t, appProgram, "App:", 0), edit.Changes[uri][0].Range.Start)
	assert.Equal(t, positionOf(t, appProgram, "App {", 0), edit.Changes[uri][1].Range.Start)
	err = c.call("textDocument/rename", map[string]any{"textDocument": map[string]any{"uri": uri},
		"position": positionOf(t, appProgram, "Deployment {", 0), "newName": "D"}, &edit)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read-only")
}

func (c *testClient) locations(method, uri string, p lspPos) []struct {
	URI   string   `json:"uri"`
	Range lspRange `json:"range"`
} {
	c.t.Helper()
	var locs []struct {
		URI   string   `json:"uri"`
		Range lspRange `json:"range"`
	}
	c.mustCall(method, docParams(uri, p), &locs)
	return locs
}

func TestKCLSymbolsAndSignatureHelp(t *testing.T) {
	c, work, _ := kclWorkspace(t, map[string]string{})
	uri := c.open(filepath.Join(work, "main.k"), appProgram)

	var syms []struct {
		Name     string `json:"name"`
		Kind     int    `json:"kind"`
		Children []struct {
			Name string `json:"name"`
		} `json:"children"`
	}
	c.mustCall("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": uri}}, &syms)
	require.Len(t, syms, 3)
	assert.Equal(t, "App", syms[0].Name)
	assert.Equal(t, 23, syms[0].Kind) // struct
	assert.Len(t, syms[0].Children, 2)
	assert.Equal(t, []string{"app", "deploy"}, []string{syms[1].Name, syms[2].Name})

	var ws []struct {
		Name          string `json:"name"`
		ContainerName string `json:"containerName"`
	}
	c.mustCall("workspace/symbol", map[string]any{"query": "deploymentsp"}, &ws)
	require.Len(t, ws, 1)
	assert.Equal(t, "DeploymentSpec", ws[0].Name)
	assert.Equal(t, "k8s.api.apps.v1", ws[0].ContainerName)

	text := "import math\nf = lambda a: int, b: str = \"x\" { a }\nx = f(1, )\ny = math.log(2, \nz = len(\n"
	u := c.open(filepath.Join(work, "sig.k"), text)
	for _, tc := range []struct {
		at     string
		delta  int
		label  string
		active int
	}{
		{"f(1, )", 5, `f(a: int, b: str = "x") -> int`, 1},
		{"math.log(2, ", 12, "log(x: int | float, base?: float) -> float", 1},
		{"len(\n", 4, "len(x: str | {any:any} | [any]) -> int", 0},
	} {
		var help struct {
			Signatures []struct {
				Label string `json:"label"`
			} `json:"signatures"`
			ActiveParameter int `json:"activeParameter"`
		}
		c.mustCall("textDocument/signatureHelp", docParams(u, positionOf(t, text, tc.at, tc.delta)), &help)
		require.Len(t, help.Signatures, 1, tc.at)
		assert.Equal(t, tc.label, help.Signatures[0].Label)
		assert.Equal(t, tc.active, help.ActiveParameter)
	}
}

func TestKCLFormatting(t *testing.T) {
	c, work, _ := kclWorkspace(t, map[string]string{})
	text := "import k8s.api.apps.v1 as apps\n# the app\napp = {name=\"web\",   replicas=2}\nother = [1,2]\nconfig = {\n  a = 1, b = [1,2]\n}\n"
	want, err := syntax.Format([]byte(text), "main.k")
	require.NoError(t, err)
	uri := c.open(filepath.Join(work, "main.k"), text)

	var edits []textEdit
	c.mustCall("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": uri},
		"options": map[string]any{"tabSize": 4, "insertSpaces": true}}, &edits)
	require.NotEmpty(t, edits)
	assert.Equal(t, string(want), applyEdits(t, text, edits))
	for _, e := range edits {
		assert.NotContains(t, e.NewText, "# the app", "an unchanged line is not rewritten")
	}

	// range formatting: only the statement under the range
	edits = nil
	r := lspRange{Start: positionOf(t, text, "other", 0), End: positionOf(t, text, "other", 3)}
	c.mustCall("textDocument/rangeFormatting", map[string]any{"textDocument": map[string]any{"uri": uri}, "range": r,
		"options": map[string]any{"tabSize": 4, "insertSpaces": true}}, &edits)
	assert.Equal(t, strings.Replace(text, "[1,2]\nconfig", "[1, 2]\nconfig", 1), applyEdits(t, text, edits))

	// a file that does not parse is left alone
	bad := "a = \n"
	ub := c.open(filepath.Join(work, "bad.k"), bad)
	edits = nil
	c.mustCall("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": ub},
		"options": map[string]any{"tabSize": 4, "insertSpaces": true}}, &edits)
	assert.Empty(t, edits)
}

func TestKCLSemanticTokensAndInlayHints(t *testing.T) {
	c, work, _ := kclWorkspace(t, map[string]string{})
	text := "import k8s.api.apps.v1 as apps\nd = apps.Deployment {}\nn = d.metadata.name\nr = len([1])\n"
	uri := c.open(filepath.Join(work, "main.k"), text)

	var toks struct {
		Data []int `json:"data"`
	}
	c.mustCall("textDocument/semanticTokens/full", map[string]any{"textDocument": map[string]any{"uri": uri}}, &toks)
	// decode (line, char, length, type, modifiers) from the relative encoding
	type tok struct {
		text, typ string
		mods      int
	}
	var got []tok
	line, char := 0, 0
	lines := strings.Split(text, "\n")
	for i := 0; i+4 < len(toks.Data)+1 && i+4 <= len(toks.Data)-1+1; i += 5 {
		if toks.Data[i] > 0 {
			char = 0
		}
		line += toks.Data[i]
		char += toks.Data[i+1]
		got = append(got, tok{lines[line][char : char+toks.Data[i+2]], semanticTypes[toks.Data[i+3]], toks.Data[i+4]})
	}
	assert.Contains(t, got, tok{"apps", "namespace", 1})
	assert.Contains(t, got, tok{"Deployment", "class", 4})
	assert.Contains(t, got, tok{"metadata", "property", 4})
	assert.Contains(t, got, tok{"n", "variable", 1})
	assert.Contains(t, got, tok{"len", "function", 2})

	var hints []struct {
		Position lspPos `json:"position"`
		Label    string `json:"label"`
	}
	c.mustCall("textDocument/inlayHint", map[string]any{"textDocument": map[string]any{"uri": uri},
		"range": lspRange{Start: lspPos{0, 0}, End: lspPos{4, 0}}}, &hints)
	require.Len(t, hints, 2, "%+v", hints)
	assert.Equal(t, lspPos{2, 1}, hints[0].Position)
	assert.Equal(t, ": str", hints[0].Label)
	assert.Equal(t, ": int", hints[1].Label)
}

// With evalOnSave, saving runs the package: evaluation errors (which the checker cannot see)
// become diagnostics at their position until the next edit.
func TestKCLEvalOnSave(t *testing.T) {
	c, work, _ := kclWorkspace(t, map[string]string{})
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"kpm": map[string]any{"offline": true, "evalOnSave": true}}})
	text := "x = 1\nassert x > 1, \"x must be more than 1\"\n"
	path := filepath.Join(work, "main.k")
	writeFiles(t, work, map[string]string{"main.k": text})
	m := c.mark()
	uri := c.open(path, text)
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return true })
	require.Empty(t, p.Diagnostics, "the checker has nothing to say")

	m = c.mark()
	c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri}})
	p = c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return len(p.Diagnostics) > 0 })
	require.Len(t, p.Diagnostics, 1)
	assert.Equal(t, "EvaluationError", p.Diagnostics[0].Code)
	assert.Contains(t, p.Diagnostics[0].Message, "x must be more than 1")
	assert.Equal(t, 1, p.Diagnostics[0].Range.Start.Line)

	m = c.mark()
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": "x = 2\nassert x > 1, \"x must be more than 1\"\n"}}})
	p = c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return p.Version != nil && *p.Version == 2 })
	assert.Empty(t, p.Diagnostics, "an edit drops the evaluation errors")
}
