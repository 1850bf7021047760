package workspace

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	goversion "github.com/hashicorp/go-version"
)

var (
	identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// tagRE is the OCI distribution spec rule for tags.
	tagRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)
	// repoPathRE is the OCI distribution spec rule for repository names.
	repoPathRE = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)
)

// ValidTag reports whether s is a valid OCI tag.
func ValidTag(s string) bool { return tagRE.MatchString(s) }

func (p *modParser) validate() {
	mf := p.mf
	// After a syntax error the model is partial: report nothing as missing.
	if mf.Package == nil {
		if !p.syntaxErr {
			p.add(SeverityError, CodeMissingPackage, mf.lines.rng(0, 0), "missing [package] section with the package name and version")
		}
	} else {
		pkg := mf.Package
		switch {
		case !pkg.Name.Set:
			if pkg.Name.Range.IsValid() || p.syntaxErr {
				break // wrong type, reported already
			}
			p.add(SeverityError, CodeMissingPackage, pkg.Range, "[package] has no name")
		case !ValidPackageName(pkg.Name.Value):
			p.add(SeverityError, CodeInvalidName, pkg.Name.Range, "invalid package name %q: want lowercase letters, digits and '_', parts joined by single '-', starting with a letter (%s)", pkg.Name.Value, PackageNameRule)
		}
		for _, list := range [][]StrValue{pkg.Include, pkg.Exclude} {
			for _, g := range list {
				if _, err := path.Match(g.Value, ""); err != nil {
					p.add(SeverityError, CodeInvalidPattern, g.Range, "invalid pattern %q: %v", g.Value, err)
				}
			}
		}
		if pkg.Version.Set {
			// upstream validates with hashicorp/go-version: 1.33 and v0.1.0 are versions
			if _, err := goversion.NewVersion(pkg.Version.Value); err != nil {
				p.add(SeverityError, CodeInvalidVersion, pkg.Version.Range, "invalid version %q: want a semantic version like 1.2.3", pkg.Version.Value)
			}
		}
	}

	seen := map[string]*Dependency{}
	for _, d := range mf.Dependencies {
		p.validateDep(d)
		imp := d.ImportName()
		if !identRE.MatchString(imp) {
			p.add(SeverityError, CodeInvalidName, d.KeyRange, "invalid dependency name %q: want letters, digits, '_' or '-', starting with a letter", d.Name)
		}
		if prev, ok := seen[imp]; ok {
			p.add(SeverityError, CodeDuplicateImport, d.KeyRange, "dependency %s has the same import name %s as %s (line %d)", d.Name, imp, prev.Name, prev.KeyRange.Start.Line)
		} else {
			seen[imp] = d
		}
		if self := mf.Name(); self != "" && (ImportName(d.PackageName()) == ImportName(self)) && d.Source() == SourcePath && (d.Path.Value == "." || d.Path.Value == "./") {
			p.add(SeverityError, CodeSelfDependency, d.KeyRange, "package %s depends on itself", self)
		} else if self != "" && ImportName(d.Name) == ImportName(self) {
			// upstream accepts it: the dependency shadows the package's own name in imports
			p.add(SeverityWarning, CodeSelfDependency, d.KeyRange, "dependency %s has the package's own name: `import %s` refers to the dependency", d.Name, ImportName(d.Name))
		}
	}
}

func (p *modParser) validateDep(d *Dependency) {
	if !d.Inline && !d.TableForm && d.Version.Set {
		// name = "1.2.3"
		if !ValidTag(d.Version.Value) {
			p.add(SeverityError, CodeInvalidVersion, d.Version.Range, "dependency %s: invalid version %q: want a version like 1.2.3", d.Name, d.Version.Value)
		}
		return
	}
	if !d.Inline && !d.TableForm {
		return // wrong type, reported already
	}
	switch {
	case d.OCI.Set && d.Git.Set:
		p.add(SeverityError, CodeInvalidDep, d.KeyRange, "dependency %s: oci and git cannot be used together", d.Name)
		return
	case d.Path.Set && (d.OCI.Set || d.Git.Set):
		p.add(SeverityError, CodeInvalidDep, d.KeyRange, "dependency %s: path cannot be combined with oci or git", d.Name)
		return
	}
	switch d.Source() {
	case SourceOCI:
		if err := checkOCIURL(d.OCI.Value); err != nil {
			p.add(SeverityError, CodeInvalidOCIURL, d.OCI.Range, "dependency %s: invalid oci URL %q: %v", d.Name, d.OCI.Value, err)
		}
		if d.Tag.Set && !ValidTag(d.Tag.Value) {
			p.add(SeverityError, CodeInvalidVersion, d.Tag.Range, "dependency %s: invalid tag %q: want a tag like 1.2.3", d.Name, d.Tag.Value)
		}
		for _, v := range []StrValue{d.Commit, d.Branch, d.Path} {
			if v.Set {
				p.add(SeverityWarning, CodeUnknownKey, v.Key, "dependency %s: %s is ignored for an oci dependency", d.Name, keyText(p.mf.Src, v.Key))
			}
		}
	case SourceGit:
		n := 0
		for _, v := range []StrValue{d.Tag, d.Commit, d.Branch} {
			if v.Set {
				n++
			}
		}
		if n > 1 {
			p.add(SeverityError, CodeInvalidDep, d.KeyRange, "dependency %s: git takes one of tag, commit or branch (found %d)", d.Name, n)
		}
		if _, err := url.Parse(d.Git.Value); err != nil || strings.TrimSpace(d.Git.Value) == "" || strings.HasPrefix(d.Git.Value, "-") {
			p.add(SeverityError, CodeInvalidDep, d.Git.Range, "dependency %s: invalid git URL %q", d.Name, d.Git.Value)
		}
		if d.Commit.Set && !ValidGitCommit(d.Commit.Value) {
			p.add(SeverityError, CodeInvalidDep, d.Commit.Range, "dependency %s: invalid commit %q: want a hexadecimal commit id (4 to 64 digits)", d.Name, d.Commit.Value)
		}
		for _, v := range []StrValue{d.Tag, d.Branch} {
			if v.Set && !ValidGitRefName(v.Value) {
				p.add(SeverityError, CodeInvalidDep, v.Range, "dependency %s: invalid git %s %q: want a git reference name (no leading '-', no spaces, control characters, '..', or any of ~^:?*[\\)", d.Name, keyText(p.mf.Src, v.Key), v.Value)
			}
		}
	case SourcePath:
		if d.Path.Value == "" {
			p.add(SeverityError, CodeInvalidDep, d.Path.Range, "dependency %s: empty path", d.Name)
		}
	case SourceRegistry:
		if !ValidTag(d.Version.Value) {
			p.add(SeverityError, CodeInvalidVersion, d.Version.Range, "dependency %s: invalid version %q: want a version like 1.2.3", d.Name, d.Version.Value)
		}
	default:
		p.add(SeverityError, CodeInvalidDep, d.KeyRange, "dependency %s: want a version (\"1.2.3\") or a table with oci, git or path", d.Name)
	}
}

func keyText(src []byte, r Range) string {
	if !r.IsValid() || r.End.Offset > len(src) {
		return "key"
	}
	return string(src[r.Start.Offset:r.End.Offset])
}

// checkOCIURL validates "oci://host[:port]/repo/name" (an optional "?tag=" is allowed).
func checkOCIURL(s string) error {
	rest, ok := strings.CutPrefix(s, "oci://")
	if !ok {
		for _, scheme := range []string{"https://", "http://"} {
			if r, ok := strings.CutPrefix(s, scheme); ok && r != "" {
				return fmt.Errorf("write it oci://%s (kcl.mod takes oci:// URLs; plain HTTP is chosen with OCI_REG_PLAIN_HTTP)", r)
			}
		}
		return fmt.Errorf("want oci://host/repository")
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		q, err := url.ParseQuery(rest[i+1:])
		if err != nil {
			return fmt.Errorf("bad query: %v", err)
		}
		if t := q.Get("tag"); t != "" && !ValidTag(t) {
			return fmt.Errorf("invalid tag %q", t)
		}
		rest = rest[:i]
	}
	host, repo, _ := strings.Cut(rest, "/")
	if host == "" {
		return fmt.Errorf("no registry host")
	}
	if strings.ContainsAny(host, " @") {
		return fmt.Errorf("invalid registry host %q", host)
	}
	repo = strings.TrimSuffix(repo, "/")
	if repo == "" {
		return fmt.Errorf("no repository after the host")
	}
	if strings.Contains(repo, ":") || strings.Contains(repo, "@") {
		return fmt.Errorf("put the tag in tag = \"…\", not in the URL")
	}
	if !repoPathRE.MatchString(repo) {
		return fmt.Errorf("invalid repository %q: want lowercase letters, digits and separators", repo)
	}
	return nil
}

// ValidGitCommit reports whether s is a (possibly abbreviated) commit id: 4 to 64 hex digits.
func ValidGitCommit(s string) bool {
	if len(s) < 4 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// ValidGitRefName reports whether s is a tag or branch name git accepts (the rules of
// git check-ref-format) that cannot be taken for a command-line option.
func ValidGitRefName(s string) bool {
	if s == "" || s == "@" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") ||
		strings.HasSuffix(s, ".") || strings.HasSuffix(s, ".lock") || strings.Contains(s, "..") ||
		strings.Contains(s, "@{") || strings.Contains(s, "//") || strings.ContainsAny(s, " ~^:?*[\\") {
		return false
	}
	for _, part := range strings.Split(s, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
