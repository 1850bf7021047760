package registry

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Docker credential helper (protocol: store/get/erase over stdin and
// stdout) that keeps credentials in files under $HELPER_DIR.
const fakeHelper = `#!/bin/sh
set -e
key() { printf '%s' "$1" | tr -c 'A-Za-z0-9' '_'; }
case "$1" in
store)
	json=$(cat)
	url=$(printf '%s' "$json" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p')
	printf '%s' "$json" > "$HELPER_DIR/$(key "$url")"
	;;
get)
	url=$(cat)
	f="$HELPER_DIR/$(key "$url")"
	if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi
	;;
erase)
	url=$(cat)
	rm -f "$HELPER_DIR/$(key "$url")"
	;;
esac
`

func TestCredentialHelperIsHonoured(t *testing.T) {
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "docker-credential-kpmtest"), []byte(fakeHelper), 0o755))
	store := t.TempDir()
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("HELPER_DIR", store)

	opts := anonymous(t)
	require.NoError(t, os.MkdirAll(filepath.Dir(opts.CredentialsFile), 0o700))
	require.NoError(t, os.WriteFile(opts.CredentialsFile, []byte(`{"credsStore":"kpmtest"}`), 0o600))
	host := testReg.Host()

	require.NoError(t, Login(ctx(t), host, testUser, testPass, opts))
	raw, err := os.ReadFile(opts.CredentialsFile)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "auth\":", "the secret went to the helper, not the file")
	entries, err := os.ReadDir(store)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the helper stored one credential")

	ref := newRef(t, "")
	_, err = Push(ctx(t), ref, samplePackage(t), PushOptions{Options: opts})
	require.NoError(t, err, "credentials read back through the helper")

	require.NoError(t, Logout(ctx(t), host, opts))
	entries, err = os.ReadDir(store)
	require.NoError(t, err)
	assert.Empty(t, entries, "logout erased it from the helper")
	_, err = Tags(ctx(t), ref, opts)
	require.ErrorIs(t, err, ErrUnauthorized)
}
