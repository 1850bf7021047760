// Command pushpull measures kpm's registry package (registry.Push and
// registry.Pull) on a 50 MB package against a plain oras-go program doing
// the same work (tar.gz pack + oras.Copy push; oras.Copy pull + untar), with
// the standard library's gzip and with klauspost/compress's (kpm's), in
// one run, against the same in-process registry (Distribution v3 with
// htpasswd auth, plain HTTP on 127.0.0.1). It isolates the library from the
// CLI (bench/pushpull measures the kpm binary end to end).
//
//	go run ./internal/bench/pushpull -size 50 -n 9
package main

import (
	"archive/tar"
	stdgzip "compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	kzgzip "github.com/klauspost/compress/gzip"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content/file"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"

	"github.com/kpm-dev/kpm/internal/devregistry"
	"github.com/kpm-dev/kpm/registry"
)

const (
	user     = "test"
	password = "1234"
)

func main() {
	sizeMB := flag.Int("size", 50, "package size in MB")
	n := flag.Int("n", 9, "measured iterations (after one warm-up)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	only := flag.String("only", "", "profile one contestant: run only kpm, oras-go or oras-go+kz (no ratios)")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pushpull:", err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
	}
	err := run(*sizeMB, *n, *only)
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pushpull:", err)
		os.Exit(1)
	}
}

func run(sizeMB, n int, only string) error {
	if n < 1 {
		return fmt.Errorf("-n must be at least 1")
	}
	ctx := context.Background()
	work, err := os.MkdirTemp("", "kpm-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	reg, err := devregistry.Start(devregistry.Options{Users: map[string]string{user: password}, Dir: filepath.Join(work, "registry")})
	if err != nil {
		return err
	}
	defer reg.Close()
	host := reg.Host()

	pkgDir := filepath.Join(work, "pkg")
	if err := makePackage(pkgDir, sizeMB); err != nil {
		return err
	}
	kopts := registry.Options{CredentialsFile: filepath.Join(work, "kpm", "config.json"), NoDockerFallback: true}
	if err := registry.Login(ctx, host, user, password, kopts); err != nil {
		return err
	}
	pkg := registry.Package{Dir: pkgDir, Name: "bench", Version: "0.0.1", Description: "benchmark package"}

	// Three contestants: kpm's registry package; a plain oras-go program
	// using the standard library's gzip (what such a program would do);
	// the same oras-go program using klauspost/compress's gzip, the
	// compressor kpm uses, which isolates kpm's own overhead.
	names := []string{"kpm", "oras-go", "oras-go+kz"}
	if only != "" {
		names = []string{only, only, only}
	}
	push := make(map[string][]time.Duration)
	pull := make(map[string][]time.Duration)
	// CPU time of the whole process (client and in-process registry) per
	// operation: far less sensitive than wall time to other load.
	pushCPU := make(map[string][]time.Duration)
	pullCPU := make(map[string][]time.Duration)
	layerSize := map[string]int64{}
	// Iteration 0 warms caches and is not counted.
	for i := 0; i <= n; i++ {
		// Rotate the order so no contestant always runs first.
		turn := append(slices.Clone(names[i%3:]), names[:i%3]...)
		refs := make([]registry.Reference, len(turn))
		for j, who := range turn {
			// Fresh repositories each time, so every push uploads the layer.
			ref := registry.Reference{Registry: host, Repository: fmt.Sprintf("bench/%s%d-%d", strings.NewReplacer("-", "", "+", "").Replace(who), i, j), Tag: "0.0.1"}
			refs[j] = ref
			start, startCPU := time.Now(), cpuTime()
			switch who {
			case "kpm":
				res, err := registry.Push(ctx, ref, pkg, registry.PushOptions{Options: kopts, TempDir: work})
				if err != nil {
					return err
				}
				layerSize[who] = res.Size
			default:
				size, err := orasPushOnce(ctx, host, ref, pkgDir, work, who == "oras-go+kz")
				if err != nil {
					return fmt.Errorf("%s push: %w", who, err)
				}
				layerSize[who] = size
			}
			push[who] = append(push[who], time.Since(start))
			pushCPU[who] = append(pushCPU[who], cpuTime()-startCPU)
		}
		for j, who := range turn {
			dest := filepath.Join(work, "out", fmt.Sprintf("%s%d-%d", who, i, j))
			start, startCPU := time.Now(), cpuTime()
			switch who {
			case "kpm":
				if _, err := registry.Pull(ctx, refs[j], registry.PullOptions{Options: kopts, Dest: dest}); err != nil {
					return err
				}
			default:
				if err := orasPullOnce(ctx, host, refs[j], dest, work, who == "oras-go+kz"); err != nil {
					return fmt.Errorf("%s pull: %w", who, err)
				}
			}
			pull[who] = append(pull[who], time.Since(start))
			pullCPU[who] = append(pullCPU[who], cpuTime()-startCPU)
			if err := os.RemoveAll(dest); err != nil {
				return err
			}
		}
	}
	if only != "" {
		fmt.Printf("%s: push median %s, pull median %s\n", only, median(push[only][1:]), median(pull[only][1:]))
		return nil
	}
	fmt.Printf("package: %d MB on disk; compressed layer: kpm %.2f MB, oras-go %.2f MB, oras-go+kz %.2f MB; %d iterations (+1 warm-up), registry %s\n",
		sizeMB, float64(layerSize["kpm"])/1e6, float64(layerSize["oras-go"])/1e6, float64(layerSize["oras-go+kz"])/1e6, n, host)
	fmt.Printf("%-9s %-11s %10s %10s %10s %10s %13s\n", "op", "baseline", "kpm median", "base median", "kpm min", "base min", "ratio (paired)")
	for _, op := range []struct {
		name string
		m    map[string][]time.Duration
	}{{"push", push}, {"pull", pull}, {"push cpu", pushCPU}, {"pull cpu", pullCPU}} {
		kpm := op.m["kpm"][1:]
		for _, base := range names[1:] {
			ora := op.m[base][1:]
			k, o := median(kpm), median(ora)
			// Contestants of one iteration run back to back: the median of
			// the per-iteration ratios is the figure least sensitive to load
			// from other processes.
			ratios := make([]float64, len(kpm))
			for i := range kpm {
				ratios[i] = float64(kpm[i]) / float64(ora[i])
			}
			slices.Sort(ratios)
			fmt.Printf("%-9s %-11s %10s %10s %10s %10s %6.3f (%.3f)\n", op.name, base, k.Round(time.Millisecond), o.Round(time.Millisecond),
				slices.Min(kpm).Round(time.Millisecond), slices.Min(ora).Round(time.Millisecond), float64(k)/float64(o), ratios[len(ratios)/2])
		}
	}
	return nil
}

// cpuTime returns the user+system CPU time used by this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// makePackage writes a package of about sizeMB: 80% incompressible random
// data in 5 MB files, 20% KCL-like text.
func makePackage(dir string, sizeMB int) error {
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return err
	}
	files := map[string]string{
		"kcl.mod":      "[package]\nname = \"bench\"\nedition = \"v0.11.0\"\nversion = \"0.0.1\"\n",
		"kcl.mod.lock": "",
		"main.k":       "The_first_kcl_program = 'Hello World!'\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	rng := rand.NewChaCha8([32]byte{42})
	total := int64(sizeMB) << 20
	random := total * 8 / 10
	const chunk = 5 << 20
	for i := 0; random > 0; i++ {
		sz := min(random, chunk)
		buf := make([]byte, sz)
		_, _ = rng.Read(buf)
		if err := os.WriteFile(filepath.Join(dir, "data", fmt.Sprintf("blob%02d.bin", i)), buf, 0o644); err != nil {
			return err
		}
		random -= sz
	}
	text := total - total*8/10
	var b strings.Builder
	for i := 0; int64(b.Len()) < text; i++ {
		fmt.Fprintf(&b, "schema Item%d:\n    name: str = \"item-%d\"\n    replicas: int = %d\n\n", i, i, i%7)
	}
	return os.WriteFile(filepath.Join(dir, "schemas.k"), []byte(b.String()), 0o644)
}

// orasRepo is what a plain oras-go program would build.
func orasRepo(host string, ref registry.Reference) (*remote.Repository, error) {
	repo, err := remote.NewRepository(host + "/" + ref.Repository)
	if err != nil {
		return nil, err
	}
	repo.PlainHTTP = true
	repo.Client = &auth.Client{
		Client:     retry.DefaultClient,
		Cache:      auth.NewCache(),
		Credential: auth.StaticCredential(host, auth.Credential{Username: user, Password: password}),
	}
	return repo, nil
}

// orasPushOnce: tar.gz the directory to a file, add it to an oras file
// store, pack an OCI 1.1 manifest, oras.Copy to the registry.
func orasPushOnce(ctx context.Context, host string, ref registry.Reference, dir, work string, kz bool) (int64, error) {
	tmp, err := os.MkdirTemp(work, "oras-push-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	tgz := filepath.Join(tmp, "bench_0.0.1.tgz")
	if err := tarGz(dir, tgz, kz); err != nil {
		return 0, err
	}
	fs, err := file.New(tmp)
	if err != nil {
		return 0, err
	}
	defer fs.Close()
	layer, err := fs.Add(ctx, "bench_0.0.1.tgz", registry.MediaTypeTarGzip, tgz)
	if err != nil {
		return 0, err
	}
	mdesc, err := oras.PackManifest(ctx, fs, oras.PackManifestVersion1_1, registry.ArtifactType, oras.PackManifestOptions{
		Layers:              []ocispec.Descriptor{layer},
		ManifestAnnotations: map[string]string{registry.AnnotationName: "bench", registry.AnnotationVersion: "0.0.1"},
	})
	if err != nil {
		return 0, err
	}
	if err := fs.Tag(ctx, mdesc, ref.Tag); err != nil {
		return 0, err
	}
	repo, err := orasRepo(host, ref)
	if err != nil {
		return 0, err
	}
	_, err = oras.Copy(ctx, fs, ref.Tag, repo, ref.Tag, oras.DefaultCopyOptions)
	return layer.Size, err
}

// orasPullOnce: oras.Copy to a file store, then untar the layer.
func orasPullOnce(ctx context.Context, host string, ref registry.Reference, dest, work string, kz bool) error {
	tmp, err := os.MkdirTemp(work, "oras-pull-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fs, err := file.New(tmp)
	if err != nil {
		return err
	}
	defer fs.Close()
	repo, err := orasRepo(host, ref)
	if err != nil {
		return err
	}
	if _, err := oras.Copy(ctx, repo, ref.Tag, fs, ref.Tag, oras.DefaultCopyOptions); err != nil {
		return err
	}
	return untarGz(filepath.Join(tmp, "bench_0.0.1.tgz"), dest, kz)
}

func tarGz(dir, out string, kz bool) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	var gz io.WriteCloser = stdgzip.NewWriter(f)
	if kz {
		gz = kzgzip.NewWriter(f)
	}
	tw := tar.NewWriter(gz)
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
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
	return f.Close()
}

func untarGz(in, dest string, kz bool) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	var gz io.Reader
	if kz {
		gz, err = kzgzip.NewReader(f)
	} else {
		gz, err = stdgzip.NewReader(f)
	}
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
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
			w, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			if _, err := io.Copy(w, tr); err != nil {
				w.Close()
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
		}
	}
}
