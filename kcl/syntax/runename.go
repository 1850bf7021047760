package syntax

import (
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/unicode/runenames"
)

// runeNames maps Unicode character names ("EM DASH") to runes for the
// \N{name} string escape. It is built on first use: most programs never
// need it.
var runeNames struct {
	once sync.Once
	m    map[string]rune
}

// lookupRuneName returns the character named name (case-insensitive), as
// the \N{name} escape does. Besides the names of the Unicode Character
// Database it accepts "CJK UNIFIED IDEOGRAPH-XXXX".
func lookupRuneName(name string) (rune, bool) {
	n := strings.ToUpper(name)
	if hex, ok := strings.CutPrefix(n, "CJK UNIFIED IDEOGRAPH-"); ok {
		v, err := strconv.ParseUint(hex, 16, 32)
		if err != nil || len(hex) < 4 || len(hex) > 5 {
			return 0, false
		}
		r := rune(v)
		return r, strings.HasPrefix(runenames.Name(r), "<CJK Ideograph")
	}
	runeNames.once.Do(func() {
		runeNames.m = make(map[string]rune, 40000)
		for r := rune(0); r <= 0x10FFFF; r++ {
			if r == 0xD800 {
				r = 0xDFFF // surrogates have no names
				continue
			}
			nm := runenames.Name(r)
			if nm == "" || nm[0] == '<' {
				continue
			}
			runeNames.m[nm] = r
		}
	})
	r, ok := runeNames.m[n]
	return r, ok
}
