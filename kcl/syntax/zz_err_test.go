package syntax

import (
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
)

func TestZZErrSample(t *testing.T) {
	seeds := [][]byte{}
	for _, n := range corpusFiles(t) {
		b, _ := os.ReadFile(n)
		seeds = append(seeds, b)
	}
	frags := []string{"(", ")", "[", "]", "{", "}", ":", "\n", "    ", "if ", "else", "lambda ", "'", "\"", "${", "*", ",", "=", "@", "?", "."}
	r := rand.New(rand.NewSource(7))
	seen := map[string]bool{}
	for n := 0; n < 400; n++ {
		src := append([]byte(nil), seeds[r.Intn(len(seeds))]...)
		i := r.Intn(len(src))
		src = append(src[:i], append([]byte(frags[r.Intn(len(frags))]), src[i:]...)...)
		_, errs := ParseFile("m.k", src)
		for _, e := range errs {
			msg := e.Msg
			if len(msg) > 50 {
				msg = msg[:50]
			}
			key := strings.SplitN(msg, ",", 2)[0]
			if seen[key] {
				continue
			}
			seen[key] = true
			lines := strings.Split(string(src), "\n")
			line := ""
			if e.Pos.Line-1 < len(lines) {
				line = lines[e.Pos.Line-1]
			}
			fmt.Printf("%s   | %q (%d errs)\n", e.Error(), line, len(errs))
		}
	}
}
