package linalg

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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
	switch n {
	case 0:
		return nil
	case 1:
		return body(0)
	}
	errs := make([]error, n)
	panics := make([]any, n)
	var g group
	for i := 1; i < n; i++ {
		g.start(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = body(i)
		})
	}
	onCaller(&panics[0], func() { errs[0] = body(0) })
	g.wait()
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
	panics := make([]any, P)
	var g group
	for p := 1; p < P; p++ {
		g.start(func() {
			defer func() { panics[p] = recover() }()
			body(p*n/P, (p+1)*n/P)
		})
	}
	onCaller(&panics[0], func() { body(0, n/P) })
	g.wait()
	repanic(panics)
}

// onCaller runs the first range or item of parallel and Concurrently on
// the caller's goroutine, after the others have been handed out: the
// caller would only wait otherwise. Which goroutine runs a range changes
// no value. A panic is kept for repanic, once the others are done.
func onCaller(panicked *any, run func()) {
	defer func() { *panicked = recover() }()
	run()
}

// A group is the ranges or items of one parallel or Concurrently call run
// off the caller's goroutine: each by an idle helper when one is free (see
// helper), else by a goroutine of its own.
type group struct {
	wg      sync.WaitGroup
	left    atomic.Int32 // started and not yet done
	decided bool
	active  bool // helpers and polling (pollable), decided at the first start
}

// start runs f off the caller's goroutine: on an idle helper when polling
// pays (pollable), else on a goroutine of its own.
func (g *group) start(f func()) {
	if !g.decided {
		g.decided, g.active = true, runtime.GOMAXPROCS(0) > 1 && pollable(time.Now())
	}
	g.wg.Add(1)
	g.left.Add(1)
	run := func() {
		defer g.wg.Done()
		defer g.left.Add(-1)
		f()
	}
	if g.active {
		if h := idleHelper(); h != nil {
			h.post(run)
			return
		}
	}
	go run()
}

// wait returns once every function started is done. With helpers it
// polls for up to spinWait first (a helper's range usually ends within
// microseconds of the caller's), yielding the processor now and then so
// that goroutines queued behind the caller run, and parks only then.
func (g *group) wait() {
	if g.active {
		var p poll
		for p.start(); g.left.Load() > 0 && p.more(); {
		}
	}
	g.wg.Wait()
}

// spinWait is how long a helper looks for its next range, and a caller for
// its helpers' ends, before parking. Waking a parked goroutine on the
// other core took 70-110 µs on the 2-core VM the benchmarks run on
// (median 96 µs: a goroutine started beside a 100 µs range began when the
// range ended, measured at load 2.5; one that was polling took 0.6 µs),
// longer than most of a 16-unit Find's parallel ranges, which then ran
// one after the other on one core. Between two ranges a Find often runs a
// few hundred µs on one core (a graph run, a candidate's bookkeeping):
// polling for 500 µs rather than 200 made the GRU-16's Find 6-8% faster
// (tanh-16 4-9%, LSTM-16 0-2%; 9 interleaved pairs with the cores to
// themselves, 23:23 UTC 7 December 2026).
const spinWait = 500 * time.Microsecond

// A helper is a goroutine that runs the ranges of parallel calls from any
// goroutine, one at a time: after each it polls for the next for spinWait,
// then parks until one is posted. There are at most GOMAXPROCS - 1 of them,
// made as needed; a call that finds none idle, or runs while polling does
// not pay (pollable), starts goroutines instead, as all calls once did.
type helper struct {
	busy   atomic.Bool // claimed by a caller (idleHelper) until its range ends
	parked atomic.Bool
	task   atomic.Pointer[func()]
	wake   chan struct{} // a token for a parked helper
}

var helpers struct {
	mu   sync.Mutex
	list atomic.Pointer[[]*helper]
}

// idleHelper claims an idle helper, or returns nil. Only the first
// GOMAXPROCS - 1 helpers are used, so that a polling helper never holds
// the processor its caller needs.
func idleHelper() *helper {
	want := runtime.GOMAXPROCS(0) - 1
	if want <= 0 {
		return nil
	}
	l := helpers.list.Load()
	if l == nil || len(*l) < want {
		l = growHelpers(want)
	}
	for _, h := range (*l)[:want] {
		if !h.busy.Load() && h.busy.CompareAndSwap(false, true) {
			return h
		}
	}
	return nil
}

func growHelpers(want int) *[]*helper {
	helpers.mu.Lock()
	defer helpers.mu.Unlock()
	l := helpers.list.Load()
	var hs []*helper
	if l != nil {
		hs = *l
	}
	for len(hs) < want {
		h := &helper{wake: make(chan struct{}, 1)}
		hs = append(hs, h)
		go h.loop()
	}
	helpers.list.Store(&hs)
	return &hs
}

// post hands run to h, which a caller claimed.
func (h *helper) post(run func()) {
	h.task.Store(&run)
	if h.parked.Load() {
		select {
		case h.wake <- struct{}{}:
		default: // a token is there already
		}
	}
}

func (h *helper) loop() {
	for {
		f := h.next()
		if f == nil {
			continue // a stale token woke it
		}
		(*f)()
		h.busy.Store(false)
	}
}

// next polls for a task for spinWait, then parks until one is posted.
func (h *helper) next() *func() {
	var p poll
	for p.start(); p.more(); {
		if h.task.Load() != nil {
			if f := h.task.Swap(nil); f != nil {
				return f
			}
		}
	}
	h.parked.Store(true)
	defer h.parked.Store(false)
	if f := h.task.Swap(nil); f != nil {
		return f // posted while it was parking: the poster may also have left a token
	}
	<-h.wake
	return h.task.Swap(nil)
}

// A poll bounds a polling loop: more reports false at once when the
// machine is busy (pollable), once spinWait has passed, or as soon as the
// loop was kept off its core (a gap of spinGap between two looks at the
// clock, 64 turns apart, where the turns take well under a microsecond):
// then other threads want the cores, and a poller would only take time
// from them. Every 64 turns it also yields the processor to goroutines
// queued behind it.
type poll struct {
	t0, last time.Time
	turns    int
	off      bool // no polling at all (pollable)
}

// spinGap is the gap between two of a poll's looks at the clock that
// means it was descheduled.
const spinGap = 20 * time.Microsecond

func (p *poll) start() {
	p.t0 = time.Now()
	p.last = p.t0
	p.off = !pollable(p.t0)
}

func (p *poll) more() bool {
	if p.off {
		return false
	}
	if p.turns++; p.turns%64 != 0 {
		return true
	}
	now := time.Now()
	if now.Sub(p.t0) > spinWait || now.Sub(p.last) > spinGap || runtime.GOMAXPROCS(0) == 1 {
		return false
	}
	p.last = now
	runtime.Gosched()
	return true
}

// pollable reports whether polling may pay: not while the machine's load
// average (Linux's /proc/loadavg, read at most every loadEvery) is above
// its cores plus a half, where other processes want the cores and a
// poller takes its own process's share from its other threads: at load
// 5-7 on 2 cores, polling made the 16-unit flip-flop Finds 11-14% slower,
// where with the cores to themselves (their process given priority over
// the others) they were 10-19% faster. Where the load cannot be read, it
// polls.
//
// The environment variable FIXEDPOINTS_WAIT_POLICY overrides it, read once:
// "active" always polls, "passive" never does (as OpenMP's
// OMP_WAIT_POLICY); anything else leaves the choice to the load.
func pollable(now time.Time) bool {
	switch waitPolicy() {
	case "active":
		return true
	case "passive":
		return false
	}
	if runtime.GOMAXPROCS(0) > runtime.NumCPU() {
		return false // more processors than cores: pollers would take cores from the work
	}
	if t := loadRead.Load(); t == 0 || now.UnixNano()-t > int64(loadEvery) {
		loadRead.Store(now.UnixNano())
		busy := false
		if b, err := os.ReadFile("/proc/loadavg"); err == nil {
			if f := strings.Fields(string(b)); len(f) > 0 {
				if l, err := strconv.ParseFloat(f[0], 64); err == nil {
					busy = l > float64(runtime.NumCPU())+0.5
				}
			}
		}
		loadBusy.Store(busy)
	}
	return !loadBusy.Load()
}

// loadEvery is how often pollable reads the load average.
const loadEvery = 100 * time.Millisecond

var (
	loadRead atomic.Int64 // when pollable last read the load, in Unix nanoseconds
	loadBusy atomic.Bool
)

var waitPolicy = sync.OnceValue(func() string { return os.Getenv("FIXEDPOINTS_WAIT_POLICY") })
