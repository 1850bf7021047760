package workspace

import (
	"context"
	"errors"
)

// registryFetcher is the default Fetcher, backed by package registry.
type registryFetcher struct {
	settings *Settings
	insecure bool
}

func newRegistryFetcher(s *Settings, insecure bool) (Fetcher, error) {
	return &registryFetcher{settings: s, insecure: insecure}, nil
}

func (f *registryFetcher) Tags(ctx context.Context, ref OCIRef) ([]string, error) {
	return nil, errors.New("registry client not available yet")
}

func (f *registryFetcher) Pull(ctx context.Context, ref OCIRef, dir string) (Pulled, error) {
	return Pulled{}, errors.New("registry client not available yet")
}
