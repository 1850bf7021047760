package lsp

import (
	"context"
	"encoding/json"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/check"
)

// signatureHelp shows the parameters of the builtin, standard-module function, lambda or
// schema whose call's parentheses hold the cursor.
func (s *Server) signatureHelp(ctx context.Context, params json.RawMessage) (any, error) {
	d, off, err := s.docAt(params)
	if d == nil || err != nil || d.kind != kindKCL {
		return nil, err
	}
	frames := openFrames(d.text, off)
	var call *frame
	for i := len(frames) - 1; i >= 0; i-- {
		if frames[i].open == '(' {
			call = &frames[i]
			break
		}
		if frames[i].open == '{' {
			return nil, nil
		}
	}
	if call == nil {
		return nil, nil
	}
	names, _ := chainBefore(d.text, skipSpacesBack(d.text, call.pos))
	if names == nil {
		return nil, nil
	}
	c, info := s.kclCheck(d)
	var help *protocol.SignatureHelp
	c.With(func() {
		var label string
		var ps []check.Param
		doc := ""
		switch t := resolveChain(info, names, off).(type) {
		case *check.Func:
			label, ps, doc = names[len(names)-1]+t.String(), t.Params, t.Doc
			if t.Variadic {
				ps = append(ps, check.Param{Name: "..."})
			}
		case *check.SchemaType:
			ps = t.Schema.Params()
			var parts []string
			for _, p := range ps {
				parts = append(parts, p.String())
			}
			label, doc = t.Schema.Name+"("+strings.Join(parts, ", ")+")", check.SchemaSummary(t.Schema.Doc)
		default:
			return
		}
		sig := protocol.SignatureInformation{Label: label}
		if doc != "" {
			sig.Documentation = doc
		}
		for _, p := range ps {
			sig.Parameters = append(sig.Parameters, protocol.ParameterInformation{Label: p.String()})
		}
		active := protocol.UInteger(argIndex(d.text, call.pos, off))
		if n := len(ps); n > 0 && int(active) >= n {
			active = protocol.UInteger(n - 1)
		}
		zero := protocol.UInteger(0)
		help = &protocol.SignatureHelp{Signatures: []protocol.SignatureInformation{sig}, ActiveSignature: &zero, ActiveParameter: &active}
	})
	return help, nil
}

// argIndex counts the arguments before off in the call opened at open.
func argIndex(text string, open, off int) int {
	n, depth := 0, 0
	for i := open + 1; i < off; i++ {
		switch c := text[i]; c {
		case '"', '\'':
			i = skipString(text, i, off)
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				n++
			}
		}
	}
	return n
}
