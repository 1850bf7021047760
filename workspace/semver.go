package workspace

import (
	"strconv"
	"strings"
)

// Semver is a parsed semantic version (an optional leading "v" is accepted).
type Semver struct {
	Major, Minor, Patch uint64
	Pre                 string // pre-release, without the '-'
	Build               string // build metadata, without the '+'
}

// ParseSemver parses MAJOR.MINOR.PATCH[-PRE][+BUILD] strictly (semver.org 2.0).
func ParseSemver(s string) (Semver, bool) {
	return parseSemver(s, false)
}

// parseSemver parses a version; loose accepts "1" and "1.28" (tags like the k8s package uses).
func parseSemver(s string, loose bool) (Semver, bool) {
	var v Semver
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexByte(s, '+'); i >= 0 {
		v.Build = s[i+1:]
		s = s[:i]
		if !validIdents(v.Build, false) {
			return v, false
		}
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		v.Pre = s[i+1:]
		s = s[:i]
		if !validIdents(v.Pre, true) {
			return v, false
		}
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 && !(loose && len(parts) >= 1 && len(parts) <= 3) {
		return v, false
	}
	nums := []*uint64{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		if p == "" || (len(p) > 1 && p[0] == '0') || strings.Trim(p, "0123456789") != "" {
			return v, false
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return v, false
		}
		*nums[i] = n
	}
	return v, true
}

func validIdents(s string, noLeadingZero bool) bool {
	if s == "" {
		return false
	}
	for _, id := range strings.Split(s, ".") {
		if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
			return false
		}
		if noLeadingZero && len(id) > 1 && id[0] == '0' && strings.Trim(id, "0123456789") == "" {
			return false
		}
	}
	return true
}

// Compare orders a and b by semver precedence (-1, 0, +1).
func (a Semver) Compare(b Semver) int {
	for _, d := range [][2]uint64{{a.Major, b.Major}, {a.Minor, b.Minor}, {a.Patch, b.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case a.Pre == b.Pre:
		return 0
	case a.Pre == "":
		return 1
	case b.Pre == "":
		return -1
	}
	as, bs := strings.Split(a.Pre, "."), strings.Split(b.Pre, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if c := compareIdent(as[i], bs[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(as) < len(bs):
		return -1
	case len(as) > len(bs):
		return 1
	}
	return 0
}

func compareIdent(a, b string) int {
	an, aerr := strconv.ParseUint(a, 10, 64)
	bn, berr := strconv.ParseUint(b, 10, 64)
	switch {
	case aerr == nil && berr == nil:
		switch {
		case an < bn:
			return -1
		case an > bn:
			return 1
		}
		return 0
	case aerr == nil:
		return -1
	case berr == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// CompareVersions orders two dependency versions (tags): semantic versions by precedence
// ("1.28" counts as 1.28.0), a semantic version above anything else, other strings bytewise.
func CompareVersions(a, b string) int {
	av, aok := parseSemver(a, true)
	bv, bok := parseSemver(b, true)
	switch {
	case aok && bok:
		if c := av.Compare(bv); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	case aok:
		return 1
	case bok:
		return -1
	}
	return strings.Compare(a, b)
}

// HighestVersion returns the highest tag that parses as a semantic version (loosely: "1.28" is
// accepted), ignoring "latest" and anything else; "" when there is none.
func HighestVersion(tags []string) string {
	best := ""
	for _, t := range tags {
		if _, ok := parseSemver(t, true); !ok {
			continue
		}
		if best == "" || CompareVersions(t, best) > 0 {
			best = t
		}
	}
	return best
}
