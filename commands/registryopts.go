package commands

import (
	"errors"
	"fmt"

	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// registryOptions builds the registry client options from the settings.
func registryOptions(s *workspace.Settings, insecure bool) (registry.Options, error) {
	if s == nil {
		return registry.Options{}, errors.New("no settings given")
	}
	return workspace.RegistryOptions(s, insecure), nil
}

// authError turns oras-go's "basic credential not found" (a registry asking for credentials when
// none are stored) into registry.ErrUnauthorized with the login hint.
func authError(err error, ref registry.Reference) error {
	if err == nil || errors.Is(err, registry.ErrUnauthorized) || !errors.Is(err, auth.ErrBasicCredentialNotFound) {
		return err
	}
	return &registry.Error{
		Kind: registry.ErrUnauthorized,
		Msg:  fmt.Sprintf("%s: unauthorized; run 'kpm login %s'", ref, ref.Registry),
	}
}
