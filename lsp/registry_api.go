package lsp

import (
	"context"
	"fmt"
	"strings"

	"oras.land/oras-go/v2/registry/remote"

	"github.com/kpm-dev/kpm/internal/redact"
	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// newRegistryAPI returns the registry client used by the cache: registry/ with kpm's
// settings (read for every lookup, so kpm.json edits and logins take effect at once).
func newRegistryAPI() registryAPI { return liveRegistry{} }

type liveRegistry struct{}

func (liveRegistry) options() (registry.Options, error) {
	st, err := workspace.LoadSettings()
	if err != nil {
		return registry.Options{}, err
	}
	return registryOptions(st), nil
}

func splitRepoKey(key string) registry.Reference {
	host, repo, _ := strings.Cut(key, "/")
	return registry.Reference{Registry: host, Repository: repo}
}

func (l liveRegistry) Tags(ctx context.Context, repo string) ([]string, error) {
	opts, err := l.options()
	if err != nil {
		return nil, err
	}
	return registry.Tags(ctx, splitRepoKey(repo), opts)
}

func (l liveRegistry) Manifest(ctx context.Context, repo, tag string) (manifestInfo, error) {
	opts, err := l.options()
	if err != nil {
		return manifestInfo{}, err
	}
	info, err := registry.Info(ctx, splitRepoKey(repo).WithTag(tag), opts)
	if err != nil {
		return manifestInfo{}, err
	}
	// The registry's texts reach hovers: no control characters.
	return manifestInfo{
		Digest: info.Digest, Name: redact.Text(info.Name), Version: redact.Text(info.Version),
		Description: redact.Text(info.Description), Sum: info.Sum, Size: info.Size, Created: redact.Text(info.Created),
	}, nil
}

// maxCatalogPages bounds a catalog listing (completion of package names only).
const maxCatalogPages = 100

// Catalog lists the repositories under host/prefix (the registry's /v2/_catalog), returning
// the package names (the path below the prefix).
func (l liveRegistry) Catalog(ctx context.Context, host, prefix string) ([]string, error) {
	opts, err := l.options()
	if err != nil {
		return nil, err
	}
	repo, err := registry.Repository(registry.Reference{Registry: host, Repository: strings.Trim(prefix+"/x", "/")}, opts)
	if err != nil {
		return nil, err
	}
	reg, err := remote.NewRegistry(host)
	if err != nil {
		return nil, err
	}
	reg.Client = repo.Client
	reg.PlainHTTP = repo.PlainHTTP
	want := strings.Trim(prefix, "/")
	if want != "" {
		want += "/"
	}
	var names []string
	pages := 0
	err = reg.Repositories(ctx, "", func(repos []string) error {
		// A registry paging forever (a Link back to itself) must not hold the lookup.
		if pages++; pages > maxCatalogPages {
			return fmt.Errorf("%s: registry catalog has more than %d pages", host, maxCatalogPages)
		}
		for _, r := range repos {
			if rest, ok := strings.CutPrefix(r, want); ok && rest != "" && !strings.Contains(rest, "/") {
				names = append(names, rest)
			}
		}
		return nil
	})
	return names, err
}
