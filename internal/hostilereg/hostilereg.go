// Package hostilereg runs a small OCI registry that misbehaves on purpose, on 127.0.0.1, for
// kpm's tests (next to the real registry of internal/devregistry). Each repository name selects
// one misbehaviour (the Repo* constants); every other path answers 404. It must not be used by
// kpm itself, and it never prints.
package hostilereg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Repositories, one misbehaviour each.
const (
	// RepoHugeManifest declares a 3 GB manifest and streams zeros for as long as it is read.
	RepoHugeManifest = "huge-manifest"
	// RepoTagLoop answers a tag list whose next-page Link points back at a page already served.
	RepoTagLoop = "tag-loop"
	// RepoTagFlood pages forever, 1000 new tags a page.
	RepoTagFlood = "tag-flood"
	// RepoTagPages pages forever, one new tag a page.
	RepoTagPages = "tag-pages"
	// RepoStallBody sends the headers and half of a manifest, then nothing.
	RepoStallBody = "stall-body"
	// RepoSlow serves a valid package (tag 0.1.0), every body in small pieces Options.Delay apart.
	RepoSlow = "slow"
	// RepoTarTrailer serves a package whose archive is followed, inside the gzip stream, by
	// Options.BombSize zero bytes after the tar's end.
	RepoTarTrailer = "tar-trailer"
	// RepoDirData serves a package whose directory entry declares and carries Options.BombSize
	// bytes of data.
	RepoDirData = "dir-data"
	// RepoControl lists tags and serves a package description holding terminal escape sequences
	// (ESC, OSC, BEL); its one semantic-version tag is ControlTag.
	RepoControl = "control"
)

// ControlTag is RepoControl's highest semantic version: a pre-release whose name carries an OSC
// sequence that would retitle a terminal and ring its bell.
const ControlTag = "1.0.0-\x1b]0;pwned\x07"

// HugeManifestSize is the size RepoHugeManifest declares.
const HugeManifestSize = 3 << 30

// Options configures Start.
type Options struct {
	// Silent accepts every connection and never answers any request (until Close).
	Silent bool
	// Delay separates the pieces of RepoSlow's bodies; 0 means 100ms.
	Delay time.Duration
	// BombSize is the number of hidden bytes of RepoTarTrailer and RepoDirData; 0 means 64 MiB.
	BombSize int64
}

// Server is a running hostile registry.
type Server struct {
	opts     Options
	ln       net.Listener
	srv      *http.Server
	quit     chan struct{}
	closed   sync.Once
	sent     atomic.Int64
	requests atomic.Int64
	mu       sync.Mutex
	blobs    map[string][]byte
	packages map[string]pkg
}

// pkg is a package served by digest: its manifest and layer.
type pkg struct {
	manifest []byte
	layer    []byte
}

// Start listens on 127.0.0.1 (a free port) and serves.
func Start(opts Options) (*Server, error) {
	if opts.Delay <= 0 {
		opts.Delay = 100 * time.Millisecond
	}
	if opts.BombSize <= 0 {
		opts.BombSize = 64 << 20
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, ln: ln, quit: make(chan struct{}), blobs: map[string][]byte{}, packages: map[string]pkg{}}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Host is the host:port to give kpm.
func (s *Server) Host() string { return s.ln.Addr().String() }

// Sent is the number of body bytes written so far (all requests).
func (s *Server) Sent() int64 { return s.sent.Load() }

// Requests is the number of requests received so far.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Close stops the server and ends every hanging answer.
func (s *Server) Close() error {
	s.closed.Do(func() { close(s.quit) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return s.srv.Close()
	}
	return nil
}

// hang waits until the client goes away or the server closes.
func (s *Server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.quit:
	}
}

func (s *Server) write(w http.ResponseWriter, b []byte) error {
	n, err := w.Write(b)
	s.sent.Add(int64(n))
	return err
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if s.opts.Silent {
		s.hang(r)
		return
	}
	if r.URL.Path == "/v2/" || r.URL.Path == "/v2" {
		w.WriteHeader(http.StatusOK)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v2/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	var repo, kind, ref string
	for _, k := range []string{"/manifests/", "/blobs/", "/tags/list"} {
		if i := strings.LastIndex(rest, k); i >= 0 {
			repo, kind, ref = rest[:i], strings.Trim(k, "/"), rest[i+len(k):]
			break
		}
	}
	switch kind {
	case "tags/list":
		s.tags(w, r, repo)
	case "manifests":
		s.manifest(w, r, repo, ref)
	case "blobs":
		s.blob(w, r, repo, ref)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) tags(w http.ResponseWriter, r *http.Request, repo string) {
	last, _ := strconv.Atoi(r.URL.Query().Get("last"))
	var tags []string
	next := ""
	switch repo {
	case RepoTagLoop:
		tags = []string{"0.1.0"}
		next = "/v2/" + repo + "/tags/list?last=1"
	case RepoTagFlood:
		for i := 0; i < 1000; i++ {
			tags = append(tags, fmt.Sprintf("0.%d.%d", last, i))
		}
		next = fmt.Sprintf("/v2/%s/tags/list?last=%d", repo, last+1)
	case RepoTagPages:
		tags = []string{fmt.Sprintf("0.0.%d", last)}
		next = fmt.Sprintf("/v2/%s/tags/list?last=%d", repo, last+1)
	case RepoControl:
		tags = []string{"0.1.0", ControlTag, "latest\x1b[2J"}
	case RepoSlow, RepoTarTrailer, RepoDirData, RepoStallBody, RepoHugeManifest:
		tags = []string{"0.1.0"}
	default:
		http.NotFound(w, r)
		return
	}
	body, _ := json.Marshal(map[string]any{"name": repo, "tags": tags})
	if next != "" {
		w.Header().Set("Link", "<"+next+`>; rel="next"`)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = s.write(w, body)
}

const manifestType = "application/vnd.oci.image.manifest.v1+json"

func (s *Server) manifest(w http.ResponseWriter, r *http.Request, repo, ref string) {
	switch repo {
	case RepoHugeManifest:
		w.Header().Set("Content-Type", manifestType)
		w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("ab", 32))
		w.Header().Set("Content-Length", strconv.FormatInt(HugeManifestSize, 10))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		zeros := make([]byte, 32<<10)
		for sent := int64(0); sent < HugeManifestSize; sent += int64(len(zeros)) {
			if s.write(w, zeros) != nil {
				return
			}
		}
		return
	case RepoStallBody:
		p := s.pkg(repo, nil)
		s.manifestHeaders(w, p.manifest)
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		_ = s.write(w, p.manifest[:len(p.manifest)/2])
		w.(http.Flusher).Flush()
		s.hang(r)
		return
	}
	var p pkg
	switch repo {
	case RepoSlow:
		p = s.pkg(repo, nil)
	case RepoTarTrailer:
		p = s.pkg(repo, func(tw *tar.Writer, gz *gzip.Writer) {
			tw.Close()
			writeZeros(gz, s.opts.BombSize)
		})
	case RepoDirData:
		p = s.pkg(repo, func(tw *tar.Writer, gz *gzip.Writer) {
			// A directory header declaring BombSize bytes, followed by them.
			tw.Flush()
			hdr := &tar.Header{Name: "hidden/", Typeflag: tar.TypeDir, Mode: 0o755, Size: 0}
			var hb bytes.Buffer
			htw := tar.NewWriter(&hb)
			htw.WriteHeader(hdr)
			htw.Flush()
			block := hb.Bytes()[:512]
			setSize(block, s.opts.BombSize)
			gz.Write(block)
			writeZeros(gz, s.opts.BombSize)
		})
	case RepoControl:
		p = s.pkg(repo, nil)
	default:
		http.NotFound(w, r)
		return
	}
	s.manifestHeaders(w, p.manifest)
	if r.Method == http.MethodHead {
		return
	}
	s.body(w, repo, p.manifest)
}

func (s *Server) manifestHeaders(w http.ResponseWriter, m []byte) {
	w.Header().Set("Content-Type", manifestType)
	w.Header().Set("Docker-Content-Digest", digest(m))
	w.Header().Set("Content-Length", strconv.Itoa(len(m)))
}

func (s *Server) blob(w http.ResponseWriter, r *http.Request, repo, dgst string) {
	s.mu.Lock()
	b, ok := s.blobs[dgst]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Docker-Content-Digest", dgst)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method == http.MethodHead {
		return
	}
	s.body(w, repo, b)
}

// body writes b, in ten pieces Delay apart for RepoSlow.
func (s *Server) body(w http.ResponseWriter, repo string, b []byte) {
	if repo != RepoSlow {
		_ = s.write(w, b)
		return
	}
	w.WriteHeader(http.StatusOK)
	piece := (len(b) + 9) / 10
	for len(b) > 0 {
		n := min(piece, len(b))
		if s.write(w, b[:n]) != nil {
			return
		}
		w.(http.Flusher).Flush()
		b = b[n:]
		if len(b) > 0 {
			select {
			case <-time.After(s.opts.Delay):
			case <-s.quit:
				return
			}
		}
	}
}

// pkg builds (once per repository) a package named repo: kcl.mod and main.k in a gzip tar,
// tampered with by extra (called after the files, before the tar end unless it closes tw).
func (s *Server) pkg(repo string, extra func(tw *tar.Writer, gz *gzip.Writer)) pkg {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.packages[repo]; ok {
		return p
	}
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(gz)
	files := []struct{ name, body string }{
		{"kcl.mod", fmt.Sprintf("[package]\nname = %q\nedition = \"v0.11.0\"\nversion = \"0.1.0\"\n", repo)},
		{"main.k", "a = 1\n"},
	}
	for _, f := range files {
		tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f.body))})
		tw.Write([]byte(f.body))
	}
	if extra != nil {
		extra(tw, gz)
	}
	tw.Close() // a no-op when extra closed it
	gz.Close()
	layer := buf.Bytes()
	config := []byte("{}")
	description := "a package"
	if repo == RepoControl {
		description = "pwned\x1b]0;pwned\x07\x1b[31m red"
	}
	m, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     manifestType,
		"artifactType":  "application/vnd.oci.image.layer.v1.tar",
		"config":        map[string]any{"mediaType": "application/vnd.oci.empty.v1+json", "digest": digest(config), "size": len(config)},
		"layers": []any{map[string]any{
			"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest(layer), "size": len(layer),
			"annotations": map[string]string{"org.opencontainers.image.title": repo + "_0.1.0.tar.gz"},
		}},
		"annotations": map[string]string{
			"org.kcllang.package.name": repo, "org.kcllang.package.version": "0.1.0",
			"org.kcllang.package.description": description,
		},
	})
	s.blobs[digest(layer)] = layer
	s.blobs[digest(config)] = config
	p := pkg{manifest: m, layer: layer}
	s.packages[repo] = p
	return p
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

func writeZeros(w interface{ Write([]byte) (int, error) }, n int64) {
	zeros := make([]byte, 1<<20)
	for n > 0 {
		k := int64(len(zeros))
		if n < k {
			k = n
		}
		w.Write(zeros[:k])
		n -= k
	}
}

// setSize writes size into a ustar header block (octal size field) and fixes its checksum.
func setSize(block []byte, size int64) {
	copy(block[124:136], fmt.Sprintf("%011o\x00", size))
	copy(block[148:156], "        ")
	sum := 0
	for _, c := range block {
		sum += int(c)
	}
	copy(block[148:156], fmt.Sprintf("%06o\x00 ", sum))
}
