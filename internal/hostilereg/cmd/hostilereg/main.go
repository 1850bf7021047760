// Command hostilereg runs the hostile registry of internal/hostilereg until it is killed, for
// manual checks and the figures in SECURITY.md:
//
//	go run ./internal/hostilereg/cmd/hostilereg            # prints its host:port
//	kpm pull oci://HOST/huge-manifest --tag 0.1.0
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kpm-dev/kpm/internal/hostilereg"
)

func main() {
	silent := flag.Bool("silent", false, "accept connections and never answer")
	bomb := flag.Int64("bomb", 0, "bytes hidden in tar-trailer and dir-data (default 64 MiB)")
	flag.Parse()
	srv, err := hostilereg.Start(hostilereg.Options{Silent: *silent, BombSize: *bomb})
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostilereg:", err)
		os.Exit(1)
	}
	fmt.Println(srv.Host())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	srv.Close()
}
