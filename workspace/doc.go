// Package workspace owns a KCL package on disk: kcl.mod (parsed with a position on every table,
// key and value, validated into Findings, edited in place), kcl.mod.lock (read and written
// byte-for-byte in upstream kpm's format), the package cache under $KCL_PKG_PATH (guarded by a
// file lock), kpm's settings, and dependency resolution.
//
// The entry points used by the front ends (commands, the language server, kpm run):
//
//   - ParseModFile(filename, src) (*ModFile, []Finding): never fails; Findings carry a Range
//     (byte offsets plus 1-based line/column; LSPPos/OffsetAt convert to and from LSP positions)
//     and print as "kcl.mod:LINE:COL: message".
//   - ModFile.SetDependency / RemoveDependency return a TextEdit (byte range + new text) that
//     keeps the rest of the file as written; ApplyEdits and UpdateModFile apply it.
//   - ParseLockFile, LockFile.Bytes, WriteLockFile (atomic, only when the content changes).
//   - Resolve(ctx, dir, ResolveOptions) (*Resolution, error): the one resolver. Resolution.Deps
//     maps import names to local directories.
//
// It never prints to the terminal: it reports through return values and the
// ResolveOptions.Progress callback. It talks to registries only through package registry.
package workspace
