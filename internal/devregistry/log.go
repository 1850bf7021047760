package devregistry

import (
	"io"
	"log"
)

// newDiscardLogger keeps net/http's own messages (such as recovered
// ErrAbortHandler panics) out of test output.
func newDiscardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
