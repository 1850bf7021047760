package commands

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kpm-dev/kpm/kcl/gen"
	"github.com/kpm-dev/kpm/kcl/syntax"
	"github.com/kpm-dev/kpm/workspace"
)

// ImportModes are the formats `kpm import -m` accepts (upstream's names).
var ImportModes = []string{"auto", "json", "yaml", "jsonschema", "gostruct", "terraformschema"}

// DefaultImportOutput is the file written when no output is given (upstream's name).
const DefaultImportOutput = "generated.k"

// maxImportInput bounds the file read by Import.
const maxImportInput = 64 << 20

// ImportOptions configures Import (`kpm import`).
type ImportOptions struct {
	Progress Progress
	// Input is the file to convert.
	Input string
	// Mode is one of ImportModes; "" means auto (by extension and content).
	Mode string
	// Output is the KCL file written; "" means DefaultImportOutput.
	Output string
	// Force replaces an existing output file.
	Force bool
}

// ImportResult says what was written.
type ImportResult struct {
	Output string // the KCL file written
	Mode   string // the mode used (auto resolved)
}

// Import converts JSON or YAML data into a KCL config, or a JSON Schema, Go structs or a
// Terraform provider schema into KCL schemas, and writes the file atomically. An existing output
// is refused unless Force.
func Import(ctx context.Context, opts ImportOptions) (ImportResult, error) {
	p := progressOrDiscard(opts.Progress)
	f, err := os.Open(opts.Input)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxImportInput+1))
	if err != nil {
		return ImportResult{}, fmt.Errorf("import: %w", err)
	}
	if len(src) > maxImportInput {
		return ImportResult{}, fmt.Errorf("import %s: larger than %d MiB", opts.Input, maxImportInput>>20)
	}
	mode := opts.Mode
	if mode == "" || mode == "auto" {
		mode = detectImportMode(opts.Input, src)
	}
	out := opts.Output
	if out == "" {
		out = DefaultImportOutput
		p.Message("no output file given: writing " + out)
	}
	if _, err := os.Stat(out); err == nil && !opts.Force {
		return ImportResult{}, fmt.Errorf("import: %s already exists; use --force to overwrite it", out)
	}
	if err := ctx.Err(); err != nil {
		return ImportResult{}, err
	}
	var code string
	switch mode {
	case "json", "yaml":
		code, err = gen.FromData(src)
	case "jsonschema":
		name := strings.TrimSuffix(filepath.Base(opts.Input), filepath.Ext(opts.Input))
		code, err = gen.FromJSONSchema(src, name)
	case "gostruct":
		code, err = gen.FromGoStructs(opts.Input, src)
	case "terraformschema":
		code, err = gen.FromTerraformSchema(src)
	default:
		return ImportResult{}, fmt.Errorf("import: unknown mode %q: want one of %s", mode, strings.Join(ImportModes, ", "))
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("import %s (%s): %w", opts.Input, mode, err)
	}
	if _, errs := syntax.ParseFile(out, []byte(code)); len(errs) > 0 {
		return ImportResult{}, fmt.Errorf("import %s: the generated KCL does not parse (%v); nothing written", opts.Input, errs[0])
	}
	if err := workspace.WriteFileAtomic(out, []byte(code), 0o644); err != nil {
		return ImportResult{}, fmt.Errorf("import: %w", err)
	}
	return ImportResult{Output: out, Mode: mode}, nil
}

// detectImportMode picks a mode from the file's extension and, for JSON, its content.
func detectImportMode(name string, src []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".go":
		return "gostruct"
	case ".yaml", ".yml":
		return "yaml"
	}
	trimmed := bytes.TrimSpace(src)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		switch {
		case bytes.Contains(src, []byte(`"provider_schemas"`)):
			return "terraformschema"
		case bytes.Contains(src, []byte(`"$schema"`)) || bytes.Contains(src, []byte(`"properties"`)) && bytes.Contains(src, []byte(`"type"`)):
			return "jsonschema"
		}
		return "json"
	}
	if bytes.HasPrefix(trimmed, []byte("[")) {
		return "json"
	}
	return "yaml"
}
