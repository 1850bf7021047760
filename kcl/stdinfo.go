package kcl

import "sort"

// StdModules returns the names of the standard library modules, sorted: the same table
// imports are resolved against, for tools (the checker, the editor) that offer them.
func StdModules() []string {
	names := make([]string, 0, len(stdModules))
	for n := range stdModules {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// IsStdModule reports whether an absolute import path names a standard library module.
func IsStdModule(path string) bool { return stdModules[path] }

// StdModuleMembers returns the member names of a standard library module in the order the
// engine defines them (nil for an unknown module). Building the module runs no member.
func StdModuleMembers(name string) []string {
	if !stdModules[name] {
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
