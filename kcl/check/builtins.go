package check

import (
	"strings"
	"sync"

	"github.com/kpm-dev/kpm/kcl"
)

// Signatures of the builtins and standard-module functions whose parameters the checker and
// the editor know: "name(params) -> result" in KCL's own notation; `?` marks an optional
// parameter, `...` any number of positional arguments. Names come from the engine's tables
// (kcl.Builtins, kcl.StdModuleMembers); a function missing here takes any arguments.
var signatures = map[string]string{
	"print":                 "print(...) -> NoneType",
	"option":                "option(key: str, type?: str, required?: bool, default?: any, help?: str) -> any",
	"len":                   "len(x: str | {:} | []) -> int",
	"str":                   "str(x?: any) -> str",
	"int":                   "int(x?: any, base?: int) -> int",
	"float":                 "float(x?: any) -> float",
	"bool":                  "bool(x?: any) -> bool",
	"list":                  "list(x?: any) -> []",
	"dict":                  "dict(x?: any) -> {:}",
	"range":                 "range(start: int, stop?: int, step?: int) -> [int]",
	"min":                   "min(...) -> any",
	"max":                   "max(...) -> any",
	"sum":                   "sum(iterable: [], start?: any) -> any",
	"abs":                   "abs(x: any) -> any",
	"all_true":              "all_true(iterable: any) -> bool",
	"any_true":              "any_true(iterable: any) -> bool",
	"sorted":                "sorted(iterable: any, reverse?: bool) -> []",
	"zip":                   "zip(...) -> []",
	"isunique":              "isunique(inval: []) -> bool",
	"multiplyof":            "multiplyof(a: int, b: int) -> bool",
	"ord":                   "ord(c: str) -> int",
	"round":                 "round(number: int | float, ndigits?: int) -> float",
	"typeof":                "typeof(x: any, full_name?: bool) -> str",
	"hex":                   "hex(number: int) -> str",
	"oct":                   "oct(number: int) -> str",
	"bin":                   "bin(number: int) -> str",
	"pow":                   "pow(x: int | float, y: int | float, z?: int | float) -> int | float",
	"isnullish":             "isnullish(inval: any) -> bool",
	"math.ceil":             "ceil(x: int | float) -> int",
	"math.floor":            "floor(x: int | float) -> int",
	"math.sqrt":             "sqrt(x: int | float) -> float",
	"math.log":              "log(x: int | float, base?: float) -> float",
	"math.pow":              "pow(x: int | float, y: int | float) -> float",
	"math.gcd":              "gcd(a: int, b: int) -> int",
	"math.factorial":        "factorial(x: int | float) -> int",
	"math.exp":              "exp(x: int | float) -> float",
	"base64.encode":         "encode(value: str) -> str",
	"base64.decode":         "decode(value: str) -> str",
	"base32.encode":         "encode(value: str) -> str",
	"base32.decode":         "decode(value: str) -> str",
	"json.encode":           "encode(data: any, sort_keys?: bool, indent?: int, ignore_private?: bool, ignore_none?: bool) -> str",
	"json.decode":           "decode(value: str) -> any",
	"json.validate":         "validate(value: str) -> bool",
	"yaml.encode":           "encode(data: any, sort_keys?: bool, ignore_private?: bool, ignore_none?: bool) -> str",
	"yaml.decode":           "decode(value: str) -> any",
	"yaml.encode_all":       "encode_all(data: [], sort_keys?: bool, ignore_private?: bool, ignore_none?: bool) -> str",
	"yaml.decode_all":       "decode_all(value: str) -> []",
	"yaml.validate":         "validate(value: str) -> bool",
	"regex.match":           "match(string: str, pattern: str) -> bool",
	"regex.search":          "search(string: str, pattern: str) -> bool",
	"regex.compile":         "compile(pattern: str) -> bool",
	"regex.findall":         "findall(string: str, pattern: str) -> [str]",
	"regex.replace":         "replace(string: str, pattern: str, replace: str, count?: int) -> str",
	"regex.split":           "split(string: str, pattern: str, maxsplit?: int) -> [str]",
	"file.read":             "read(filepath: str) -> str",
	"file.exists":           "exists(filepath: str) -> bool",
	"file.glob":             "glob(pattern: str) -> [str]",
	"file.modpath":          "modpath() -> str",
	"file.workdir":          "workdir() -> str",
	"datetime.now":          "now(format?: str) -> str",
	"datetime.today":        "today() -> str",
	"datetime.ticks":        "ticks() -> float",
	"datetime.date":         "date() -> str",
	"crypto.md5":            "md5(value: str, encoding?: str) -> str",
	"crypto.sha256":         "sha256(value: str, encoding?: str) -> str",
	"crypto.uuid":           "uuid() -> str",
	"net.split_host_port":   "split_host_port(ip_end_point: str) -> [str]",
	"net.join_host_port":    "join_host_port(host: str, port: int | str) -> str",
	"net.is_IPv4":           "is_IPv4(ip: str) -> bool",
	"net.is_IP":             "is_IP(ip: str) -> bool",
	"template.execute":      "execute(template: str, data?: {:}) -> str",
	"template.html_escape":  "html_escape(data: str) -> str",
	"manifests.yaml_stream": "yaml_stream(values: any, opts?: {:}) -> NoneType",
	"collection.union_all":  "union_all(configs: []) -> {:}",
	"runtime.catch":         "catch(func: any) -> str",
	"units.to_Ki":           "to_Ki(num: int | float) -> str",
	"units.to_Mi":           "to_Mi(num: int | float) -> str",
	"units.to_Gi":           "to_Gi(num: int | float) -> str",
}

// String methods (KCL's str members).
var stringMethods = map[string]string{
	"capitalize": "capitalize() -> str", "count": "count(sub: str, start?: int, end?: int) -> int",
	"endswith": "endswith(val: str, start?: int, end?: int) -> bool", "find": "find(sub: str, start?: int, end?: int) -> int",
	"format": "format(...) -> str", "index": "index(sub: str, start?: int, end?: int) -> int",
	"isalnum": "isalnum() -> bool", "isalpha": "isalpha() -> bool", "isdigit": "isdigit() -> bool",
	"islower": "islower() -> bool", "isspace": "isspace() -> bool", "istitle": "istitle() -> bool",
	"isupper": "isupper() -> bool", "join": "join(iter: []) -> str", "lower": "lower() -> str",
	"upper": "upper() -> str", "lstrip": "lstrip(chars?: str) -> str", "rstrip": "rstrip(chars?: str) -> str",
	"strip": "strip(chars?: str) -> str", "replace": "replace(old: str, new: str, count?: int) -> str",
	"removeprefix": "removeprefix(prefix: str) -> str", "removesuffix": "removesuffix(suffix: str) -> str",
	"rfind": "rfind(sub: str, start?: int, end?: int) -> int", "rindex": "rindex(sub: str, start?: int, end?: int) -> int",
	"rsplit": "rsplit(sep?: str, maxsplit?: int) -> [str]", "split": "split(sep?: str, maxsplit?: int) -> [str]",
	"splitlines": "splitlines(keepends?: bool) -> [str]", "startswith": "startswith(val: str, start?: int, end?: int) -> bool",
	"title": "title() -> str", "chars": "chars() -> [str]",
}

// Dict members (instances of schemas have none): KCL has no dict methods, but schema types
// have instances().
var schemaTypeMembers = map[string]string{
	"instances": "instances(main_pkg?: bool) -> []",
}

// universe is the outermost scope: the builtin functions.
var universe = func() *Scope {
	s := newScope(nil)
	for _, n := range kcl.Builtins() {
		s.insert(&Object{Name: n, Kind: BuiltinObj, typ: parseSignature(n)})
	}
	return s
}()

var (
	stdMu   sync.Mutex
	stdPkgs = map[string]*Package{}
)

// stdPackage is a standard module as a package whose scope holds its members.
func stdPackage(name string) *Package {
	stdMu.Lock()
	defer stdMu.Unlock()
	if p := stdPkgs[name]; p != nil {
		return p
	}
	p := &Package{Path: name, Scope: newScope(nil), checked: true}
	for _, m := range kcl.StdModuleMembers(name) {
		var t Type = Any
		if _, ok := signatures[name+"."+m]; ok {
			t = parseSignature(name + "." + m)
		} else {
			t = &Func{Result: Any, Variadic: true}
		}
		p.Scope.insert(&Object{Name: m, Kind: MemberObj, typ: t, more: &objectMore{doc: name + "." + m}})
	}
	if name == "units" {
		p.Scope.insert(&Object{Name: "NumberMultiplier", Kind: TypeAliasObj, typ: numberMultiplier, more: &objectMore{doc: "units.NumberMultiplier: a number with a unit suffix (1Ki, 2M)"}})
	}
	stdPkgs[name] = p
	return p
}

// parseSignature turns a signature of the table into a Func (any arguments when unknown).
func parseSignature(key string) *Func {
	sig, ok := signatures[key]
	if !ok {
		sig, ok = stringMethods[key]
	}
	if !ok {
		return &Func{Result: Any, Variadic: true}
	}
	return signatureFunc(sig)
}

func signatureFunc(sig string) *Func {
	open, arrow := strings.Index(sig, "("), strings.LastIndex(sig, ") -> ")
	f := &Func{Result: parseTypeText(sig[arrow+5:]), Doc: sig}
	for _, p := range splitParams(sig[open+1 : arrow]) {
		if p == "..." {
			f.Variadic = true
			continue
		}
		name, typ, _ := strings.Cut(p, ": ")
		q := Param{Name: name, Type: Any}
		if strings.HasSuffix(name, "?") {
			q.Name, q.Optional = strings.TrimSuffix(name, "?"), true
		}
		if typ != "" {
			q.Type = parseTypeText(typ)
		}
		f.Params = append(f.Params, q)
	}
	return f
}

func splitParams(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[', '{', '(':
			depth++
		case ']', '}', ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

// parseTypeText reads the few type spellings the signature table uses.
func parseTypeText(s string) Type {
	s = strings.TrimSpace(s)
	if strings.Contains(s, " | ") {
		var ts []Type
		for _, p := range strings.Split(s, " | ") {
			ts = append(ts, parseTypeText(p))
		}
		return &Union{ts}
	}
	if b, ok := basicTypes[s]; ok {
		return b
	}
	switch s {
	case "NoneType":
		return None
	case "[]":
		return &List{Any}
	case "{:}":
		return &Dict{Key: Any, Value: Any}
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return &List{parseTypeText(s[1 : len(s)-1])}
	}
	return Any
}

// stringMember is the type of a member of a str value.
func stringMember(name string) Type {
	if _, ok := stringMethods[name]; ok {
		return signatureFunc(stringMethods[name])
	}
	return nil
}

// StringMethods lists the members of str values with their signatures.
func StringMethods() map[string]string { return stringMethods }
