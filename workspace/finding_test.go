package workspace

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRefuseFindings(t *testing.T) {
	e := Finding{File: "kcl.mod", Severity: SeverityError, Message: "bad", Range: Range{Start: Pos{Line: 2, Col: 3}, End: Pos{Line: 2, Col: 4}}}
	w := Finding{File: "kcl.mod", Severity: SeverityWarning, Message: "odd", Range: Range{Start: Pos{Line: 1, Col: 1}, End: Pos{Line: 1, Col: 2}}}
	tests := []struct {
		name         string
		findings     []Finding
		wantMsg      string // "" = no error
		wantWarnings int
	}{
		{"none", nil, "", 0},
		{"warnings only", []Finding{w}, "", 0},
		{"one error", []Finding{e}, "kcl.mod:2:3: bad", 0},
		{"errors and warnings", []Finding{w, e, e}, "kcl.mod:2:3: bad (and 1 more)", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := RefuseFindings(tt.findings)
			if tt.wantMsg == "" {
				assert.NoError(t, err)
				return
			}
			var fe *FindingsError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.wantMsg, err.Error())
			assert.Len(t, fe.Warnings, tt.wantWarnings)
			for _, f := range fe.Findings {
				assert.Equal(t, SeverityError, f.Severity)
			}
		})
	}
}
