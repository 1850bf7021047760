// Command baseline is the plain oras-go reference the push/pull benchmark compares kpm against:
// the same work (tar+gzip a directory, push it as a one-layer OCI artifact; fetch it, verify the
// digest, gunzip and untar it) with nothing else.
//
//	baseline push DIR HOST/REPO:TAG
//	baseline pull HOST/REPO:TAG DEST
//
// Credentials come from BASELINE_USER / BASELINE_PASSWORD; loopback hosts use plain HTTP.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: baseline push DIR HOST/REPO:TAG | baseline pull HOST/REPO:TAG DEST")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "push":
		err = push(context.Background(), os.Args[2], os.Args[3])
	case "pull":
		err = pull(context.Background(), os.Args[2], os.Args[3])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func repository(ref string) (*remote.Repository, string, error) {
	name, tag, ok := strings.Cut(ref, ":")
	if i := strings.LastIndex(ref, ":"); i > strings.Index(ref, "/") {
		name, tag, ok = ref[:i], ref[i+1:], true
	}
	if !ok {
		return nil, "", fmt.Errorf("%s: no tag", ref)
	}
	repo, err := remote.NewRepository(name)
	if err != nil {
		return nil, "", err
	}
	host := repo.Reference.Registry
	repo.PlainHTTP = strings.HasPrefix(host, "localhost") || strings.HasPrefix(host, "127.")
	repo.Client = &auth.Client{
		Client: retry.DefaultClient,
		Cache:  auth.NewCache(),
		Credential: auth.StaticCredential(host, auth.Credential{
			Username: os.Getenv("BASELINE_USER"), Password: os.Getenv("BASELINE_PASSWORD"),
		}),
	}
	return repo, tag, nil
}

func push(ctx context.Context, dir, ref string) error {
	repo, tag, err := repository(ref)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp("", "baseline-*.tgz")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	gz := gzip.NewWriter(bw)
	tw := tar.NewWriter(gz)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(tw, src)
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	layer := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayerGzip, Digest: digest.NewDigest(digest.SHA256, h), Size: size}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := repo.Push(ctx, layer, f); err != nil {
		return err
	}
	empty := ocispec.DescriptorEmptyJSON
	if err := repo.Push(ctx, empty, bytes.NewReader(empty.Data)); err != nil {
		return err
	}
	man := ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest,
		ArtifactType: ocispec.MediaTypeImageLayerGzip,
		Config:       ocispec.Descriptor{MediaType: empty.MediaType, Digest: empty.Digest, Size: empty.Size},
		Layers:       []ocispec.Descriptor{layer},
	}
	mb, err := json.Marshal(man)
	if err != nil {
		return err
	}
	mdesc := ocispec.Descriptor{MediaType: man.MediaType, Digest: digest.FromBytes(mb), Size: int64(len(mb))}
	return repo.PushReference(ctx, mdesc, bytes.NewReader(mb), tag)
}

func pull(ctx context.Context, ref, dest string) error {
	repo, tag, err := repository(ref)
	if err != nil {
		return err
	}
	mdesc, rc, err := repo.FetchReference(ctx, tag)
	if err != nil {
		return err
	}
	mb, err := content.ReadAll(rc, mdesc)
	rc.Close()
	if err != nil {
		return err
	}
	var man ocispec.Manifest
	if err := json.Unmarshal(mb, &man); err != nil {
		return err
	}
	if len(man.Layers) != 1 {
		return fmt.Errorf("want one layer, got %d", len(man.Layers))
	}
	layer := man.Layers[0]
	lr, err := repo.Fetch(ctx, layer)
	if err != nil {
		return err
	}
	defer lr.Close()
	vr := content.NewVerifyReader(lr, layer)
	gz, err := gzip.NewReader(bufio.NewReaderSize(vr, 1<<20))
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		target := filepath.Join(dest, filepath.FromSlash(hdr.Name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, tr); err != nil {
				out.Close()
				return err
			}
			if err := out.Close(); err != nil {
				return err
			}
		}
	}
	if _, err := io.Copy(io.Discard, vr); err != nil {
		return err
	}
	return vr.Verify()
}
