package workspace

import (
	"testing"
)

// FuzzParseModFile: the language server feeds every keystroke to ParseModFile, so it must never
// panic, every range must lie inside the source, and adding a dependency to a well-formed file
// (valid TOML, no duplicate keys) must keep it well-formed and make the dependency visible.
func FuzzParseModFile(f *testing.F) {
	for _, seed := range []string{
		editSrc,
		pkgHeader + "[dependencies]\nk8s = \"1.28\"\nx = { oci = \"oci://h/r/x\", tag = \"1\" }\n",
		pkgHeader + "[dependencies.x]\noci = \"oci://h/r/x\"\n[profile]\nentries = [\"a\", 1]\n",
		"[package\nname = ",
		"a.b.c = 1\n[[x]]\n[dependencies]\n\"quoted key\" = { path = '../p' }\n",
		"[package]\nname = \"app\"\n[dependencies]\nx = {\n  oci = \"oci://h/r/x\", # c\n}\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		mf, findings := ParseModFile("kcl.mod", []byte(src))
		if mf == nil {
			t.Fatal("nil ModFile")
		}
		inside := func(what string, r Range) {
			if !r.IsValid() {
				return
			}
			if r.Start.Offset < 0 || r.End.Offset > len(src) || r.Start.Offset > r.End.Offset {
				t.Fatalf("%s range %v-%v outside the source (%d bytes)", what, r.Start, r.End, len(src))
			}
		}
		for _, fd := range findings {
			inside("finding "+fd.Message, fd.Range)
		}
		for _, d := range mf.Dependencies {
			inside("dependency key", d.KeyRange)
			inside("dependency value", d.ValueRange)
			inside("dependency entry", d.EntryRange)
		}
		if malformed(findings) != nil || mf.Dependency("fuzz_added") != nil {
			return
		}
		edit := mf.SetDependency(DepSpec{Name: "fuzz_added", Version: "1.2.3"})
		out := ApplyEdits([]byte(src), edit)
		mf2, f2 := ParseModFile("kcl.mod", out)
		if bad := malformed(f2); bad != nil {
			t.Fatalf("adding a dependency broke the file:\n%q\n-> %q\n-> %s", src, out, bad)
		}
		if d := mf2.Dependency("fuzz_added"); d == nil || d.Version.Value != "1.2.3" {
			t.Fatalf("added dependency not found in:\n%s", out)
		}
	})
}

func malformed(findings []Finding) *Finding {
	for i, f := range findings {
		if f.Code == CodeSyntax || f.Code == CodeDuplicateKey {
			return &findings[i]
		}
	}
	return nil
}
