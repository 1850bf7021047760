package lsp

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kpm-dev/kpm/internal/redact"
)

// logger writes the debug log (kpm lsp --log FILE). Secrets the server has seen (passwords
// given to kpm.login) are registered with addSecret and replaced by "***" in every line, and
// in every message the server sends (errors, showMessage, logMessage).
type logger struct {
	mu      sync.Mutex
	w       io.Writer
	secrets []string
}

func newLogger(w io.Writer) *logger { return &logger{w: w} }

func (l *logger) addSecret(secret string) {
	if secret == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.secrets {
		if s == secret {
			return
		}
	}
	l.secrets = append(l.secrets, secret)
}

// removeSecret forgets a secret (see executeCommand: short passwords are scrubbed only while
// their kpm.login runs).
func (l *logger) removeSecret(secret string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, s := range l.secrets {
		if s == secret {
			l.secrets = append(l.secrets[:i], l.secrets[i+1:]...)
			return
		}
	}
}

// scrub is the server's exit gate for texts: the session's secrets, then redact.Text (URL
// credentials, control characters).
func (l *logger) scrub(msg string) string {
	l.mu.Lock()
	for _, s := range l.secrets {
		msg = strings.ReplaceAll(msg, s, "***")
	}
	l.mu.Unlock()
	return redact.Text(msg)
}

// Printf implements jsonrpc2.Logger.
func (l *logger) Printf(format string, v ...any) {
	if l.w == nil {
		return
	}
	line := l.scrub(fmt.Sprintf(format, v...))
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s %s\n", time.Now().UTC().Format("15:04:05.000"), strings.TrimRight(line, "\n"))
}
