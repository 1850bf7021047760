package check

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/k8sgen"
	"github.com/kpm-dev/kpm/kcl"
)

// BenchmarkRunChecked measures what the static check costs kpm run: the Deployment + Service +
// ConfigMap program against the generated Kubernetes-shaped package (default size), evaluated
// without the checker (the baseline) and with it (as kpm run does), alternately in the same run.
func BenchmarkRunChecked(b *testing.B) {
	pkg, app, _, err := k8sgen.WriteProgram(b.TempDir(), k8sgen.Options{})
	require.NoError(b, err)
	opts := kcl.Options{Dir: app, Deps: map[string]string{"k8s": pkg}}
	run := func(check func(context.Context, kcl.Program) error) time.Duration {
		o := opts
		o.Check = check
		start := time.Now()
		_, err := kcl.Run(context.Background(), o)
		require.NoError(b, err)
		return time.Since(start)
	}
	var baseline, checked time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		baseline += run(nil)
		checked += run(Program)
	}
	b.ReportMetric(float64(baseline.Microseconds())/float64(b.N), "baseline-µs/run")
	b.ReportMetric(float64(checked.Microseconds())/float64(b.N), "checked-µs/run")
	b.ReportMetric(float64(checked)/float64(baseline), "checked/baseline")
}
