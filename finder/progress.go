package finder

import "time"

// reportCount calls the progress callback, if any, for a stage that counts
// its own items (the linearization counts fixed points, not candidates).
func (f *finder) reportCount(stage string, done, total int) {
	if f.s.Progress != nil {
		f.s.Progress(Progress{Stage: stage, Done: done, Total: total, Elapsed: time.Since(f.start)})
	}
}
