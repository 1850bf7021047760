package workspace

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const pkgHeader = "[package]\nname = \"app\"\nedition = \"v0.11.0\"\nversion = \"0.0.1\"\n"

func TestParseModFileValid(t *testing.T) {
	src := `[package]
name = "app"        # the name
edition = "*"
version = "0.1.0"
description = "demo"
include = ["*.k"]
exclude = ["vendor/*"]

[dependencies]
k8s = "1.28"
helloworld = { oci = "oci://ghcr.io/kcl-lang/helloworld", tag = "0.1.4" }
sub = { path = "../sub" }
konfig = { git = "https://github.com/kcl-lang/konfig", tag = "v0.10.0" }
my-alias = { oci = "oci://localhost:5001/test/real", tag = "1.0.0", package = "real" }

[dependencies.tabled]
oci = "oci://ghcr.io/kcl-lang/tabled"
tag = "0.2.0"

[profile]
entries = ["main.k", "other.k"]
disable_none = true
sort_keys = false
`
	mf, findings := ParseModFile("kcl.mod", []byte(src))
	require.Empty(t, findings)
	require.NotNil(t, mf.Package)
	assert.Equal(t, "app", mf.Name())
	assert.Equal(t, "0.1.0", mf.Version())
	assert.Equal(t, "*", mf.Package.Edition.Value)
	assert.Equal(t, "demo", mf.Package.Description.Value)
	assert.Equal(t, "*.k", mf.Package.Include[0].Value)
	assert.Equal(t, "vendor/*", mf.Package.Exclude[0].Value)
	// Positions: name value at 2:8-2:13 (quotes included), key at 2:1-2:5.
	assert.Equal(t, Range{Start: Pos{Offset: 17, Line: 2, Col: 8}, End: Pos{Offset: 22, Line: 2, Col: 13}}, mf.Package.Name.Range)
	assert.Equal(t, Range{Start: Pos{Offset: 10, Line: 2, Col: 1}, End: Pos{Offset: 14, Line: 2, Col: 5}}, mf.Package.Name.Key)
	assert.Equal(t, Pos{Offset: 0, Line: 1, Col: 1}, mf.Package.Range.Start)
	assert.Equal(t, 10, mf.Package.Range.End.Col)

	var names []string
	for _, d := range mf.Dependencies {
		names = append(names, d.Name+":"+d.Source().String())
	}
	assert.Equal(t, []string{"k8s:registry", "helloworld:oci", "sub:path", "konfig:git", "my-alias:oci", "tabled:oci"}, names)
	k8s := mf.Dependency("k8s")
	assert.Equal(t, "1.28", k8s.Version.Value)
	assert.Equal(t, "k8s = \"1.28\"", src[k8s.EntryRange.Start.Offset:k8s.EntryRange.End.Offset])
	assert.Equal(t, 10, k8s.KeyRange.Start.Line)
	hw := mf.Dependency("helloworld")
	assert.True(t, hw.Inline)
	assert.Equal(t, "oci://ghcr.io/kcl-lang/helloworld", hw.OCI.Value)
	assert.Equal(t, "0.1.4", hw.Tag.Value)
	assert.Equal(t, `"0.1.4"`, src[hw.Tag.Range.Start.Offset:hw.Tag.Range.End.Offset])
	assert.Equal(t, `{ oci = "oci://ghcr.io/kcl-lang/helloworld", tag = "0.1.4" }`, src[hw.ValueRange.Start.Offset:hw.ValueRange.End.Offset])
	alias := mf.Dependency("my-alias")
	assert.Equal(t, "my_alias", alias.ImportName())
	assert.Equal(t, "real", alias.PackageName())
	tabled := mf.Dependency("tabled")
	assert.True(t, tabled.TableForm)
	assert.Equal(t, "[dependencies.tabled]\noci = \"oci://ghcr.io/kcl-lang/tabled\"\ntag = \"0.2.0\"\n", src[tabled.EntryRange.Start.Offset:tabled.EntryRange.End.Offset])
	require.NotNil(t, mf.Profile)
	assert.Equal(t, []string{"main.k", "other.k"}, []string{mf.Profile.Entries[0].Value, mf.Profile.Entries[1].Value})
	assert.True(t, mf.Profile.DisableNone.Value)
	assert.True(t, mf.Profile.SortKeys.Set)
	assert.False(t, mf.Profile.SortKeys.Value)
	assert.Equal(t, 9, mf.DependenciesHeader.Start.Line)
}

// TestParseModFileFindings checks every kind of finding with its exact position and message.
func TestParseModFileFindings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "LINE:COL-LINE:COL severity code: message"
	}{
		{
			name: "toml syntax",
			src:  "[package]\nname = \"app\"\nversion = \"0.0.1\"\n[dependencies\n",
			want: []string{`4:14-5:1 error toml-syntax: invalid TOML: expected ']' to close table name`},
		},
		{
			name: "unterminated string",
			src:  "[package]\nname = \"app\n",
			want: []string{`2:12-3:1 error toml-syntax: missing closing quote (")`},
		},
		{
			name: "missing package",
			src:  "[dependencies]\nk8s = \"1.28\"\n",
			want: []string{`1:1-1:1 error missing-package: missing [package] section with the package name and version`},
		},
		{
			name: "missing name",
			src:  "[package]\nversion = \"0.0.1\"\n",
			want: []string{`1:1-1:10 error missing-package: [package] has no name`},
		},
		{
			name: "invalid name",
			src:  "[package]\nname = \"My_App\"\nversion = \"0.0.1\"\n",
			want: []string{`2:8-2:16 error invalid-name: invalid package name "My_App": want lowercase letters, digits and '_', parts joined by single '-', starting with a letter (^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$)`},
		},
		{
			name: "name double dash",
			src:  "[package]\nname = \"a--b\"\n",
			want: []string{`2:8-2:14 error invalid-name: invalid package name "a--b": want lowercase letters, digits and '_', parts joined by single '-', starting with a letter (^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$)`},
		},
		{
			name: "invalid version",
			src:  "[package]\nname = \"app\"\nversion = \"1.x\"\n",
			want: []string{`3:11-3:16 error invalid-version: invalid version "1.x": want a semantic version like 1.2.3`},
		},
		{
			name: "bad include pattern",
			src:  pkgHeader + "include = [\"*.k\", \"[a-\"]\n",
			want: []string{`5:19-5:24 error invalid-pattern: invalid pattern "[a-": syntax error in pattern`},
		},
		{
			name: "wrong type",
			src:  "[package]\nname = 3\n",
			want: []string{`2:8-2:9 error wrong-type: package.name: want a string, got an integer`},
		},
		{
			name: "duplicate key",
			src:  pkgHeader + "name = \"b\"\n",
			want: []string{`5:1-5:5 error duplicate-key: duplicate key "package.name" (first defined at line 2)`},
		},
		{
			name: "duplicate table",
			src:  pkgHeader + "[package]\n",
			want: []string{`5:2-5:9 error duplicate-key: table [package] is already defined at line 1`},
		},
		{
			name: "unknown section",
			src:  pkgHeader + "[dependency]\nk8s = \"1.28\"\n",
			want: []string{
				`5:1-5:13 warning unknown-section: unknown section [dependency]: want [package], [dependencies] or [profile]`,
				`6:1-6:4 warning unknown-key: unknown key "dependency.k8s"`,
			},
		},
		{
			name: "unknown package key",
			src:  pkgHeader + "authors = [\"me\"]\n",
			want: []string{`5:1-5:8 warning unknown-key: unknown key "authors" in [package]: want name, edition, version, description, include or exclude`},
		},
		{
			name: "unknown top-level key",
			src:  "title = \"x\"\n" + pkgHeader,
			want: []string{`1:1-1:6 warning unknown-key: unknown key "title" outside any section`},
		},
		{
			name: "unknown profile key",
			src:  pkgHeader + "[profile]\nentry = [\"main.k\"]\n",
			want: []string{`6:1-6:6 warning unknown-key: unknown key "entry" in [profile]: want entries, disable_none, sort_keys, selectors, overrides or arguments`},
		},
		{
			name: "profile entries not strings",
			src:  pkgHeader + "[profile]\nentries = [\"main.k\", 1]\n",
			want: []string{`6:22-6:23 error wrong-type: profile.entries: want a list of strings, found an integer`},
		},
		{
			name: "dependency version not a tag",
			src:  pkgHeader + "[dependencies]\nk8s = \"1.28 beta\"\n",
			want: []string{`6:7-6:18 error invalid-version: dependency k8s: invalid version "1.28 beta": want a version like 1.2.3`},
		},
		{
			name: "dependency wrong type",
			src:  pkgHeader + "[dependencies]\nk8s = 1.28\n",
			want: []string{`6:7-6:11 error wrong-type: dependency k8s: want a version string or a table like { oci = "oci://…", tag = "…" }`},
		},
		{
			name: "oci and git",
			src:  pkgHeader + "[dependencies]\nx = { oci = \"oci://h/r/x\", git = \"https://g/x\", tag = \"1\" }\n",
			want: []string{`6:1-6:2 error invalid-dependency: dependency x: oci and git cannot be used together`},
		},
		{
			name: "path and oci",
			src:  pkgHeader + "[dependencies]\nx = { oci = \"oci://h/r/x\", path = \"../x\" }\n",
			want: []string{`6:1-6:2 error invalid-dependency: dependency x: path cannot be combined with oci or git`},
		},
		{
			name: "git without ref: the default branch, as upstream",
			src:  pkgHeader + "[dependencies]\nx = { git = \"https://github.com/a/x\" }\n",
			want: nil,
		},
		{
			name: "git value that is not a URL yet, as upstream accepts",
			src:  pkgHeader + "[dependencies]\nx = { git = \"github.com/a/x\", tag = \"v1\" }\n",
			want: nil,
		},
		{
			name: "git with two refs",
			src:  pkgHeader + "[dependencies]\nx = { git = \"https://github.com/a/x\", tag = \"v1\", branch = \"main\" }\n",
			want: []string{`6:1-6:2 error invalid-dependency: dependency x: git takes one of tag, commit or branch (found 2)`},
		},
		{
			name: "no source",
			src:  pkgHeader + "[dependencies]\nx = { tag = \"1.0.0\" }\n",
			want: []string{`6:1-6:2 error invalid-dependency: dependency x: want a version ("1.2.3") or a table with oci, git or path`},
		},
		{
			name: "bad oci scheme",
			src:  pkgHeader + "[dependencies]\nx = { oci = \"https://ghcr.io/a/x\", tag = \"1\" }\n",
			want: []string{`6:13-6:34 error invalid-oci-url: dependency x: invalid oci URL "https://ghcr.io/a/x": write it oci://ghcr.io/a/x (kcl.mod takes oci:// URLs; plain HTTP is chosen with OCI_REG_PLAIN_HTTP)`},
		},
		{
			name: "oci without scheme",
			src:  pkgHeader + "[dependencies]\nx = { oci = \"ghcr.io/a/x\", tag = \"1\" }\n",
			want: []string{`6:13-6:26 error invalid-oci-url: dependency x: invalid oci URL "ghcr.io/a/x": want oci://host/repository`},
		},
		{
			name: "oci without repository",
			src:  pkgHeader + "[dependencies]\nx = { oci = \"oci://ghcr.io\", tag = \"1\" }\n",
			want: []string{`6:13-6:28 error invalid-oci-url: dependency x: invalid oci URL "oci://ghcr.io": no repository after the host`},
		},
		{
			name: "oci uppercase repository",
			src:  pkgHeader + "[dependencies]\nx = { oci = \"oci://ghcr.io/Kcl/X\", tag = \"1\" }\n",
			want: []string{`6:13-6:34 error invalid-oci-url: dependency x: invalid oci URL "oci://ghcr.io/Kcl/X": invalid repository "Kcl/X": want lowercase letters, digits and separators`},
		},
		{
			name: "oci tag in url",
			src:  pkgHeader + "[dependencies]\nx = { oci = \"oci://ghcr.io/a/x:1.0\" }\n",
			want: []string{`6:13-6:36 error invalid-oci-url: dependency x: invalid oci URL "oci://ghcr.io/a/x:1.0": put the tag in tag = "…", not in the URL`},
		},
		{
			name: "unknown dependency key",
			src:  pkgHeader + "[dependencies]\nx = { oci = \"oci://ghcr.io/a/x\", tags = \"1\" }\n",
			want: []string{`6:34-6:38 warning unknown-key: unknown key "tags" in dependency x: want oci, tag, git, commit, branch, path, version or package`},
		},
		{
			name: "duplicate import name",
			src:  pkgHeader + "[dependencies]\nfoo-bar = \"1.0.0\"\nfoo_bar = \"2.0.0\"\n",
			want: []string{`7:1-7:8 error duplicate-import: dependency foo_bar has the same import name foo_bar as foo-bar (line 6)`},
		},
		{
			name: "dependency named like the package, as upstream accepts",
			src:  pkgHeader + "[dependencies]\napp = \"0.0.1\"\n",
			want: []string{"6:1-6:4 warning self-dependency: dependency app has the package's own name: `import app` refers to the dependency"},
		},
		{
			name: "self dependency: the package's own directory",
			src:  pkgHeader + "[dependencies]\nme = { path = \".\", package = \"app\" }\n",
			want: []string{`6:1-6:3 error self-dependency: package app depends on itself`},
		},
		{
			name: "duplicate dependency",
			src:  pkgHeader + "[dependencies]\nk8s = \"1.28\"\nk8s = \"1.29\"\n",
			want: []string{`7:1-7:4 error duplicate-key: duplicate key "dependencies.k8s" (first defined at line 6)`},
		},
		{
			name: "array of tables",
			src:  pkgHeader + "[[dependencies]]\n",
			want: []string{`5:1-5:17 error wrong-type: [[dependencies]]: kcl.mod has no arrays of tables`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, findings := ParseModFile("kcl.mod", []byte(tt.src))
			var got []string
			for _, f := range findings {
				got = append(got, fmt.Sprintf("%s-%s %s %s: %s", f.Range.Start, f.Range.End, f.Severity, f.Code, f.Message))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFindingString(t *testing.T) {
	_, findings := ParseModFile("/tmp/x/kcl.mod", []byte("[package]\nname = \"app\"\nversion = \"1.x\"\n[foo]\n"))
	require.Len(t, findings, 2)
	assert.Equal(t, `kcl.mod:3:11: invalid version "1.x": want a semantic version like 1.2.3`, findings[0].String())
	assert.Equal(t, `kcl.mod:4:1: warning: unknown section [foo]: want [package], [dependencies] or [profile]`, findings[1].String())
	err := &FindingsError{Findings: Errors(findings)}
	assert.Equal(t, `kcl.mod:3:11: invalid version "1.x": want a semantic version like 1.2.3`, err.Error())
}

func TestLSPPositions(t *testing.T) {
	src := []byte("[package]\ndescription = \"héllo 😀\" # x\nname = \"Bad\"\n")
	_, findings := ParseModFile("kcl.mod", src)
	var nameFinding Finding
	for _, f := range findings {
		if f.Code == CodeInvalidName {
			nameFinding = f
		}
	}
	require.Equal(t, 3, nameFinding.Range.Start.Line)
	assert.Equal(t, LSPPosition{Line: 2, Character: 7}, LSPPos(src, nameFinding.Range.Start))
	// On line 2, the comment starts after a 2-byte é and a 4-byte emoji (2 UTF-16 units).
	off := strings.Index(string(src), "# x")
	p := PosAt(src, off)
	assert.Equal(t, 2, p.Line)
	assert.Equal(t, off-10+1, p.Col)
	lp := LSPPos(src, p)
	assert.Equal(t, LSPPosition{Line: 1, Character: uint32(p.Col - 1 - 1 - 2)}, lp)
	assert.Equal(t, off, OffsetAt(src, lp))
	start, end := LSPRange(src, nameFinding.Range)
	assert.Equal(t, LSPPosition{Line: 2, Character: 7}, start)
	assert.Equal(t, LSPPosition{Line: 2, Character: 12}, end)
}

func TestSemver(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.2.3", "1.2.3", 0},
		{"1.2.3", "1.10.0", -1},
		{"2.0.0", "1.99.99", 1},
		{"1.0.0-rc.1", "1.0.0", -1},
		{"1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"1.0.0-alpha.beta", "1.0.0-beta", -1},
		{"1.0.0-2", "1.0.0-11", -1},
		{"1.29", "1.28", 1},
		{"1.28", "1.28.1", -1},
		{"latest", "0.0.1", -1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"_"+tt.b, func(t *testing.T) {
			assert.Equal(t, tt.want, CompareVersions(tt.a, tt.b))
			assert.Equal(t, -tt.want, CompareVersions(tt.b, tt.a))
		})
	}
	assert.Equal(t, "0.10.0", HighestVersion([]string{"0.2.0", "latest", "0.10.0", "0.9.9", "junk"}))
	assert.Equal(t, "", HighestVersion([]string{"latest"}))
	for _, v := range []string{"1.2.3", "v1.2.3", "1.0.0-rc.1+b5"} {
		_, ok := ParseSemver(v)
		assert.True(t, ok, v)
	}
	for _, v := range []string{"1.2", "01.2.3", "1.2.x", "", "1.2.3-", "1.2.3-01"} {
		_, ok := ParseSemver(v)
		assert.False(t, ok, v)
	}
}

// Package versions are read as upstream reads them (hashicorp/go-version): 1.33 and v0.1.0 are
// versions, 1.x is not.
func TestPackageVersionsUpstreamAccepts(t *testing.T) {
	for v, ok := range map[string]bool{"1.33": true, "v0.1.0": true, "1.2.3-rc.1+b": true, "1.31.2": true, "1.x": false, "one": false} {
		_, findings := ParseModFile("kcl.mod", []byte("[package]\nname = \"p\"\nversion = \""+v+"\"\n"))
		assert.Equal(t, ok, RefuseFindings(findings) == nil, v)
	}
}
