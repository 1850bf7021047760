package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/tailscale/hujson"
)

// Finding codes for kpm.json.
const (
	CodeJSONSyntax       = "json-syntax"
	CodeInvalidRegistry  = "invalid-registry"
	CodeInvalidRepo      = "invalid-repo"
	CodePlainHTTPRemote  = "plain-http-remote"
	CodeJSONDuplicateKey = "json-duplicate-key"
)

// KpmJSONKey describes one key of kpm.json.
type KpmJSONKey struct {
	Name string
	Type string // "string" or "boolean"
	Doc  string
}

// KpmJSONKeys lists the keys kpm.json may hold, in the order they are usually written.
var KpmJSONKeys = []KpmJSONKey{
	{Name: "DefaultOciRegistry", Type: "string", Doc: "Registry host[:port] used for `name[:version]` references and for `kpm push` without a URL. Default `ghcr.io`. Overridden by `KPM_REG`."},
	{Name: "DefaultOciRepo", Type: "string", Doc: "Repository prefix under the default registry (e.g. `kcl-lang` → `ghcr.io/kcl-lang/<name>`). Default `kcl-lang`. Overridden by `KPM_REPO`."},
	{Name: "DefaultOciPlainHttp", Type: "boolean", Doc: "Talk to registries over plain HTTP (`true`) or HTTPS (`false`). When absent, plain HTTP is used for localhost and loopback addresses only. Overridden by `OCI_REG_PLAIN_HTTP=on|off`."},
	{Name: "RegistryTimeout", Type: "string", Doc: "How long a registry may stay silent (before it answers, or in the middle of a download) before kpm gives up, as a duration such as `30s` or `2m`. Default `30s`; a slow download that keeps moving is never cut. Overridden by `KPM_REGISTRY_TIMEOUT`."},
}

// KpmJSONMember is one top-level member of kpm.json with its positions.
type KpmJSONMember struct {
	Key        string
	KeyRange   Range // the quoted key
	ValueRange Range // the value as written
	Kind       byte  // hujson kind of the value: '"', 't', 'f', 'n', '0', '{', '['
	String     string
	Bool       bool
}

// KpmJSONFile is a parsed kpm.json.
type KpmJSONFile struct {
	File    string
	Members []KpmJSONMember
	// Object is the range of the top-level object; invalid when the file is not an object.
	Object Range
}

// Member returns the member named key (exact spelling), or nil.
func (f *KpmJSONFile) Member(key string) *KpmJSONMember {
	for i := range f.Members {
		if f.Members[i].Key == key {
			return &f.Members[i]
		}
	}
	return nil
}

// ParseKpmJSON parses kpm.json the way kpm reads it (strict JSON, encoding/json semantics)
// and validates it: syntax, unknown keys, wrong types, malformed registry host or repository,
// and DefaultOciPlainHttp on a registry that is not local (a warning). An empty file is valid.
func ParseKpmJSON(filename string, src []byte) (*KpmJSONFile, []Finding) {
	f := &KpmJSONFile{File: filename}
	var findings []Finding
	add := func(r Range, sev Severity, code, format string, args ...any) {
		findings = append(findings, Finding{File: filename, Range: r, Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return f, nil
	}
	var probe any
	if err := json.Unmarshal(src, &probe); err != nil {
		var syn *json.SyntaxError
		off := 0
		if errors.As(err, &syn) {
			off = int(syn.Offset)
			if off > 0 {
				off--
			}
		}
		p := PosAt(src, off)
		end := PosAt(src, min(off+1, len(src)))
		add(Range{Start: p, End: end}, SeverityError, CodeJSONSyntax, "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	// hujson also reads what kpm rejects (comments, trailing commas), so an editor still gets
	// the members' positions while the file is being typed.
	root, err := hujson.Parse(src)
	if err != nil {
		if len(findings) == 0 {
			add(Range{Start: PosAt(src, 0), End: PosAt(src, 0)}, SeverityError, CodeJSONSyntax, "invalid JSON: %v", err)
		}
		return f, findings
	}
	rng := func(v *hujson.Value) Range {
		return Range{Start: PosAt(src, v.StartOffset), End: PosAt(src, v.EndOffset)}
	}
	obj, ok := root.Value.(*hujson.Object)
	if !ok {
		add(rng(&root), SeverityError, CodeWrongType, "kpm.json must hold a JSON object, like {\"DefaultOciRegistry\": \"ghcr.io\", \"DefaultOciRepo\": \"kcl-lang\"}")
		return f, findings
	}
	f.Object = rng(&root)
	seen := map[string]bool{}
	for i := range obj.Members {
		m := &obj.Members[i]
		lit, _ := m.Name.Value.(hujson.Literal)
		key := lit.String()
		mem := KpmJSONMember{Key: key, KeyRange: rng(&m.Name), ValueRange: rng(&m.Value), Kind: byte(m.Value.Value.Kind())}
		if vl, ok := m.Value.Value.(hujson.Literal); ok {
			switch mem.Kind {
			case '"':
				mem.String = vl.String()
			case 't', 'f':
				mem.Bool = vl.Bool()
			}
		}
		f.Members = append(f.Members, mem)
		if seen[key] {
			add(mem.KeyRange, SeverityWarning, CodeJSONDuplicateKey, "duplicate key %q: the last one wins", key)
		}
		seen[key] = true
		spec := kpmJSONKey(key)
		if spec == nil {
			if k := kpmJSONKeyFold(key); k != nil {
				add(mem.KeyRange, SeverityWarning, CodeUnknownKey, "key %q: write it %q", key, k.Name)
			} else {
				add(mem.KeyRange, SeverityWarning, CodeUnknownKey, "unknown key %q: kpm.json keys are %s", key, kpmJSONKeyList())
			}
			continue
		}
		want := byte('"')
		if spec.Type == "boolean" {
			want = 't'
		}
		got := mem.Kind
		if got == 'f' {
			got = 't'
		}
		if got != want {
			add(mem.ValueRange, SeverityError, CodeWrongType, "%s: want a %s, got %s", key, spec.Type, jsonKindName(mem.Kind))
		}
	}
	reg := f.Member("DefaultOciRegistry")
	if reg != nil && reg.Kind == '"' {
		if msg := CheckRegistryHost(reg.String); msg != "" {
			add(reg.ValueRange, SeverityError, CodeInvalidRegistry, "DefaultOciRegistry %q: %s", reg.String, msg)
		}
	}
	if repo := f.Member("DefaultOciRepo"); repo != nil && repo.Kind == '"' {
		if msg := checkRepoPrefix(repo.String); msg != "" {
			add(repo.ValueRange, SeverityError, CodeInvalidRepo, "DefaultOciRepo %q: %s", repo.String, msg)
		}
	}
	if rt := f.Member("RegistryTimeout"); rt != nil && rt.Kind == '"' {
		if _, err := parseTimeout(rt.String); err != nil {
			add(rt.ValueRange, SeverityError, CodeWrongType, "RegistryTimeout %q: %v", rt.String, err)
		}
	}
	if ph := f.Member("DefaultOciPlainHttp"); ph != nil && ph.Kind == 't' {
		host := DefaultOciRegistry
		if reg != nil && reg.Kind == '"' {
			host = reg.String
		}
		if !isLoopbackRegistry(host) {
			add(ph.ValueRange, SeverityWarning, CodePlainHTTPRemote, "DefaultOciPlainHttp is true but %s is not a local registry: credentials and packages would travel unencrypted", host)
		}
	}
	return f, findings
}

func kpmJSONKey(name string) *KpmJSONKey {
	for i := range KpmJSONKeys {
		if KpmJSONKeys[i].Name == name {
			return &KpmJSONKeys[i]
		}
	}
	return nil
}

func kpmJSONKeyFold(name string) *KpmJSONKey {
	for i := range KpmJSONKeys {
		if strings.EqualFold(KpmJSONKeys[i].Name, name) {
			return &KpmJSONKeys[i]
		}
	}
	return nil
}

func kpmJSONKeyList() string {
	names := make([]string, len(KpmJSONKeys))
	for i, k := range KpmJSONKeys {
		names[i] = k.Name
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func jsonKindName(k byte) string {
	switch k {
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "a value"
}

// CheckRegistryHost returns "" when host is a valid registry host[:port] and otherwise a
// short reason, such as "drop the oci:// scheme: write ghcr.io".
func CheckRegistryHost(host string) string {
	if host == "" {
		return "empty registry host"
	}
	if i := strings.Index(host, "://"); i >= 0 {
		return fmt.Sprintf("drop the %s:// scheme: write %s", host[:i], strings.SplitN(host[i+3:], "/", 2)[0])
	}
	if strings.ContainsAny(host, "/ \t?#@") {
		return "want a host[:port], like ghcr.io or localhost:5001"
	}
	name, port := host, ""
	if strings.HasPrefix(host, "[") { // [::1]:5000
		end := strings.Index(host, "]")
		if end < 0 {
			return "unterminated IPv6 address"
		}
		name, port = host[1:end], strings.TrimPrefix(host[end+1:], ":")
		if net.ParseIP(name) == nil {
			return "invalid IPv6 address"
		}
	} else if i := strings.LastIndex(host, ":"); i >= 0 {
		name, port = host[:i], host[i+1:]
		if port == "" {
			return "empty port"
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("invalid port %q", port)
		}
	}
	if net.ParseIP(name) != nil {
		return ""
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return "invalid host name"
		}
		for i, c := range label {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' && i > 0 && i < len(label)-1
			if !ok {
				return fmt.Sprintf("invalid character %q in host name", c)
			}
		}
	}
	return ""
}

func checkRepoPrefix(repo string) string {
	if repo == "" {
		return ""
	}
	if strings.HasPrefix(repo, "/") || strings.HasSuffix(repo, "/") {
		return "write it without leading or trailing slashes"
	}
	for _, part := range strings.Split(repo, "/") {
		if part == "" {
			return "empty path component"
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return fmt.Sprintf("invalid character %q: repository names are lowercase letters, digits, '.', '_' and '-'", c)
			}
		}
	}
	return ""
}

// isLoopbackRegistry reports whether host[:port] is localhost or a loopback address, where kpm
// uses plain HTTP automatically.
func isLoopbackRegistry(host string) bool {
	name := host
	if strings.HasPrefix(name, "[") {
		if end := strings.Index(name, "]"); end > 0 {
			name = name[1:end]
		}
	} else if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if strings.EqualFold(name, "localhost") {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}
