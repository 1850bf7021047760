package kcl

import (
	"sort"

	"github.com/kpm-dev/kpm/kcl/modules"
)

// StdModuleMembers returns the member names of a standard library module in the order the
// engine defines them (nil for an unknown module). Building the module runs no member.
func StdModuleMembers(name string) []string {
	if !modules.IsStdlib(name) {
		return nil
	}
	var e *evaluator
	return e.stdModule(name).Members.Keys()
}

// Builtins returns the names of the builtin functions, sorted.
func Builtins() []string {
	names := make([]string, 0, len(builtinFuncs))
	for n := range builtinFuncs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
