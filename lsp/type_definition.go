package lsp

import (
	"context"
	"encoding/json"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/check"
)

// typeDefinition: from a name to the schema of its type (through lists, dicts and unions).
func (s *Server) typeDefinition(ctx context.Context, params json.RawMessage) (any, error) {
	d, off, err := s.docAt(params)
	if d == nil || err != nil || d.kind != kindKCL {
		return nil, err
	}
	c, info := s.kclCheck(d)
	var locs []protocol.Location
	c.With(func() {
		r := refAt(info, off)
		if r == nil {
			return
		}
		for _, sc := range schemasOf(r.Obj.Type(), 0) {
			if loc := s.location(sc.Obj); loc != nil {
				locs = append(locs, *loc)
			}
		}
	})
	return locs, nil
}

// schemasOf lists the schemas a type mentions.
func schemasOf(t check.Type, depth int) []*check.Schema {
	if depth > 8 {
		return nil
	}
	switch t := t.(type) {
	case *check.Instance:
		return []*check.Schema{t.Schema}
	case *check.SchemaType:
		return []*check.Schema{t.Schema}
	case *check.List:
		return schemasOf(t.Elem, depth+1)
	case *check.Dict:
		return schemasOf(t.Value, depth+1)
	case *check.Union:
		var out []*check.Schema
		for _, m := range t.Types {
			out = append(out, schemasOf(m, depth+1)...)
		}
		return out
	}
	return nil
}
