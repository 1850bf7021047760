// Command devregistry runs a real OCI registry (Distribution v3) with
// htpasswd authentication until it is killed. kpm's demo and manual tests
// use it:
//
//	go run ./internal/devregistry/cmd/devregistry -addr localhost:5001 -user test -password 1234
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kpm-dev/kpm/internal/devregistry"
)

func main() {
	addr := flag.String("addr", "localhost:5001", "listen address")
	user := flag.String("user", "", "user name (empty: no authentication)")
	password := flag.String("password", "", "password of -user")
	dir := flag.String("dir", "", "storage directory (default: a temporary directory removed on exit)")
	useTLS := flag.Bool("tls", false, "serve HTTPS with a self-signed certificate (printed to stderr)")
	flag.Parse()

	opts := devregistry.Options{Addr: *addr, Dir: *dir, TLS: *useTLS}
	if *user != "" {
		opts.Users = map[string]string{*user: *password}
	}
	reg, err := devregistry.Start(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "devregistry:", err)
		os.Exit(1)
	}
	if *useTLS {
		os.Stderr.Write(reg.CertPEM())
	}
	fmt.Fprintf(os.Stderr, "listening on %s\n", reg.Host())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	if err := reg.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "devregistry:", err)
		os.Exit(1)
	}
}
