// Command baseline is the plain oras-go program the push/pull benchmark
// (bench/pushpull) compares kpm against: what a user would write to do the
// same job without kpm, and nothing else.
//
//	baseline [-gzip std|kz] push DIR HOST/REPO:TAG
//	baseline [-gzip std|kz] pull HOST/REPO:TAG DEST
//
// push: tar + gzip the directory (Walk order, directories as entries) into
// a temporary file while hashing it, then push it with oras-go as the only
// layer of an OCI 1.1 manifest shaped like kpm's (empty config, artifactType,
// layer title, name/version/description/created annotations; no package
// checksum, which is kpm's own addition).
// pull: fetch the manifest and the layer with oras-go, verify the layer
// digest while streaming it through gunzip + untar into DEST.
//
// -gzip selects the compressor: the standard library's (what a plain
// program uses; the default) or klauspost/compress's (kpm's), which
// isolates kpm's own overhead from the choice of compressor.
// Credentials come from BASELINE_USER / BASELINE_PASSWORD; loopback hosts
// use plain HTTP.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	stdgzip "compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	kzgzip "github.com/klauspost/compress/gzip"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"
)

func main() {
	gz := flag.String("gzip", "std", "compressor: std (compress/gzip) or kz (klauspost/compress)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: baseline [-gzip std|kz] push DIR HOST/REPO:TAG | baseline [-gzip std|kz] pull HOST/REPO:TAG DEST")
	}
	flag.Parse()
	args := flag.Args()
	if len(args) != 3 || (*gz != "std" && *gz != "kz") {
		flag.Usage()
		os.Exit(2)
	}
	kz := *gz == "kz"
	var err error
	switch args[0] {
	case "push":
		err = push(context.Background(), args[1], args[2], kz)
	case "pull":
		err = pull(context.Background(), args[1], args[2], kz)
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func repository(ref string) (*remote.Repository, string, error) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || i < strings.Index(ref, "/") {
		return nil, "", fmt.Errorf("%s: no tag", ref)
	}
	repo, err := remote.NewRepository(ref[:i])
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
	return repo, ref[i+1:], nil
}

func push(ctx context.Context, dir, ref string, kz bool) error {
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
	var gz io.WriteCloser = stdgzip.NewWriter(bw)
	if kz {
		gz = kzgzip.NewWriter(bw)
	}
	tw := tar.NewWriter(gz)
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if info.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
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
	name := filepath.Base(filepath.Clean(dir))
	layer := ocispec.Descriptor{
		MediaType:   ocispec.MediaTypeImageLayerGzip,
		Digest:      digest.NewDigest(digest.SHA256, h),
		Size:        size,
		Annotations: map[string]string{ocispec.AnnotationTitle: name + "_" + tag + ".tgz"},
	}
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
		Annotations: map[string]string{
			"org.kcllang.package.name":        name,
			"org.kcllang.package.version":     tag,
			"org.kcllang.package.description": "",
			ocispec.AnnotationCreated:         time.Now().UTC().Format(time.RFC3339),
		},
	}
	mb, err := json.Marshal(man)
	if err != nil {
		return err
	}
	mdesc := ocispec.Descriptor{MediaType: man.MediaType, Digest: digest.FromBytes(mb), Size: int64(len(mb))}
	return repo.PushReference(ctx, mdesc, bytes.NewReader(mb), tag)
}

func pull(ctx context.Context, ref, dest string, kz bool) error {
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
	br := bufio.NewReaderSize(vr, 1<<20)
	var gz io.Reader
	if kz {
		gz, err = kzgzip.NewReader(br)
	} else {
		gz, err = stdgzip.NewReader(br)
	}
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
	if _, err := io.Copy(io.Discard, br); err != nil {
		return err
	}
	return vr.Verify()
}
