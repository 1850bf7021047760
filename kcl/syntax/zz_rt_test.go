package syntax

import (
	"math/rand"
	"os"
	"testing"
	"time"
)

func TestZZRoundTripHunt(t *testing.T) {
	seeds := [][]byte{}
	for _, n := range corpusFiles(t) {
		b, _ := os.ReadFile(n)
		seeds = append(seeds, b)
	}
	frags := []string{"(", ")", "[", "]", "{", "}", ":", "\n", "    ", "if ", "else", "elif ", "lambda ", "for ", " in ", "'", "\"", "${", "**", "*", ",", "=", "@", "?", ".", "all ", "1Ki", "#", "not ", " and ", "-", "a", "b ", "+=", "|", "x: int = 1\n", "\n    a = 1\n"}
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	deadline := time.Now().Add(60 * time.Second)
	valid, total := 0, 0
	for time.Now().Before(deadline) {
		src := append([]byte(nil), seeds[r.Intn(len(seeds))]...)
		for k := r.Intn(3) + 1; k > 0; k-- {
			i := r.Intn(len(src))
			switch r.Intn(3) {
			case 0:
				src = append(src[:i], append([]byte(frags[r.Intn(len(frags))]), src[i:]...)...)
			case 1:
				j := i + r.Intn(8)
				if j > len(src) {
					j = len(src)
				}
				src = append(src[:i], src[j:]...)
			case 2:
				src[i] = byte(32 + r.Intn(95))
			}
		}
		total++
		f, errs := ParseFile("h.k", src)
		if len(errs) > 0 {
			continue
		}
		valid++
		out := Print(f)
		g, errs2 := ParseFile("p.k", []byte(out))
		if len(errs2) > 0 || sx(f) != sx(g) {
			os.WriteFile("/tmp/rt_src.k", src, 0o644)
			os.WriteFile("/tmp/rt_out.k", []byte(out), 0o644)
			t.Fatalf("round trip failed (errs %v)", errs2)
		}
	}
	t.Logf("%d valid of %d", valid, total)
}
