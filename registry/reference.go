package registry

import (
	"net/url"
	"path"
	"regexp"
	"strings"

	orasreg "oras.land/oras-go/v2/registry"
)

// Reference names a package in an OCI registry.
type Reference struct {
	// Registry is host[:port], e.g. "ghcr.io" or "localhost:5001".
	Registry string
	// Repository is the path inside the registry, e.g. "kcl-lang/helloworld".
	Repository string
	// Tag is the package version; "" means "not given" (callers pick the
	// highest semantic version with LatestVersion).
	Tag string
}

// String returns "host/repo:tag" (or "host/repo" without a tag).
func (r Reference) String() string {
	s := r.Registry + "/" + r.Repository
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	return s
}

// OCI returns the repository as an oci:// URL, without the tag.
func (r Reference) OCI() string { return "oci://" + r.Registry + "/" + r.Repository }

// Name returns the last path element of the repository (the package name).
func (r Reference) Name() string { return path.Base(r.Repository) }

// WithTag returns a copy of r with the tag set.
func (r Reference) WithTag(tag string) Reference { r.Tag = tag; return r }

var (
	tagRE  = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	nameRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$`)
)

// IsOCIURL reports whether s looks like an OCI URL (oci://, https:// or
// http://) rather than name[:version].
func IsOCIURL(s string) bool {
	return strings.HasPrefix(s, "oci://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// ParseOCI parses "oci://host/path/name" (an https:// or http:// URL is
// read the same way), with an optional "?tag=x" query. tag, when not "",
// overrides the query's tag.
func ParseOCI(s, tag string) (Reference, error) {
	if s == "" {
		return Reference{}, newErr(ErrInvalidReference, "invalid reference \"\": empty")
	}
	bad := func(why string) (Reference, error) {
		return Reference{}, newErr(ErrInvalidReference, "invalid reference %q: %s", s, why)
	}
	if !IsOCIURL(s) {
		return bad("want oci://host/repository")
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("not a URL")
	}
	if u.User != nil {
		return Reference{Registry: u.Host}, newErr(ErrInvalidReference, "invalid reference %s://%s%s: credentials in URLs are not supported; use 'kpm login'", u.Scheme, u.Host, u.Path)
	}
	if u.Host == "" {
		return bad("missing registry host")
	}
	repo := strings.Trim(u.Path, "/")
	if repo == "" {
		return bad("missing repository")
	}
	q := u.Query()
	if tag == "" {
		tag = q.Get("tag")
	}
	ref := Reference{Registry: u.Host, Repository: repo}
	// A tag written "oci://host/repo:tag" is accepted too.
	if i := strings.LastIndex(repo, ":"); i >= 0 && !strings.Contains(repo[i:], "/") {
		if tag == "" {
			tag = repo[i+1:]
		}
		ref.Repository = repo[:i]
	}
	ref.Tag = tag
	if err := validate(ref); err != nil {
		return bad(err.Error())
	}
	return ref, nil
}

// ParseNameVersion parses "name[:version]" and places it in the default
// registry and repository: defaultRegistry/defaultRepo/name, tag = version.
func ParseNameVersion(s, defaultRegistry, defaultRepo string) (Reference, error) {
	bad := func(why string) (Reference, error) {
		return Reference{}, newErr(ErrInvalidReference, "invalid reference %q: %s", s, why)
	}
	if strings.TrimSpace(s) == "" {
		return bad("empty")
	}
	name, version, _ := strings.Cut(s, ":")
	if strings.Contains(version, ":") {
		return bad("want name[:version]")
	}
	if name == "" {
		return bad("missing package name")
	}
	if strings.Contains(s, ":") && version == "" {
		return bad("missing version after ':'")
	}
	if !nameRE.MatchString(name) {
		return bad("invalid package name " + quote(name))
	}
	if defaultRegistry == "" {
		return bad("no default registry configured")
	}
	repo := strings.Trim(defaultRepo, "/")
	if repo != "" {
		repo += "/"
	}
	ref := Reference{Registry: defaultRegistry, Repository: repo + name, Tag: version}
	if err := validate(ref); err != nil {
		return bad(err.Error())
	}
	return ref, nil
}

// ParseReference parses either form: an OCI URL (see ParseOCI) or
// name[:version] (see ParseNameVersion). tag applies to OCI URLs only.
func ParseReference(s, tag, defaultRegistry, defaultRepo string) (Reference, error) {
	if IsOCIURL(s) || strings.Contains(s, "://") {
		return ParseOCI(s, tag)
	}
	ref, err := ParseNameVersion(s, defaultRegistry, defaultRepo)
	if err != nil {
		return ref, err
	}
	if tag != "" {
		if ref.Tag != "" && ref.Tag != tag {
			return Reference{}, newErr(ErrInvalidReference, "invalid reference %q: version given twice (%q and --tag %q)", s, ref.Tag, tag)
		}
		ref.Tag = tag
	}
	return ref, nil
}

func validate(ref Reference) error {
	r := orasreg.Reference{Registry: ref.Registry, Repository: ref.Repository}
	if err := r.ValidateRegistry(); err != nil {
		return errString("invalid registry host " + quote(ref.Registry))
	}
	if strings.HasPrefix(ref.Registry, ":") || strings.HasSuffix(ref.Registry, ":") {
		return errString("invalid registry host " + quote(ref.Registry))
	}
	if err := r.ValidateRepository(); err != nil {
		return errString("invalid repository " + quote(ref.Repository) + " (lowercase letters, digits, separators)")
	}
	if ref.Tag != "" && !tagRE.MatchString(ref.Tag) {
		return errString("invalid tag " + quote(ref.Tag))
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

func quote(s string) string { return `"` + s + `"` }
