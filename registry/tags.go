package registry

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"oras.land/oras-go/v2/registry/remote"
)

// PackageInfo is the metadata of a pushed package, read from its manifest
// (for pull results, lock files and editor hovers).
type PackageInfo struct {
	Reference      Reference
	Digest         string // manifest digest
	Name           string // org.kcllang.package.name
	Version        string // org.kcllang.package.version
	Description    string // org.kcllang.package.description
	Sum            string // org.kcllang.package.sum ("" when absent)
	Created        string // org.opencontainers.image.created (RFC 3339)
	Size           int64  // archive (layer) size in bytes
	ArtifactType   string
	LayerMediaType string
	Annotations    map[string]string
}

// Info fetches the manifest of ref (the highest semantic-version tag when
// ref.Tag is empty) and returns its metadata. The manifest digest is
// verified.
func Info(ctx context.Context, ref Reference, opts Options) (PackageInfo, error) {
	repo, err := Repository(ref, opts)
	if err != nil {
		return PackageInfo{}, err
	}
	if ref.Tag == "" {
		if ref.Tag, err = latest(ctx, repo, ref, opts); err != nil {
			return PackageInfo{}, err
		}
	}
	info, _, err := fetchManifest(ctx, repo, ref, opts)
	return info, err
}

// Tags lists every tag of ref's repository, in the registry's order.
func Tags(ctx context.Context, ref Reference, opts Options) ([]string, error) {
	repo, err := Repository(ref, opts)
	if err != nil {
		return nil, err
	}
	return listTags(ctx, repo, ref, opts)
}

func listTags(ctx context.Context, repo *remote.Repository, ref Reference, opts Options) ([]string, error) {
	subject := ref.Registry + "/" + ref.Repository
	var tags []string
	err := withRetry(ctx, opts, false, func() error {
		tags = tags[:0]
		pages := 0
		return repo.Tags(withTagPages(ctx), "", func(page []string) error {
			pages++
			if pages > maxTagPages {
				return newErr(ErrServer, "%s: registry %s answered more than %d pages of tags", subject, ref.Registry, maxTagPages)
			}
			for _, t := range page {
				// A name that is not a valid tag (control characters, ...) is not a version
				// kpm could pull, and must never reach a terminal.
				if validTag(t) {
					tags = append(tags, t)
				}
			}
			if len(tags) > maxTags {
				return newErr(ErrServer, "%s: registry %s answered more than %d tags", subject, ref.Registry, maxTags)
			}
			return nil
		})
	})
	if err != nil {
		err = classify(err, subject, ref.Registry)
		if e, ok := err.(*Error); ok && e.Kind == ErrNotFound {
			return nil, newErr(ErrNotFound, "%s: repository not found", subject)
		}
		return nil, err
	}
	return tags, nil
}

// validTag reports whether t follows the OCI distribution grammar of a tag:
// [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}.
func validTag(t string) bool {
	if t == "" || len(t) > 128 || t[0] == '.' || t[0] == '-' {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// LatestTag returns the highest semantic-version tag of ref's repository
// (tags such as "latest" and unparsable ones are ignored); ErrNotFound when
// there is none.
func LatestTag(ctx context.Context, ref Reference, opts Options) (string, error) {
	repo, err := Repository(ref, opts)
	if err != nil {
		return "", err
	}
	return latest(ctx, repo, ref, opts)
}

func latest(ctx context.Context, repo *remote.Repository, ref Reference, opts Options) (string, error) {
	tags, err := listTags(ctx, repo, ref, opts)
	if err != nil {
		return "", err
	}
	sorted := SortVersions(tags)
	if len(sorted) == 0 {
		return "", newErr(ErrNotFound, "%s/%s: no semantic-version tag", ref.Registry, ref.Repository)
	}
	return sorted[0], nil
}

// SortVersions returns the tags that parse as semantic versions, highest
// first (a leading "v" and missing minor/patch numbers are accepted).
func SortVersions(tags []string) []string {
	var out []string
	for _, t := range tags {
		if _, ok := parseVersion(t); ok {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return CompareVersions(out[i], out[j]) > 0 })
	return out
}

// CompareVersions compares two semantic versions (-1, 0, +1); an
// unparsable version sorts below every valid one.
func CompareVersions(a, b string) int {
	va, oka := parseVersion(a)
	vb, okb := parseVersion(b)
	switch {
	case !oka && !okb:
		return strings.Compare(a, b)
	case !oka:
		return -1
	case !okb:
		return 1
	}
	for i := 0; i < 3; i++ {
		if va.nums[i] != vb.nums[i] {
			if va.nums[i] < vb.nums[i] {
				return -1
			}
			return 1
		}
	}
	return comparePre(va.pre, vb.pre)
}

// IsVersion reports whether s parses as a semantic version.
func IsVersion(s string) bool { _, ok := parseVersion(s); return ok }

type version struct {
	nums [3]uint64
	pre  []string
}

func parseVersion(s string) (version, bool) {
	var v version
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexByte(s, '+'); i >= 0 {
		if i == len(s)-1 {
			return v, false
		}
		s = s[:i]
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		pre := s[i+1:]
		s = s[:i]
		if pre == "" {
			return v, false
		}
		v.pre = strings.Split(pre, ".")
		for _, p := range v.pre {
			if p == "" {
				return v, false
			}
		}
	}
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 3 {
		return v, false
	}
	for i, p := range parts {
		if p == "" || (len(p) > 1 && p[0] == '0') {
			return v, false
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return v, false
		}
		v.nums[i] = n
	}
	return v, true
}

func comparePre(a, b []string) int {
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0
	case len(a) == 0:
		return 1 // a release is above its pre-releases
	case len(b) == 0:
		return -1
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		na, ea := strconv.ParseUint(a[i], 10, 64)
		nb, eb := strconv.ParseUint(b[i], 10, 64)
		switch {
		case ea == nil && eb == nil:
			if na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
		case ea == nil:
			return -1
		case eb == nil:
			return 1
		default:
			if c := strings.Compare(a[i], b[i]); c != 0 {
				return c
			}
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}
