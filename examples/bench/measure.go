package main

import (
	"runtime"
	"slices"
	"time"
)

// sample is the cost of one operation: its time and what it allocated.
type sample struct {
	Op     time.Duration
	Bytes  float64
	Allocs float64
}

// measure runs f once to warm up, then count rounds, each repeating f until
// minTime has passed, and returns the round with the median time per
// operation. Between rounds nothing else runs, so each round's allocation
// counts are f's own.
func measure(count int, minTime time.Duration, f func() error) (sample, error) {
	if err := f(); err != nil {
		return sample{}, err
	}
	rounds := make([]sample, 0, count)
	for range max(count, 1) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		n := 0
		for n == 0 || time.Since(start) < minTime {
			if err := f(); err != nil {
				return sample{}, err
			}
			n++
		}
		el := time.Since(start)
		runtime.ReadMemStats(&after)
		rounds = append(rounds, sample{
			Op:     el / time.Duration(n),
			Bytes:  float64(after.TotalAlloc-before.TotalAlloc) / float64(n),
			Allocs: float64(after.Mallocs-before.Mallocs) / float64(n),
		})
	}
	slices.SortFunc(rounds, func(a, b sample) int { return int(a.Op - b.Op) })
	return rounds[len(rounds)/2], nil
}

// median returns the middle of the durations (the upper one of an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
