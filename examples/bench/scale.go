package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/graph"
	"github.com/rnnfp/fixedpoints/internal/blasuse"
	"github.com/rnnfp/fixedpoints/internal/heappeak"
	"github.com/rnnfp/fixedpoints/tasks"
	"gonum.org/v1/gonum/mat"
)

// The scale benchmarks (-scale): networks of 128 to 2048 units, opt-in
// because the large ones take minutes.

// scaleRun is one timed search with its peak heap.
type scaleRun struct {
	res  *finder.Result
	time time.Duration
	peak uint64 // largest heap of live and not yet collected objects, bytes
}

// runPeak runs Find, sampling the heap (runtime/metrics) every 5 ms.
func runPeak(ctx context.Context, p finder.Problem, s *finder.Settings) (scaleRun, error) {
	var res *finder.Result
	var err error
	var el time.Duration
	_, peak := heappeak.Measure(5*time.Millisecond, func() {
		t0 := time.Now()
		res, err = finder.Find(ctx, p, s)
		el = time.Since(t0)
	})
	return scaleRun{res: res, time: el, peak: peak}, err
}

func refinerName(r finder.Refiner) string {
	switch r {
	case finder.DenseLM:
		return "dense LM"
	case finder.NewtonKrylov:
		return "Newton-Krylov"
	}
	return "auto"
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }
func mib(b uint64) string         { return fmt.Sprintf("%.0f", float64(b)/(1<<20)) }

// gru128Problem loads the PyTorch-trained flip-flop GRU-128 and samples 1024
// initial states (noise 0.5) from its trajectories under 128 fresh trials.
func gru128Problem(ctx context.Context, root string) (finder.Problem, error) {
	cell, err := cells.LoadTorchCell(filepath.Join(root, "finder", "testdata", "flipflop-gru128.npz"), "gru", cells.AutoPrefix)
	if err != nil {
		return finder.Problem{}, fmt.Errorf("%w (run from the repository root or set -root)", err)
	}
	return sampledProblem(ctx, cell)
}

// sampledProblem samples 1024 initial states (noise 0.5) from the cell's
// trajectories under 128 flip-flop trials, zero input.
func sampledProblem(ctx context.Context, cell cells.Cell) (finder.Problem, error) {
	M := cell.InputSize()
	trials, err := tasks.FlipFlop{Bits: max(M, 1)}.Generate(128, seed+1000)
	if err != nil {
		return finder.Problem{}, err
	}
	states, err := graph.Simulate(ctx, cell, nil, trials.Inputs, trials.Trials, trials.Time, graph.Float64)
	if err != nil {
		return finder.Problem{}, err
	}
	N := cell.StateSize()
	traj := finder.Trajectories{States: states, Trials: trials.Trials, Time: trials.Time, N: N}
	smp, err := finder.SampleStates(traj, 1024, 0.5, seed)
	if err != nil {
		return finder.Problem{}, err
	}
	return finder.Problem{Cell: cell, InitialStates: smp.States, Inputs: make([]float64, M), Trajectories: &traj}, nil
}

// gru128Table runs the flip-flop GRU-128 with default settings and, with
// -scale-dense, with dense LM forced.
func gru128Table(ctx context.Context, w io.Writer, o options) error {
	p, err := gru128Problem(ctx, o.root)
	if err != nil {
		return err
	}
	tableHead(w, "Flip-flop GRU-128 (trained in PyTorch), 1024 initial states", "",
		"refiner", "total s:", "search s:", "refine s:", "slow descent s:", "linearize s:", "completion s:", "peak heap MiB:", "certified candidates:", "fixed points:", "by saddle index", "slow points:", "slow-region candidates:", "unconverged candidates:", "load")
	refs := []finder.Refiner{finder.AutoRefiner}
	if o.scaleDense {
		refs = append(refs, finder.DenseLM)
	}
	for _, r := range refs {
		run, err := runPeak(ctx, p, &finder.Settings{Seed: seed, Refiner: r})
		if err != nil {
			return err
		}
		st := run.res.Stats
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %d of %d | %d | %s | %d | %d | %d | %s |\n", refinerName(r), secs(run.time), secs(st.SearchTime),
			secs(st.RefineTime), secs(st.SlowTime), secs(st.LinearizeTime), secs(st.CompleteTime), mib(run.peak), st.Certified, st.Candidates, run.res.Fixed.Len(),
			saddleCounts(run.res.Fixed), run.res.Slow.Len(), st.SlowRegions, st.Unconverged, loadAverage())
	}
	fmt.Fprintln(w)
	return nil
}

func saddleCounts(fp *finder.FixedPoints) string {
	c := fp.CountBySaddleIndex()
	var parts []string
	for k := 0; k <= fp.N; k++ {
		if n, ok := c[k]; ok {
			parts = append(parts, fmt.Sprintf("%d: %d", k, n))
		}
	}
	return strings.Join(parts, ", ")
}

// plantedCell is tanh(W x) with W = atanh(V) V^-1, whose fixed points include
// 0 and the columns of V and their negatives (W v_k = atanh(v_k)). V is
// 0.9 I plus uniform entries in +/-0.5/sqrt(N): the planted points are
// well separated and J - I is well conditioned there. (With V uniform in
// +/-0.9, as the battery's N = 64 network, the Jacobians' spectra surround
// 1 and GMRES needs about N steps: that case is in the crossover table.)
func plantedCell(N int, uniform bool, s uint64) (cells.Cell, *mat.Dense, error) {
	r := rand.New(rand.NewPCG(s, s+1))
	V := mat.NewDense(N, N, nil)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			v := 0.5 / math.Sqrt(float64(N)) * (2*r.Float64() - 1)
			if uniform {
				v = 0.9 * (2*r.Float64() - 1)
			} else if i == k {
				v += 0.9
			}
			V.Set(i, k, v)
		}
	}
	// W V = atanh(V)  <=>  V^T W^T = atanh(V)^T.
	A := mat.NewDense(N, N, nil)
	A.Apply(func(i, k int, v float64) float64 { return math.Atanh(v) }, V)
	var Wt mat.Dense
	if err := Wt.Solve(V.T(), A.T()); err != nil {
		return nil, nil, err
	}
	c := cells.NewVanilla(N, 0, cells.Tanh)
	// The recurrent weight is stored transposed (a batch step is X W^T):
	// Whh_T[k][i] = W[i][k] = Wt[k][i].
	for _, p := range c.Params() {
		if strings.HasPrefix(p.Name, "w_hh") {
			for k := 0; k < N; k++ {
				for i := 0; i < N; i++ {
					p.Data[k*N+i] = Wt.At(k, i)
				}
			}
		}
	}
	return c, V, nil
}

// plantedProblem starts 1024 candidates within 1e-4 of the planted points
// 0, v_1, -v_1, v_2, ... in turn; it returns the points that got a start.
func plantedProblem(N int, uniform bool) (finder.Problem, [][]float64, error) {
	cell, V, err := plantedCell(N, uniform, 7)
	if err != nil {
		return finder.Problem{}, nil, err
	}
	r := rand.New(rand.NewPCG(8, 9))
	var planted [][]float64
	planted = append(planted, make([]float64, N))
	for k := 0; k < N && len(planted) < 1024; k++ {
		v, nv := make([]float64, N), make([]float64, N)
		for i := range v {
			v[i], nv[i] = V.At(i, k), -V.At(i, k)
		}
		planted = append(planted, v, nv)
	}
	planted = planted[:min(len(planted), 1024)]
	starts := make([]float64, 0, 1024*N)
	for b := 0; b < 1024; b++ {
		for _, x := range planted[b%len(planted)] {
			starts = append(starts, x+1e-4*r.NormFloat64())
		}
	}
	return finder.Problem{Cell: cell, InitialStates: starts}, planted, nil
}

// recalled counts the planted points within 1e-8 of a certified point.
func recalled(fp *finder.FixedPoints, planted [][]float64) int {
	n := 0
	for _, x := range planted {
		if len(fp.Find(x, nil, 1e-8)) == 1 {
			n++
		}
	}
	return n
}

// plantedTable runs the planted tanh networks at each size: 1024 starts,
// certification and recall; linearization off (1024 Jacobians at N = 1024
// are 8 GiB and N vector-Jacobian passes each).
func plantedTable(ctx context.Context, w io.Writer, o options) error {
	tableHead(w, "Planted points, tanh RNN, 1024 initial states within 1e-4 of them",
		"V = 0.9 I + U(+/-0.5/sqrt(N)), W = atanh(V) V^-1; `finder.Find` defaults with NoJacobians and NoComplete (the completion stage seeks points beyond the starts). Recalled: planted points (of those given a start) certified to 1e-8.",
		"N:", "refiner", "total s:", "search s:", "refine s:", "peak heap MiB:", "certified candidates:", "recalled:", "load")
	for _, N := range o.scaleN {
		p, planted, err := plantedProblem(N, false)
		if err != nil {
			return err
		}
		run, err := runPeak(ctx, p, &finder.Settings{Seed: seed, NoJacobians: true, NoComplete: true})
		if err != nil {
			return err
		}
		st := run.res.Stats
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %d of %d | %d of %d | %s |\n", N, refinerName(finder.AutoRefiner), secs(run.time), secs(st.SearchTime), secs(st.RefineTime),
			mib(run.peak), st.Certified, st.Candidates, recalled(run.res.Fixed, planted), len(planted), loadAverage())
	}
	fmt.Fprintln(w)
	return nil
}

// randomTable runs randomly initialized (PyTorch's default) GRU and LSTM
// cells of each size from 1024 states sampled from their flip-flop
// trajectories, default settings: time, memory, fraction certified.
func randomTable(ctx context.Context, w io.Writer, o options) error {
	tableHead(w, "Randomly initialized GRU and LSTM (PyTorch's initialization), 1024 sampled initial states", "",
		"cell", "hidden:", "N:", "total s:", "search s:", "refine s:", "linearize s:", "completion s:", "peak heap MiB:", "certified candidates:", "fixed points:", "load")
	for _, kind := range o.scaleCells {
		for _, H := range o.scaleN {
			if kind == "lstm" && H > 1024 {
				continue
			}
			cell, err := cells.NewTorchCell(kind, H, 3)
			if err != nil {
				return err
			}
			cell.(interface{ InitUniform(uint64) }).InitUniform(uint64(H))
			p, err := sampledProblem(ctx, cell)
			if err != nil {
				return err
			}
			run, err := runPeak(ctx, p, &finder.Settings{Seed: seed})
			if err != nil {
				return err
			}
			st := run.res.Stats
			fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %d of %d | %d | %s |\n", kind, H, cell.StateSize(), secs(run.time), secs(st.SearchTime), secs(st.RefineTime),
				secs(st.LinearizeTime), secs(st.CompleteTime), mib(run.peak), st.Certified, st.Candidates, run.res.Fixed.Len(), loadAverage())
		}
	}
	fmt.Fprintln(w)
	return nil
}

// crossoverTable times the refinement alone (NoComplete, NoJacobians) by
// dense LM and by Newton-Krylov on 256 starts of the planted networks (both
// V families) and on the flip-flop GRU-128.
func crossoverTable(ctx context.Context, w io.Writer, o options) error {
	tableHead(w, "Dense LM against Newton-Krylov (refinement only, 256 starts)", "",
		"network", "N:", "dense LM s:", "Newton-Krylov s:", "dense certified:", "Newton-Krylov certified:", "handed to dense:", "load")
	type row struct {
		name    string
		N       int
		uniform bool
	}
	var rows []row
	for _, N := range o.crossN {
		rows = append(rows, row{"planted, V = 0.9 I + noise", N, false})
	}
	for _, N := range o.crossN {
		if N <= 128 {
			rows = append(rows, row{"planted, V uniform +/-0.9", N, true})
		}
	}
	for _, rw := range rows {
		p, _, err := plantedProblem(rw.N, rw.uniform)
		if err != nil {
			return err
		}
		p.InitialStates = p.InitialStates[:256*rw.N]
		var t [2]time.Duration
		var res [2]*finder.Result
		for i, r := range []finder.Refiner{finder.DenseLM, finder.NewtonKrylov} {
			run, err := runPeak(ctx, p, &finder.Settings{Seed: seed, Refiner: r, NoComplete: true, NoJacobians: true})
			if err != nil {
				return err
			}
			t[i], res[i] = run.res.Stats.RefineTime, run.res
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %d | %d | %d | %s |\n", rw.name, rw.N, secs(t[0]), secs(t[1]), res[0].Stats.Certified, res[1].Stats.Certified, res[1].Stats.DenseFallbacks, loadAverage())
	}
	fmt.Fprintln(w)
	return nil
}

// precisionTable compares the first-order search in float64 and in float32
// (SearchFloat32; refinement and certificate in float64) on the flip-flop
// GRU-128 and the planted networks of the largest -cross-n size.
func precisionTable(ctx context.Context, w io.Writer, o options) error {
	tableHead(w, "First-order search in float32 (SearchFloat32), certification in float64", "",
		"network", "search", "total s:", "search s:", "refine s:", "certified candidates:", "fixed points:", "load")
	type row struct {
		name string
		p    finder.Problem
	}
	var rows []row
	p, err := gru128Problem(ctx, o.root)
	if err != nil {
		return err
	}
	rows = append(rows, row{"flip-flop GRU-128", p})
	for _, N := range o.crossN[max(0, len(o.crossN)-1):] {
		pp, _, err := plantedProblem(N, false)
		if err != nil {
			return err
		}
		// Starts farther out (0.05) so that the search has work to do.
		r := rand.New(rand.NewPCG(3, 3))
		for i := range pp.InitialStates {
			pp.InitialStates[i] += 0.05 * r.NormFloat64()
		}
		rows = append(rows, row{fmt.Sprintf("planted tanh N=%d, starts 0.05 away", N), pp})
	}
	for _, rw := range rows {
		for _, f32 := range []bool{false, true} {
			run, err := runPeak(ctx, rw.p, &finder.Settings{Seed: seed, SearchFloat32: f32, NoComplete: true, NoJacobians: true})
			if err != nil {
				return err
			}
			st := run.res.Stats
			name := map[bool]string{false: "float64", true: "float32"}[f32]
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d of %d | %d | %s |\n", rw.name, name, secs(run.time), secs(st.SearchTime), secs(st.RefineTime),
				st.Certified, st.Candidates, run.res.Fixed.Len(), loadAverage())
		}
	}
	fmt.Fprintln(w)
	return nil
}

// scaleTables runs the scale benchmarks.
func scaleTables(ctx context.Context, w io.Writer, o options) error {
	fmt.Fprintf(w, "## Scale\n\nMachine: %s, %d logical CPUs, %s, BLAS: %s. Load average before: %s.\n\n", cpuModel(), runtime.NumCPU(), runtime.Version(), blasuse.Name(), loadAverage())
	tables := []func(context.Context, io.Writer, options) error{gru128Table, crossoverTable, precisionTable, plantedTable}
	if len(o.scaleCells) > 0 {
		tables = append(tables, randomTable)
	}
	for _, f := range tables {
		if err := f(ctx, w, o); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "Load average after: %s.\n", loadAverage())
	return nil
}

// parseSizes reads a comma-separated list of positive sizes.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad size %q in %q", f, s)
		}
		out = append(out, n)
	}
	return out, nil
}
