package kclfuzz

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/kpm-dev/kpm/internal/kcloracle"
)

var dumpMatch = flag.String("dump.match", "", "")

func TestZZDump(t *testing.T) {
	o, err := kcloracle.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	re := regexp.MustCompile(*dumpMatch)
	out, _ := os.Create("/tmp/chk/dump.txt")
	defer out.Close()
	for seed := uint64(7); seed < 1007; seed++ {
		p := Generate(seed)
		dir := filepath.Join(t.TempDir(), "p")
		os.MkdirAll(dir, 0o755)
		p.Write(dir)
		ref, _ := RunReference(context.Background(), o, dir)
		kpm := RunKPM(context.Background(), dir)
		cat := Category(ref, kpm)
		if cat != "" && re.MatchString(cat) {
			fmt.Fprintf(out, "##### seed %d: %s\n", seed, cat)
			if ref.Err != nil {
				fmt.Fprintf(out, "ref: %s:%d %s: %s\n", ref.Err.File, ref.Err.Line, ref.Err.Kind, ref.Err.Message)
			}
			if kpm.Err != nil {
				fmt.Fprintf(out, "kpm: %s:%d %s: %s\n", kpm.Err.File, kpm.Err.Line, kpm.Err.Kind, kpm.Err.Message)
			}
			fmt.Fprintf(out, "%s\n", p.Text())
		}
	}
}
