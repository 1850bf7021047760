package registry

import (
	"context"
	"errors"
	"strings"

	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
)

// credential resolves the credential for hostport: kpm's credentials file
// first (honouring its credsStore/credHelpers), then Docker's config. The
// files are read on every call, so a refreshed credential is picked up on
// the next 401 challenge.
func (o Options) credential(ctx context.Context, hostport string) (auth.Credential, error) {
	key := credentials.ServerAddressFromHostname(hostport)
	var firstErr error
	if o.CredentialsFile != "" {
		store, err := credentials.NewStore(o.CredentialsFile, credentials.StoreOptions{AllowPlaintextPut: true})
		if err == nil {
			cred, err := store.Get(ctx, key)
			if err == nil && cred != auth.EmptyCredential {
				return cred, nil
			}
			firstErr = err
		} else {
			firstErr = err
		}
	}
	if !o.NoDockerFallback {
		if store, err := credentials.NewStoreFromDocker(credentials.StoreOptions{}); err == nil {
			if cred, err := store.Get(ctx, key); err == nil && cred != auth.EmptyCredential {
				return cred, nil
			}
		}
	}
	if firstErr != nil {
		return auth.EmptyCredential, newErr(ErrUnauthorized, "cannot read credentials for %s from %s", hostport, o.CredentialsFile)
	}
	return auth.EmptyCredential, nil
}

// Login checks username/password against the registry at host (a GET /v2/
// with the credentials) and, only when the registry accepts them, stores
// them in opts.CredentialsFile (through its credential helper when one is
// configured, otherwise base64 in the file, mode 0600, written atomically).
func Login(ctx context.Context, host, username, password string, opts Options) error {
	if opts.CredentialsFile == "" {
		return errors.New("login: no credentials file configured")
	}
	if err := validate(Reference{Registry: host, Repository: "x"}); err != nil {
		return newErr(ErrInvalidReference, "login: invalid registry host %q", host)
	}
	if username == "" {
		return newErr(ErrUnauthorized, "login %s: username is empty", host)
	}
	if strings.Contains(username, ":") {
		return newErr(ErrUnauthorized, "login %s: username must not contain ':'", host)
	}
	if password == "" {
		return newErr(ErrUnauthorized, "login %s: password is empty", host)
	}
	cred := auth.Credential{Username: username, Password: password}
	client := &auth.Client{
		Client:     opts.httpClient(),
		Header:     map[string][]string{"User-Agent": {opts.userAgent()}},
		Cache:      auth.NewCache(),
		Credential: auth.StaticCredential(host, cred),
	}
	reg, err := registryClient(host, opts, client)
	if err != nil {
		return err
	}
	if err := reg.Ping(ctx); err != nil {
		if ce := classify(err, "login "+host, host); errors.Is(ce, ErrUnauthorized) {
			return newErr(ErrUnauthorized, "login %s: unauthorized: wrong username or password", host)
		} else {
			return ce
		}
	}
	store, err := credentials.NewStore(opts.CredentialsFile, credentials.StoreOptions{AllowPlaintextPut: true})
	if err != nil {
		return newErr(ErrUnauthorized, "login %s: cannot read %s", host, opts.CredentialsFile)
	}
	if err := store.Put(ctx, credentials.ServerAddressFromHostname(host), cred); err != nil {
		return newErr(ErrUnauthorized, "login %s: cannot store credentials in %s", host, opts.CredentialsFile)
	}
	return nil
}

// Logout removes the credentials stored for host in opts.CredentialsFile.
// It fails with ErrNotLoggedIn when there are none.
func Logout(ctx context.Context, host string, opts Options) error {
	if opts.CredentialsFile == "" {
		return errors.New("logout: no credentials file configured")
	}
	store, err := credentials.NewStore(opts.CredentialsFile, credentials.StoreOptions{AllowPlaintextPut: true})
	if err != nil {
		return newErr(ErrUnauthorized, "logout %s: cannot read %s", host, opts.CredentialsFile)
	}
	key := credentials.ServerAddressFromHostname(host)
	cred, err := store.Get(ctx, key)
	if err != nil {
		return newErr(ErrUnauthorized, "logout %s: cannot read credentials", host)
	}
	if cred == auth.EmptyCredential {
		return newErr(ErrNotLoggedIn, "logout %s: not logged in", host)
	}
	if err := store.Delete(ctx, key); err != nil {
		return newErr(ErrUnauthorized, "logout %s: cannot remove credentials from %s", host, opts.CredentialsFile)
	}
	return nil
}

// LoggedIn reports whether credentials for host are stored in
// opts.CredentialsFile (or, unless NoDockerFallback, Docker's config).
// It does not contact the registry.
func LoggedIn(ctx context.Context, host string, opts Options) bool {
	cred, err := opts.credential(ctx, host)
	return err == nil && cred != auth.EmptyCredential
}
