package kclfuzz

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGenerateIsDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		a, b := Generate(seed), Generate(seed)
		require.Equal(t, a.Names(), b.Names())
		for _, n := range a.Names() {
			require.Equal(t, a.Source(n), b.Source(n))
		}
		require.NotEmpty(t, a.Source("main.k"))
	}
}
