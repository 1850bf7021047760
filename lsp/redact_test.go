package lsp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCredentialsInARegistryNameNeverReachTheClient: a registry typed as user:password@host
// reaches no $/progress title, message, log line or error.
func TestCredentialsInARegistryNameNeverReachTheClient(t *testing.T) {
	e := newEnv(t)
	const secret = "hunter2-in-the-host"
	logFile := &syncBuffer{}
	for _, caps := range []map[string]any{
		{"window": map[string]any{"workDoneProgress": true}}, // $/progress
		{}, // showMessage fallback
	} {
		c, _ := pipeServer(t, logFile)
		c.initialize(t.TempDir(), caps)
		m := c.mark()
		err := execCmd(c, "kpm.login", map[string]any{"registry": "test:" + secret + "@" + e.host, "username": "test", "password": "x"}, nil)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), secret)
		var seen int
		for _, n := range c.allNotifications()[m:] {
			seen++
			assert.NotContains(t, string(n.Params), secret, n.Method)
		}
		assert.NotZero(t, seen, "the login reported progress")
		err = execCmd(c, "kpm.pull", map[string]any{"source": "oci://test:" + secret + "@" + e.host + "/test/nothing", "tag": "0.1.0"}, nil)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), secret)
		for _, n := range c.allNotifications()[m:] {
			assert.NotContains(t, string(n.Params), secret, n.Method)
		}
	}
	assert.False(t, strings.Contains(logFile.String(), secret), "log file")
}
