package linalg

import (
	"fmt"
	"runtime"
	"sync"
)

// MinParallel is the least number of candidates whose small dense algebra
// (a few N x N products each) is worth a second goroutine: at N = 16 one
// candidate is about a microsecond of work, a goroutine's start-up a few.
const MinParallel = 64

// Parallel calls body on contiguous ranges [lo, hi) covering [0, n), one
// per CPU when n is large enough, and waits for them. Each range's results
// depend only on its own indices, so the split never changes a value.
//
// A panic in a worker goroutine is recovered there and raised again in the
// caller's goroutine once every worker is done, so that the recover of the
// caller (Find's, say) turns it into an error instead of the process dying.
func Parallel(n int, body func(lo, hi int)) {
	parallel(n, MinParallel, body)
}

// ParallelEach is Parallel for items each worth a goroutine of its own (a
// proof per fixed point: about a millisecond at N = 16, seconds at 1024):
// it splits [0, n) over the CPUs whenever n > 1. The split never changes a
// value, as in Parallel.
func ParallelEach(n int, body func(lo, hi int)) {
	parallel(n, 1, body)
}

// ParallelMin is Parallel with at least minPer items a range, for items
// heavier than Parallel assumes (a GRU-16's closed-form Hessian of q is
// about 16 µs, a 16-unit damped step matrix about 3 µs): Parallel's 64 a
// range left up to 127 of them on one core. The split never changes a
// value, as in Parallel.
func ParallelMin(n, minPer int, body func(lo, hi int)) {
	parallel(n, max(1, minPer), body)
}

// Concurrently calls body(i) for i in [0, n), each on a goroutine of its
// own when n > 1 (items that are each a whole run, a graph's row block or
// a batch, on their own data), waits for all, and returns the error of
// the first i that failed. A panic is raised again in the caller's
// goroutine, as in Parallel.
func Concurrently(n int, body func(i int) error) error {
	if n == 1 {
		return body(0)
	}
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = body(i)
		}()
	}
	wg.Wait()
	repanic(panics)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// repanic raises again the first panic a worker goroutine recovered.
func repanic(panics []any) {
	for _, v := range panics {
		if v != nil {
			panic(fmt.Sprintf("linalg: worker goroutine: %v", v))
		}
	}
}

func parallel(n, minPer int, body func(lo, hi int)) {
	P := min(runtime.GOMAXPROCS(0), n/minPer)
	if P <= 1 {
		if n > 0 {
			body(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	panics := make([]any, P)
	for p := 0; p < P; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[p] = recover() }()
			body(p*n/P, (p+1)*n/P)
		}()
	}
	wg.Wait()
	repanic(panics)
}
