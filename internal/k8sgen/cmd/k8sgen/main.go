// Command k8sgen writes a Kubernetes-shaped KCL package (see internal/k8sgen) into a directory:
//
//	go run ./internal/k8sgen/cmd/k8sgen -o /tmp/k8s [-groups 40] [-kinds 12] [-program main.k]
//
// With -program it also writes the Deployment + Service + ConfigMap program that imports it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kpm-dev/kpm/internal/k8sgen"
)

func main() {
	out := flag.String("o", "", "directory to write the package into (required)")
	var o k8sgen.Options
	flag.StringVar(&o.Name, "name", "", "package name (default k8s)")
	flag.IntVar(&o.Groups, "groups", 0, "synthetic API groups (default 40)")
	flag.IntVar(&o.KindsPerGroup, "kinds", 0, "kinds per group version (default 12)")
	program := flag.String("program", "", "also write the Deployment + Service + ConfigMap program to this file")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "k8sgen: -o is required")
		os.Exit(2)
	}
	st, err := k8sgen.Write(*out, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8sgen:", err)
		os.Exit(1)
	}
	if *program != "" {
		if err := os.MkdirAll(filepath.Dir(*program), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "k8sgen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(*program, []byte(k8sgen.Program), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "k8sgen:", err)
			os.Exit(1)
		}
	}
	fmt.Fprintf(os.Stderr, "k8sgen: %d schemas in %d modules under %s\n", st.Schemas, st.Modules, *out)
}
