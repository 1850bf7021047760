package workspace

import (
	"context"

	"github.com/kpm-dev/kpm/registry"
)

// registryFetcher is the default Fetcher, backed by package registry.
type registryFetcher struct {
	opts registry.Options
}

func newRegistryFetcher(s *Settings, insecure bool) (Fetcher, error) {
	return &registryFetcher{opts: RegistryOptions(s, insecure)}, nil
}

// RegistryOptions builds the registry client options from the settings (plain HTTP rule,
// credentials file).
func RegistryOptions(s *Settings, insecureSkipTLSVerify bool) registry.Options {
	return registry.Options{
		PlainHTTP:             s.PlainHTTP,
		InsecureSkipTLSVerify: insecureSkipTLSVerify,
		CredentialsFile:       s.CredentialsFile(),
		RetryBackoff:          s.RetryBackoff,
		Timeout:               s.RegistryTimeout,
	}
}

func (f *registryFetcher) Tags(ctx context.Context, ref registry.Reference) ([]string, error) {
	tags, err := registry.Tags(ctx, ref, f.opts)
	return tags, err
}

func (f *registryFetcher) Pull(ctx context.Context, ref registry.Reference, dir string, noSum bool) (Pulled, error) {
	res, err := registry.Pull(ctx, ref, registry.PullOptions{Options: f.opts, Dest: dir, NoSum: noSum})
	if err != nil {
		return Pulled{}, err
	}
	sum := res.Sum
	if noSum || sum == "" {
		// Not verified against the manifest: record what was actually unpacked.
		if sum, err = PackageSum(dir); err != nil {
			return Pulled{}, err
		}
	}
	return Pulled{Digest: res.Digest, Sum: sum, ManifestSum: res.Sum}, nil
}

func (f *registryFetcher) ManifestSum(ctx context.Context, ref registry.Reference) (string, error) {
	info, err := registry.Info(ctx, ref, f.opts)
	if err != nil {
		return "", err
	}
	return info.Sum, nil
}
