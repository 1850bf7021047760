package kcl

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// print() writes to Options.Stdout as the program runs: what was printed before an error is out.
func TestPrintStreamsToStdout(t *testing.T) {
	dir := t.TempDir()
	src := "print('a', 1, sep='-')\nprint('b', end='')\nx = c\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte(src), 0o644))
	var out bytes.Buffer
	_, err := Run(context.Background(), Options{Dir: dir, Stdout: &out})
	require.Error(t, err)
	assert.Equal(t, "a 1\nb", out.String()) // sep= is ignored, as by the reference

	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte("print('a')\nx = 1\n"), 0o644))
	res, err := Run(context.Background(), Options{Dir: dir})
	require.NoError(t, err)
	assert.Equal(t, "a\n", res.Printed, "without Stdout, print() output is collected")
}
