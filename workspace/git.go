package workspace

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// gitRef returns the kind ("tag", "commit" or "branch") and value of a git dependency's ref.
func gitRef(d *Dependency) (kind, value string) {
	switch {
	case d.Tag.Set:
		return "tag", d.Tag.Value
	case d.Commit.Set:
		return "commit", d.Commit.Value
	case d.Branch.Set:
		return "branch", d.Branch.Value
	}
	return "", ""
}

// gitCacheName is the cache directory name of a git dependency: <repository name>_<ref>.
func gitCacheName(url, ref string) string {
	base := strings.TrimSuffix(path.Base(strings.TrimRight(url, "/")), ".git")
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '/' || r == '\\' || r == ':' || r == ' ' {
				return '_'
			}
			return r
		}, s)
	}
	if ref == "" {
		ref = "default" // the repository's default branch
	}
	return clean(base) + "_" + clean(ref)
}

// gitCloneURL is the URL handed to git: as written, except that a value without a scheme that is
// neither scp-like (git@host:path) nor an existing directory is fetched over https, and git://
// over https, as upstream does ("github.com/kcl-lang/konfig").
func gitCloneURL(v string) string {
	switch {
	case strings.HasPrefix(v, "git://"):
		return "https://" + strings.TrimPrefix(v, "git://")
	case strings.Contains(v, "://"):
		return v
	case strings.Contains(v, "@") && strings.Contains(v, ":"):
		return v
	}
	if st, err := os.Stat(v); err == nil && st.IsDir() {
		return v
	}
	return "https://" + v
}

// CloneGit fetches the repository url at tag, commit or branch (at most one; none: the default
// branch) into dir, which must not exist, without the .git directory (`kpm run GIT_URL`).
func CloneGit(ctx context.Context, url, tag, commit, branch, dir string) error {
	set := func(v string) StrValue { return StrValue{Value: v, Set: v != ""} }
	d := &Dependency{Git: set(url), Tag: set(tag), Commit: set(commit), Branch: set(branch)}
	return gitFetch(ctx, d, dir)
}

// gitFetch clones url at the dependency's ref into dir (which must not exist), without the .git
// directory. It runs the git command with prompts disabled, so it never waits for a password.
func gitFetch(ctx context.Context, d *Dependency, dir string) error {
	url := gitCloneURL(d.Git.Value)
	kind, ref := gitRef(d)
	// kcl.mod validation refuses these too; checked again here because the values become
	// command-line arguments.
	if (kind == "commit" && !ValidGitCommit(ref)) || (kind != "commit" && !ValidGitRefName(ref)) {
		return fmt.Errorf("invalid git %s %q", kind, ref)
	}
	if strings.HasPrefix(url, "-") {
		return fmt.Errorf("invalid git URL %q", url)
	}
	run := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", args...)
		// No prompts; only network and file transports (never ext:: or fd::, which run commands).
		cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=true", "GIT_ALLOW_PROTOCOL=https:http:ssh:git:file")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			msg := strings.TrimSpace(stderr.String())
			if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
				msg = strings.TrimSpace(msg[i+1:])
			}
			if msg == "" {
				msg = err.Error()
			}
			verb := args[0]
			if verb == "-C" && len(args) > 2 {
				verb = args[2]
			}
			return fmt.Errorf("git %s: %s", verb, msg)
		}
		return nil
	}
	switch kind {
	case "tag", "branch":
		if err := run("clone", "--quiet", "--depth", "1", "--branch", ref, "--", url, dir); err != nil {
			return err
		}
	case "commit":
		if err := run("init", "--quiet", dir); err != nil {
			return err
		}
		if err := run("-C", dir, "fetch", "--quiet", "--depth", "1", "--", url, ref); err != nil {
			// Servers that refuse to serve a commit by id: fetch everything.
			if err := run("-C", dir, "fetch", "--quiet", "--", url, "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"); err != nil {
				return err
			}
			if err := run("-C", dir, "checkout", "--quiet", ref, "--"); err != nil {
				return err
			}
		} else if err := run("-C", dir, "checkout", "--quiet", "FETCH_HEAD", "--"); err != nil {
			return err
		}
	default: // the default branch
		if err := run("clone", "--quiet", "--depth", "1", "--", url, dir); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(filepath.Join(dir, ".git")); err != nil {
		return err
	}
	return refuseLinks(dir)
}

// refuseLinks fails on the first symbolic link (or other non-regular file) under dir, as the
// registry path refuses them in archives: a link could make kpm read outside the package.
func refuseLinks(dir string) error {
	return filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || e.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if e.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link; kpm refuses links in packages", filepath.ToSlash(rel))
		}
		return fmt.Errorf("%s is not a regular file; kpm refuses it in packages", filepath.ToSlash(rel))
	})
}
