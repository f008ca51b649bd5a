package graph

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/torchref"
)

// cacheProgram is one kind of program a Cache hands out, with how to
// build it fresh and how to evaluate it at fixed states and inputs.
type cacheProgram struct {
	name  string
	get   func(c *Cache, cell cells.Cell) (Cached, error)
	fresh func(cell cells.Cell) (Cached, error)
	eval  func(p Cached, x, u []float64) ([]float64, error)
}

const cacheB = 6

func cachePrograms() []cacheProgram {
	return []cacheProgram{
		{"objective",
			func(c *Cache, cell cells.Cell) (Cached, error) { return c.Objective(cell, cacheB, Float64) },
			func(cell cells.Cell) (Cached, error) { return NewObjective(cell, cacheB, Float64) },
			func(p Cached, x, u []float64) ([]float64, error) {
				o := p.(*Objective)
				if err := o.SetStates(x); err != nil {
					return nil, err
				}
				if err := o.SetInputs(u); err != nil {
					return nil, err
				}
				if err := o.Eval(); err != nil {
					return nil, err
				}
				return append(append(append([]float64(nil), o.F()...), o.Grad()...), o.Q()...), nil
			}},
		{"jacobians",
			func(c *Cache, cell cells.Cell) (Cached, error) { return c.Jacobians(cell, cacheB, Float64) },
			func(cell cells.Cell) (Cached, error) { return NewJacobians(cell, cacheB, Float64) },
			func(p Cached, x, u []float64) ([]float64, error) {
				j := p.(*Jacobians)
				N, M := j.N(), j.M()
				jx, ju := make([]float64, cacheB*N*N), make([]float64, cacheB*N*M)
				if err := j.Eval(x, u, jx, ju); err != nil {
					return nil, err
				}
				return append(append(jx, ju...), j.F()...), nil
			}},
		{"stepper",
			func(c *Cache, cell cells.Cell) (Cached, error) { return c.Stepper(cell, cacheB, Float64) },
			func(cell cells.Cell) (Cached, error) { return NewStepper(cell, cacheB, Float64) },
			func(p Cached, x, u []float64) ([]float64, error) {
				out := make([]float64, len(x))
				err := p.(*Stepper).Step(x, u, out)
				return out, err
			}},
		{"jvp",
			func(c *Cache, cell cells.Cell) (Cached, error) { return c.JVP(cell, cacheB, true, Float64) },
			func(cell cells.Cell) (Cached, error) { return NewJVP(cell, cacheB, true, Float64) },
			func(p Cached, x, u []float64) ([]float64, error) {
				j := p.(*JVP)
				v := make([]float64, len(x))
				for i := range v {
					v[i] = math.Sin(float64(i))
				}
				out := make([]float64, len(x))
				err := j.Apply(cacheB, x, u, v, nil, out)
				return out, err
			}},
	}
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TestCacheNeverStale: after a weight of the cell is changed in place, or
// a setting that is no weight (the activation, the GRU's reset placement),
// a Cache hands out a program for the new cell, never the one it holds for
// the old: its results equal a freshly built program's bit for bit and
// differ from the old ones. With the cell restored, the old program is
// reused and gives the old results again.
func TestCacheNeverStale(t *testing.T) {
	for name, cell := range torchref.Cells() {
		for _, pg := range cachePrograms() {
			t.Run(name+"/"+pg.name, func(t *testing.T) {
				c := NewCache(16, 1<<30)
				r := rand.New(rand.NewPCG(7, 8))
				N, M := cell.StateSize(), cell.InputSize()
				x, u := torchref.RandVec(r, cacheB*N), torchref.RandVec(r, cacheB*M)
				check := func(what string) (Cached, []float64) {
					t.Helper()
					p, err := pg.get(c, cell)
					if err != nil {
						t.Fatal(err)
					}
					got, err := pg.eval(p, x, u)
					if err != nil {
						t.Fatal(err)
					}
					fresh, err := pg.fresh(cell)
					if err != nil {
						t.Fatal(err)
					}
					want, err := pg.eval(fresh, x, u)
					if err != nil {
						t.Fatal(err)
					}
					if !sameBits(got, want) {
						t.Fatalf("%s: the cached program's results differ from a fresh one's", what)
					}
					return p, got
				}
				p0, v0 := check("first")
				c.Put(p0)

				w := cell.Params()[1] // the first recurrent weights
				old := w.Data[0]
				w.Data[0] += 0.5
				p1, v1 := check("weight changed in place")
				if p1 == p0 || sameBits(v1, v0) {
					t.Fatalf("weight changed: got the old program back (same %v) or the old results", p1 == p0)
				}
				c.Put(p1)
				w.Data[0] = old

				if undo := changeSetting(cell); undo != nil {
					p2, v2 := check("setting changed")
					if p2 == p0 || p2 == p1 || sameBits(v2, v0) {
						t.Fatalf("setting changed: got an old program back or the old results")
					}
					c.Put(p2)
					undo()
				}

				p3, v3 := check("restored")
				if p3 != p0 || !sameBits(v3, v0) {
					t.Fatalf("restored cell: reused %v, results equal %v; want the first program and its results", p3 == p0, sameBits(v3, v0))
				}
				c.Put(p3)
				if s := c.Stats(); s.Hits != 1 || s.Uncacheable != 0 {
					t.Fatalf("stats %+v, want 1 hit (the restored cell) and no uncacheable cell", s)
				}
			})
		}
	}
}

// changeSetting changes a setting of cell that is no weight and returns
// how to undo it, or nil for a cell without one.
func changeSetting(cell cells.Cell) func() {
	switch c := cell.(type) {
	case *cells.Vanilla:
		old := c.Act
		c.Act = cells.Tanh + cells.ReLU - old
		return func() { c.Act = old }
	case *cells.GRU:
		c.ResetBeforeLinear = !c.ResetBeforeLinear
		return func() { c.ResetBeforeLinear = !c.ResetBeforeLinear }
	}
	return nil
}

// TestCacheOneHolder: a program checked out is not handed out again until
// it is put back, whether asked for in turn or by goroutines at once (run
// with -race: a machine shared by two goroutines races); each goroutine's
// results equal a fresh program's bit for bit.
func TestCacheOneHolder(t *testing.T) {
	cell := torchref.Cells()["gru"]
	for _, pg := range cachePrograms() {
		t.Run(pg.name, func(t *testing.T) {
			c := NewCache(16, 1<<30)
			a, err := pg.get(c, cell)
			if err != nil {
				t.Fatal(err)
			}
			b, err := pg.get(c, cell)
			if err != nil {
				t.Fatal(err)
			}
			if a == b {
				t.Fatal("one program checked out twice")
			}
			c.Put(a)
			c.Put(b)
			c.Put(b) // a second Put is ignored
			if s := c.Stats(); s.Idle != 2 {
				t.Fatalf("%d idle programs, want 2", s.Idle)
			}

			r := rand.New(rand.NewPCG(9, 10))
			N, M := cell.StateSize(), cell.InputSize()
			x, u := torchref.RandVec(r, cacheB*N), torchref.RandVec(r, cacheB*M)
			fresh, err := pg.fresh(cell)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pg.eval(fresh, x, u)
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			held := map[Cached]bool{}
			var wg sync.WaitGroup
			for g := 0; g < 4; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for it := 0; it < 10; it++ {
						p, err := pg.get(c, cell)
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						if held[p] {
							t.Error("a program held by one goroutine was handed to another")
						}
						held[p] = true
						mu.Unlock()
						got, err := pg.eval(p, x, u)
						if err != nil {
							t.Error(err)
						} else if !sameBits(got, want) {
							t.Error("results differ from a fresh program's")
						}
						mu.Lock()
						delete(held, p)
						mu.Unlock()
						c.Put(p)
					}
				}()
			}
			wg.Wait()
			if s := c.Stats(); s.Idle > 4 || s.Hits < 2 {
				t.Fatalf("stats %+v: want at most 4 idle (one per goroutine) and the 2 first reused", s)
			}
		})
	}
}

// funcCell is a cell holding a func: the cache cannot compare it.
type funcCell struct {
	*cells.Vanilla
	scale func() float64
}

// TestCacheBounds: the idle programs are kept within the count and the
// bytes given, the least recently returned dropped first; cells the cache
// cannot compare and programs not from the cache are never kept.
func TestCacheBounds(t *testing.T) {
	cell := torchref.Cells()["rnn"]
	c := NewCache(2, 1<<30)
	var ps []*Stepper
	for _, B := range []int{1, 2, 3} {
		st, err := c.Stepper(cell, B, Float64)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, st)
	}
	for _, st := range ps {
		c.Put(st)
	}
	if s := c.Stats(); s.Idle != 2 || s.Evicted != 1 {
		t.Fatalf("stats %+v, want 2 idle and 1 evicted", s)
	}
	if st, _ := c.Stepper(cell, 1, Float64); st == ps[0] {
		t.Fatal("the least recently returned program was kept")
	}
	if st, _ := c.Stepper(cell, 3, Float64); st != ps[2] {
		t.Fatal("the most recently returned program was dropped")
	}

	small := NewCache(8, 1000)
	st, err := small.Stepper(cell, 64, Float64)
	if err != nil {
		t.Fatal(err)
	}
	small.Put(st)
	if s := small.Stats(); s.Idle != 0 || s.IdleBytes != 0 {
		t.Fatalf("a program over the cache's bytes was kept: %+v", s)
	}

	fc := funcCell{Vanilla: cells.NewVanilla(3, 1, cells.Tanh), scale: func() float64 { return 1 }}
	o, err := c.Objective(fc, 4, Float64)
	if err != nil {
		t.Fatal(err)
	}
	c.Put(o)
	fresh, err := NewObjective(cell, 4, Float64)
	if err != nil {
		t.Fatal(err)
	}
	c.Put(fresh)
	if s := c.Stats(); s.Uncacheable != 1 || s.Idle != 1 {
		t.Fatalf("stats %+v, want 1 uncacheable and only the one idle program left", s)
	}
}

// settingsCell is a cell with settings of several kinds beside its weights.
type settingsCell struct {
	*cells.Vanilla
	gains []float32
	mode  int
	name  string
	next  *settingsCell
}

// TestFingerprint: two cells built alike have one fingerprint; changing
// any number, string or pointer target reachable from the cell changes it.
func TestFingerprint(t *testing.T) {
	mk := func() *settingsCell {
		c := &settingsCell{Vanilla: torchref.Cells()["rnn"].(*cells.Vanilla), gains: []float32{1, 2}, mode: 3, name: "a"}
		c.next = c // a cycle
		return c
	}
	base, ok := fingerprint(mk())
	if !ok {
		t.Fatal("no fingerprint")
	}
	if again, _ := fingerprint(mk()); again != base {
		t.Fatal("two cells built alike have different fingerprints")
	}
	for name, change := range map[string]func(c *settingsCell){
		"float32": func(c *settingsCell) { c.gains[1] = 2.5 },
		"int":     func(c *settingsCell) { c.mode = 4 },
		"string":  func(c *settingsCell) { c.name = "b" },
		"pointer": func(c *settingsCell) { c.next = mk() },
		"weight":  func(c *settingsCell) { c.Params()[2].Data[1] = math.Nextafter(c.Params()[2].Data[1], 9) },
		"setting": func(c *settingsCell) { c.Act = cells.ReLU },
	} {
		c := mk()
		change(c)
		if fp, ok := fingerprint(c); !ok || fp == base {
			t.Errorf("%s changed: fingerprint unchanged (or none: %v)", name, !ok)
		}
	}
}
