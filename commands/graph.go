package commands

import (
	"context"
	"errors"
	"sort"

	"github.com/kpm-dev/kpm/workspace"
)

// GraphOptions configures Graph (`kpm graph`).
type GraphOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	Dir                   string // package root; "" = current directory
}

// GraphEdge is one "requirer requirement" line of the module graph, each as name@version.
type GraphEdge struct {
	From, To string
}

// Graph resolves the dependencies (downloading what is missing, as upstream does) and returns the
// module dependency graph in breadth-first order from the package itself, upstream's format.
func Graph(ctx context.Context, opts GraphOptions) ([]GraphEdge, error) {
	p := progressOrDiscard(opts.Progress)
	if opts.Settings == nil {
		return nil, errors.New("graph: no settings given")
	}
	dir, err := packageDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	res, err := workspace.Resolve(ctx, dir, workspace.ResolveOptions{
		Settings:              opts.Settings,
		WriteLock:             true,
		InsecureSkipTLSVerify: opts.InsecureSkipTLSVerify,
		Progress:              p.Message,
	})
	if err != nil {
		return nil, err
	}
	reportWarnings(p, res.Mod)
	label := func(name, version string) string {
		if version == "" {
			return name
		}
		return name + "@" + version
	}
	// children of a requirer, by the requirer's package name (the root's own name for the root)
	children := map[string][]*workspace.ResolvedDep{}
	for _, d := range res.Deps {
		for _, by := range d.RequiredBy {
			children[by] = append(children[by], d)
		}
	}
	var edges []GraphEdge
	rootName := res.Mod.Name()
	visited := map[string]bool{rootName: true}
	queue := []string{rootName}
	for len(queue) > 0 {
		by := queue[0]
		queue = queue[1:]
		from := label(rootName, res.Mod.Version())
		if by != rootName {
			for _, d := range res.Deps {
				if d.Package == by {
					from = label(d.Name, d.Version)
				}
			}
		}
		kids := children[by]
		sort.Slice(kids, func(i, j int) bool { return kids[i].Name < kids[j].Name })
		for _, d := range kids {
			edges = append(edges, GraphEdge{From: from, To: label(d.Name, d.Version)})
			if !visited[d.Package] {
				visited[d.Package] = true
				queue = append(queue, d.Package)
			}
		}
	}
	return edges, nil
}
