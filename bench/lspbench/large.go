package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// largeDocuments opens one generated .k document of each size (MB) and shape in a fresh
// server and prints the time to its diagnostics, a hover's answer and the server's peak
// resident set (VmHWM) against the document's size. The baseline is the document itself.
func largeDocuments(kpm string, sizes []int) error {
	kpm, _ = filepath.Abs(kpm)
	fmt.Printf("%-7s %8s %10s %9s %9s %10s\n", "shape", "doc_MB", "diags_s", "hover_s", "peak_MB", "peak/doc")
	for _, shape := range []string{"assign", "config"} {
		for _, mb := range sizes {
			if err := largeDocument(kpm, shape, mb); err != nil {
				return err
			}
		}
	}
	return nil
}

func largeDocument(kpm, shape string, mb int) error {
	home, work, cleanup, err := tempHomeAndWork()
	if err != nil {
		return err
	}
	defer cleanup()
	must(os.WriteFile(filepath.Join(work, "kcl.mod"), []byte("[package]\nname = \"big\"\nversion = \"0.0.1\"\n"), 0o644))
	var b strings.Builder
	for i := 0; b.Len() < mb<<20; i++ {
		if shape == "assign" {
			fmt.Fprintf(&b, "a%d = %d\n", i, i)
		} else {
			fmt.Fprintf(&b, "c%d = {name = \"c%d\", port = %d}\n", i, i, i)
		}
	}
	text := b.String()
	c, err := startInitialized(kpm, append(os.Environ(), "KCL_PKG_PATH="+home), work)
	if err != nil {
		return err
	}
	defer c.stop()
	uri := "file://" + filepath.Join(work, "main.k")
	diags, err := c.openAndWait(uri, "kcl", text, 5*time.Minute)
	if err != nil {
		return fmt.Errorf("%s %d MB: %w", shape, mb, err)
	}
	t1 := time.Now()
	var hover any
	if err := c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 0, "character": 0}}, &hover); err != nil {
		return err
	}
	hoverT := time.Since(t1)
	peak := statusKiB(c.cmd.Process.Pid, "VmHWM:")
	size := float64(len(text))
	fmt.Printf("%-7s %8.1f %10.2f %9.2f %9.1f %10.1f\n", shape, size/1e6, diags.Seconds(), hoverT.Seconds(), float64(peak)/1024, float64(peak)*1024/size)
	return nil
}

// statusKiB reads one field of /proc/PID/status in KiB.
func statusKiB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				v, _ := strconv.Atoi(f[0])
				return v
			}
		}
	}
	return 0
}
