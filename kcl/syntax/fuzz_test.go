package syntax

import (
	"os"
	"testing"
)

func addCorpusSeeds(f *testing.F) {
	files := corpusFiles(f)
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, s := range []string{
		"", "\n", "a", "a = (", "a = {\n", "schema A:\n    a?: int\n", "x = lambda x {\n  if x:\n    y\n}\n",
		"\"${a: #json}\"", "'''", "r'\\", "if a:\n\tb\n        c\n", "[if a: 1 elif b: 2 else: 3]",
		"{if a:\n  b = 1\nelse:\n  c = 2}", "all x in y { x }", "a?.b?[1:2:3]", "1Ki + 0x", "$", "\\", "@",
		"\xef\xbb\xbfa = 1", "a = \"\\u12\"", "f(a=1, *b, **c)", "type T = (int) -> [str] | {str:any}",
	} {
		f.Add([]byte(s))
	}
}

// FuzzScan checks that the scanner terminates on any input with a bounded
// number of tokens and consistent positions.
func FuzzScan(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		s := newScanner("fuzz.k", src)
		li := newLineIndex(src)
		limit := 4*len(src) + 64
		prev := int32(0)
		for i := 0; ; i++ {
			if i > limit {
				t.Fatalf("scanner produced more than %d tokens for %d bytes", limit, len(src))
			}
			tok := s.next()
			if err := li.check(tok.pos); err != nil {
				t.Fatalf("token %s: %v", tok.kind, err)
			}
			if err := li.check(tok.end); err != nil {
				t.Fatalf("token %s end: %v", tok.kind, err)
			}
			if tok.pos.Offset < prev {
				t.Fatalf("token %s at %d goes backwards (previous at %d)", tok.kind, tok.pos.Offset, prev)
			}
			prev = tok.pos.Offset
			if tok.kind == EOF {
				break
			}
		}
		for _, e := range s.errs {
			if err := li.check(e.Pos); err != nil {
				t.Fatalf("error %q: %v", e.Error(), err)
			}
		}
	})
}

// FuzzParse checks that the parser terminates without panicking on any
// input, that every position it reports is consistent with the source, and
// that a tree with a broken node always comes with an error.
func FuzzParse(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		file, errs := ParseFile("fuzz.k", src)
		if err := checkTree(src, file, errs); err != nil {
			t.Fatal(err)
		}
		if len(errs) == 0 {
			Inspect(file, func(n Node) bool {
				switch n.(type) {
				case *BadExpr, *BadStmt, *BadType:
					t.Fatalf("%T at %s without an error", n, n.Pos())
				}
				return true
			})
		}
	})
}

// FuzzRoundTrip checks that printing a tree that parsed without errors and parsing the
// output gives the same tree. Its seeds run in every `go test`; scripts/test/fuzz-syntax.sh
// fuzzes only the scanner and parser (the properties CI must hold: termination, positions,
// errors), so a printer corner case found by chance does not decide a CI run. Fuzz it with
// `go test -run='^$' -fuzz=FuzzRoundTrip ./kcl/syntax` and keep what it finds as seeds.
func FuzzRoundTrip(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		file, errs := ParseFile("fuzz.k", src)
		if len(errs) > 0 {
			return
		}
		out := Print(file)
		again, errs2 := ParseFile("printed.k", []byte(out))
		if len(errs2) > 0 {
			t.Fatalf("printed source does not parse: %v\n%s", errs2[0], out)
		}
		if a, b := sx(file), sx(again); a != b {
			t.Fatalf("round trip changed the tree:\n%s\n---\n%s\nprinted:\n%s", a, b, out)
		}
	})
}
