package commands

import "sync"

// transferProgress adapts the registry's cumulative progress callback (done, total) to a Task
// started on p when the first bytes move. end finishes the task (safe when nothing started).
func transferProgress(p Progress, title string) (fn func(done, total int64), end func()) {
	var (
		mu   sync.Mutex
		task Task
		last int64
	)
	fn = func(done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if task == nil {
			task = p.Start(title, total)
		}
		if done < last { // a retry started over
			last = 0
		}
		if done > last {
			task.Add(done - last)
			last = done
		}
	}
	end = func() {
		mu.Lock()
		defer mu.Unlock()
		if task != nil {
			task.End()
		}
	}
	return fn, end
}
