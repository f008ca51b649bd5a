package linalg

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"
)

// Parallel covers [0, n) exactly once for every n.
func TestParallelCoversOnce(t *testing.T) {
	for _, n := range []int{0, 1, MinParallel - 1, MinParallel, 2*MinParallel + 1, 1000} {
		hits := make([]int32, n)
		Parallel(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				hits[i]++ // ranges are disjoint: no race
			}
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("n = %d: index %d visited %d times", n, i, h)
			}
		}
	}
}

// A panic in a worker of Parallel comes back to the caller's goroutine,
// where a recover (Find's) can catch it, instead of ending the process.
func TestParallelPanicReachesCaller(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("no panic reached the caller")
		}
	}()
	Parallel(4*MinParallel, func(lo, hi int) {
		if lo > 0 {
			panic("worker failed")
		}
	})
}

// Concurrently calls every item once and returns the first item's error
// in index order, whichever finished first; a panic reaches the caller.
func TestConcurrently(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7} {
		hits := make([]int32, n)
		err := Concurrently(n, func(i int) error {
			hits[i]++
			if i >= 1 {
				return fmt.Errorf("item %d", i)
			}
			return nil
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("n = %d: item %d called %d times", n, i, h)
			}
		}
		if want := n >= 2; (err != nil) != want || (want && err.Error() != "item 1") {
			t.Errorf("n = %d: error %v", n, err)
		}
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("no panic reached the caller")
		}
	}()
	_ = Concurrently(3, func(i int) error {
		if i == 2 {
			panic("item failed")
		}
		return nil
	})
}

// With polling on (whatever the machine's load), the helpers run the
// ranges of Parallel and Concurrently from several goroutines at once,
// nested calls among them, at several GOMAXPROCS: every index is visited
// once and every panic reaches its caller. Run with -race.
func TestHelpersCoverOnce(t *testing.T) {
	defer func(v bool) { loadBusy.Store(v) }(loadBusy.Load())
	defer func(v int64) { loadRead.Store(v) }(loadRead.Load())
	loadRead.Store(math.MaxInt64) // never read the load again: polling stays on
	loadBusy.Store(false)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{2, 1, 4, 2} {
		runtime.GOMAXPROCS(procs)
		var wg sync.WaitGroup
		for c := 0; c < 3; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := 0; round < 200; round++ {
					n := 1 + (round*37+c*11)%300
					hits := make([]int32, n)
					ParallelMin(n, 4, func(lo, hi int) {
						for i := lo; i < hi; i++ {
							hits[i]++
						}
						_ = Concurrently(2, func(int) error { return nil }) // nested
					})
					for i, h := range hits {
						if h != 1 {
							t.Errorf("GOMAXPROCS %d, n = %d: index %d visited %d times", procs, n, i, h)
							return
						}
					}
					if err := Concurrently(3, func(i int) error {
						if i == 2 {
							return fmt.Errorf("item %d", i)
						}
						return nil
					}); err == nil || err.Error() != "item 2" {
						t.Errorf("GOMAXPROCS %d: Concurrently error %v", procs, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("GOMAXPROCS %d: no panic reached the caller", procs)
				}
			}()
			ParallelEach(8, func(lo, hi int) {
				if hi == 8 { // the last range: a helper's, unless on one core
					panic("helper range failed")
				}
			})
		}()
	}
}
