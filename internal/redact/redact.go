// Package redact makes a text safe to leave the process: every message, error, progress title and
// registry-provided string that kpm prints or sends to an editor goes through Text. It removes
// credentials (the user information of URLs, "user:password@host" registry names, and secrets
// registered with Secret) and the control characters a hostile registry could use to drive a
// terminal (ESC, OSC, BEL, C1 codes) or to reorder what it shows (bidirectional overrides). It must not be used on program output (kpm run's YAML).
package redact

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// Mask replaces a removed credential.
const Mask = "xxxxx"

var (
	// scheme://userinfo@host: the whole user information goes (a token is often the user name).
	urlUserinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#@'"<>]+@`)
	// user:password@host without a scheme (a registry typed as "user:pw@host").
	bareUserinfo = regexp.MustCompile(`(^|[\s'"(=\[,])[^\s:/@'"()=\[,]+:[^\s/@'"]+@([A-Za-z0-9\[])`)
)

var (
	secretsMu sync.RWMutex
	secrets   []string
)

// Secret registers a value (a password or token the process holds) that must never appear in a
// text; Text replaces it wherever it occurs. Values shorter than 4 bytes are ignored (they would
// mask ordinary words).
func Secret(s string) {
	if len(s) < 4 {
		return
	}
	secretsMu.Lock()
	defer secretsMu.Unlock()
	for _, x := range secrets {
		if x == s {
			return
		}
	}
	secrets = append(secrets, s)
}

// Text returns s without credentials and without control characters other than newline
// and tab.
func Text(s string) string {
	s = urlUserinfo.ReplaceAllString(s, "${1}"+Mask+"@")
	s = bareUserinfo.ReplaceAllString(s, "${1}"+Mask+"@${2}")
	secretsMu.RLock()
	for _, x := range secrets {
		s = strings.ReplaceAll(s, x, Mask)
	}
	secretsMu.RUnlock()
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, s)
}
