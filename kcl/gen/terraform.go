package gen

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// tfSchemas is the output of `terraform providers schema -json`.
type tfSchemas struct {
	ProviderSchemas map[string]struct {
		ResourceSchemas map[string]tfSchema `json:"resource_schemas"`
	} `json:"provider_schemas"`
}

type tfSchema struct {
	Block tfBlock `json:"block"`
}

type tfBlock struct {
	Attributes map[string]struct {
		Type        json.RawMessage `json:"type"`
		Required    bool            `json:"required"`
		Description string          `json:"description"`
	} `json:"attributes"`
	BlockTypes map[string]struct {
		NestingMode string  `json:"nesting_mode"`
		Block       tfBlock `json:"block"`
		MinItems    int     `json:"min_items"`
	} `json:"block_types"`
	Description string `json:"description"`
}

// FromTerraformSchema writes a KCL schema for every resource of the providers in the output of
// `terraform providers schema -json` (resources sorted by name; nested blocks become schemas
// named after the resource and the block).
func FromTerraformSchema(src []byte) (string, error) {
	var in tfSchemas
	if err := json.Unmarshal(src, &in); err != nil {
		return "", err
	}
	if len(in.ProviderSchemas) == 0 {
		return "", fmt.Errorf("no provider_schemas: want the output of 'terraform providers schema -json'")
	}
	var b strings.Builder
	b.WriteString(Header)
	providers := sortedKeys(in.ProviderSchemas)
	for _, p := range providers {
		res := in.ProviderSchemas[p].ResourceSchemas
		for _, name := range sortedKeys(res) {
			var out []*schemaDef
			if err := tfBlockSchema(pascal(name), res[name].Block, &out); err != nil {
				return "", fmt.Errorf("%s: %w", name, err)
			}
			for _, s := range out {
				writeSchema(&b, s)
			}
		}
	}
	return b.String(), nil
}

func tfBlockSchema(name string, blk tfBlock, out *[]*schemaDef) error {
	s := &schemaDef{name: name, description: blk.Description}
	*out = append(*out, s)
	for _, an := range sortedKeys(blk.Attributes) {
		a := blk.Attributes[an]
		var t any
		if err := json.Unmarshal(a.Type, &t); err != nil {
			return fmt.Errorf("attribute %s: %w", an, err)
		}
		s.attrs = append(s.attrs, attrDef{name: FormatName(an), typ: tfType(t), required: a.Required, doc: a.Description})
	}
	for _, bn := range sortedKeys(blk.BlockTypes) {
		bt := blk.BlockTypes[bn]
		sub := name + pascal(bn)
		typ := sub
		switch bt.NestingMode {
		case "list", "set":
			typ = "[" + sub + "]"
		case "map":
			typ = "{str:" + sub + "}"
		}
		s.attrs = append(s.attrs, attrDef{name: FormatName(bn), typ: typ, required: bt.MinItems > 0})
		if err := tfBlockSchema(sub, bt.Block, out); err != nil {
			return err
		}
	}
	return nil
}

// tfType maps a Terraform type ("string", ["list","string"], ["object",{...}]) to a KCL type.
func tfType(t any) string {
	switch v := t.(type) {
	case string:
		switch v {
		case "string":
			return "str"
		case "number":
			return "int | float"
		case "bool":
			return "bool"
		}
		return "any"
	case []any:
		if len(v) != 2 {
			return "any"
		}
		kind, _ := v[0].(string)
		switch kind {
		case "list", "set":
			return "[" + tfType(v[1]) + "]"
		case "map":
			return "{str:" + tfType(v[1]) + "}"
		case "object":
			return "{str:any}"
		}
	}
	return "any"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
