package commands

import (
	"errors"

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
