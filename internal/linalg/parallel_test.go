package linalg

import (
	"fmt"
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
