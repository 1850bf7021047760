// Package kclbench writes the generated KCL packages the engine's benchmarks run: the same
// program for kcl's in-process benchmarks and for bench/kclref, which runs it through kpm and the
// reference implementation as whole processes; and it measures such processes (process.go).
package kclbench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteServicePackage writes a package with 2,000×scale schema instances and 20,000×scale config
// entries (instance attributes included) spread over several files.
func WriteServicePackage(dir string, scale int) error {
	var schema strings.Builder
	schema.WriteString(`schema Service:
    name: str
    port: int = 80
    replicas: int = 1
    labels: {str:str} = {}
    image: str = "registry/${name}:latest"
    check:
        0 < port < 65536, "port out of range"
        replicas >= 1
`)
	if err := os.WriteFile(filepath.Join(dir, "schema.k"), []byte(schema.String()), 0o644); err != nil {
		return err
	}
	instances := 2000 * scale
	entries := 20000 * scale
	perFile := 500
	written := 0 // config entries written so far (each instance holds 4)
	for f := 0; f*perFile < instances; f++ {
		var b strings.Builder
		for i := f * perFile; i < (f+1)*perFile && i < instances; i++ {
			fmt.Fprintf(&b, "svc%d = Service {\n    name = \"svc-%d\"\n    port = %d\n    labels = {app = \"a%d\", tier = \"t%d\"}\n}\n", i, i, 1000+i%60000, i, i%7)
			written += 4
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("svc_%03d.k", f)), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	// the remaining entries as plain configs of 100 keys each
	cfg := 0
	for written < entries {
		var b strings.Builder
		for c := 0; c < 50 && written < entries; c++ {
			fmt.Fprintf(&b, "config%d = {\n", cfg)
			for k := 0; k < 100 && written < entries; k++ {
				switch k % 4 {
				case 0:
					fmt.Fprintf(&b, "    k%d = %d\n", k, k*cfg)
				case 1:
					fmt.Fprintf(&b, "    k%d = \"v%d\"\n", k, k)
				case 2:
					fmt.Fprintf(&b, "    k%d.nested = [%d, %d]\n", k, k, cfg)
				default:
					fmt.Fprintf(&b, "    k%d: {a = %d}\n", k, k)
				}
				written++
			}
			b.WriteString("}\n")
			cfg++
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("cfg_%03d.k", cfg)), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
