package commands

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

type recProgress struct {
	started []string
	totals  []int64
	added   int64
	ended   int
}

func (r *recProgress) Message(string) {}
func (r *recProgress) Start(title string, total int64) Task {
	r.started = append(r.started, title)
	r.totals = append(r.totals, total)
	return recTask{r}
}

type recTask struct{ r *recProgress }

func (t recTask) Add(n int64) { t.r.added += n }
func (t recTask) End()        { t.r.ended++ }

func TestTransferProgress(t *testing.T) {
	tests := []struct {
		name      string
		calls     [][2]int64 // (done, total)
		wantAdded int64
		started   int
	}{
		{name: "nothing moved", calls: nil, wantAdded: 0, started: 0},
		{name: "steady", calls: [][2]int64{{10, 30}, {20, 30}, {30, 30}}, wantAdded: 30, started: 1},
		{name: "retry starts over", calls: [][2]int64{{10, 30}, {20, 30}, {5, 30}, {30, 30}}, wantAdded: 50, started: 1},
		{name: "repeated value", calls: [][2]int64{{10, 30}, {10, 30}}, wantAdded: 10, started: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recProgress{}
			fn, end := transferProgress(rec, "uploading x")
			for _, c := range tt.calls {
				fn(c[0], c[1])
			}
			end()
			assert.Equal(t, tt.wantAdded, rec.added)
			assert.Len(t, rec.started, tt.started)
			assert.Equal(t, tt.started, rec.ended, "the task ends once when it started")
			if tt.started > 0 {
				assert.Equal(t, []string{"uploading x"}, rec.started)
				assert.Equal(t, []int64{30}, rec.totals)
			}
		})
	}
}
