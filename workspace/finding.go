package workspace

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Severity of a Finding. The values match the LSP DiagnosticSeverity numbers.
type Severity int

// Severities, most severe first.
const (
	SeverityError   Severity = 1
	SeverityWarning Severity = 2
	SeverityInfo    Severity = 3
	SeverityHint    Severity = 4
)

func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	case SeverityHint:
		return "hint"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Finding codes, stable identifiers for tools (the LSP sends them as Diagnostic.code).
const (
	CodeSyntax          = "toml-syntax"
	CodeDuplicateKey    = "duplicate-key"
	CodeUnknownSection  = "unknown-section"
	CodeUnknownKey      = "unknown-key"
	CodeWrongType       = "wrong-type"
	CodeMissingPackage  = "missing-package"
	CodeInvalidName     = "invalid-name"
	CodeInvalidVersion  = "invalid-version"
	CodeInvalidDep      = "invalid-dependency"
	CodeInvalidOCIURL   = "invalid-oci-url"
	CodeDuplicateImport = "duplicate-import"
	CodeSelfDependency  = "self-dependency"
	CodeInvalidPattern  = "invalid-pattern"
)

// Finding is one problem found in a file, with its position.
type Finding struct {
	File     string // file name as given to the parser
	Range    Range
	Severity Severity
	Code     string
	Message  string
}

// String renders the finding as "file:LINE:COL: message" (base name of the file, as compilers
// print relative names); warnings and lower are prefixed with their severity.
func (f Finding) String() string {
	var b strings.Builder
	if f.File != "" {
		b.WriteString(filepath.Base(f.File))
		b.WriteByte(':')
	}
	if f.Range.IsValid() {
		fmt.Fprintf(&b, "%d:%d: ", f.Range.Start.Line, f.Range.Start.Col)
	} else if f.File != "" {
		b.WriteByte(' ')
	}
	if f.Severity != SeverityError && f.Severity != 0 {
		b.WriteString(f.Severity.String())
		b.WriteString(": ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// Errors returns only the findings of severity Error.
func Errors(findings []Finding) []Finding {
	var out []Finding
	for _, f := range findings {
		if f.Severity == SeverityError {
			out = append(out, f)
		}
	}
	return out
}

// FindingsError is returned by functions that refuse a file because of error findings. Its
// message is the first error (one line); Findings holds all of them.
type FindingsError struct {
	Findings []Finding
	// Warnings are the file's other findings (warnings and lower), for front ends that list
	// everything; they are not part of the message.
	Warnings []Finding
}

// RefuseFindings returns a *FindingsError when findings hold errors, nil otherwise.
func RefuseFindings(findings []Finding) error {
	errs := Errors(findings)
	if len(errs) == 0 {
		return nil
	}
	var warnings []Finding
	for _, f := range findings {
		if f.Severity != SeverityError {
			warnings = append(warnings, f)
		}
	}
	return &FindingsError{Findings: errs, Warnings: warnings}
}

func (e *FindingsError) Error() string {
	if len(e.Findings) == 0 {
		return "invalid file"
	}
	msg := e.Findings[0].String()
	if n := len(e.Findings) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	return msg
}
