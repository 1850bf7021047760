package lsp

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/check"
	"github.com/kpm-dev/kpm/workspace"
)

// references: every use of the name under the cursor in the checked files of the package
// (and the packages checked with it), with its declaration when asked.
func (s *Server) references(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Context struct {
			IncludeDeclaration bool `json:"includeDeclaration"`
		} `json:"context"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	d, off, err := s.docAt(params)
	if d == nil || err != nil || d.kind != kindKCL {
		return nil, err
	}
	c, info := s.kclCheck(d)
	s.checkPackageTree(ctx, c, d.path)
	locs := []protocol.Location{}
	c.With(func() {
		r := refAt(info, off)
		if r == nil {
			return
		}
		declared := false
		for _, ref := range s.refsTo(c, r.Obj) {
			if ref.ref.Def {
				declared = true
				if !p.Context.IncludeDeclaration {
					continue
				}
			}
			locs = append(locs, protocol.Location{URI: pathToURI(ref.file), Range: s.fileRange(ref.file, int(ref.ref.Span.From.Offset), int(ref.ref.Span.To.Offset))})
		}
		if p.Context.IncludeDeclaration && !declared {
			if loc := s.location(r.Obj); loc != nil {
				locs = append([]protocol.Location{*loc}, locs...)
			}
		}
	})
	return locs, nil
}

type fileRef struct {
	file string
	ref  check.Ref
}

// refsTo lists the references to an object in every file the checker checked. Call inside
// c.With.
func (s *Server) refsTo(c *check.Checker, o *check.Object) []fileRef {
	var out []fileRef
	for _, p := range c.Packages() {
		for _, info := range p.Infos() {
			for _, r := range info.RefsTo(o) {
				out = append(out, fileRef{file: info.Path, ref: r})
			}
		}
	}
	return out
}

// maxCheckedDirs bounds the directories a references or rename request checks.
const maxCheckedDirs = 500

// checkPackageTree checks every package (directory of .k files) under the root of the package
// holding path, so references and rename see all of its files; results are cached by the
// checker. It stops when ctx is cancelled.
func (s *Server) checkPackageTree(ctx context.Context, c *check.Checker, path string) {
	root, _ := s.kclPackage(path)
	n := 0
	_ = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || ctx.Err() != nil || n >= maxCheckedDirs {
			return filepath.SkipDir
		}
		if !e.IsDir() {
			return nil
		}
		if p != root && (strings.HasPrefix(e.Name(), ".") || e.Name() == "vendor") {
			return filepath.SkipDir
		}
		if p != root {
			if _, err := os.Stat(filepath.Join(p, workspace.ModFileName)); err == nil {
				return filepath.SkipDir // another package
			}
		}
		if files := check.KCLFiles(p); len(files) > 0 {
			n++
			c.Check(files[0])
		}
		return nil
	})
}
