package heappeak

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

const objects = "/memory/classes/heap/objects:bytes"

// Measure collects garbage, runs fn and returns the heap's objects in bytes
// before fn (base) and the largest value sampled every interval while fn
// ran (peak; 0 when fn ended before the first sample).
func Measure(every time.Duration, fn func()) (base, peak uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: objects}}
	metrics.Read(sample)
	base = sample[0].Value.Uint64()
	var top atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: objects}}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > top.Load() {
					top.Store(v)
				}
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return base, top.Load()
}
