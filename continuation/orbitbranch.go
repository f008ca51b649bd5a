package continuation

import (
	"context"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/orbits"
	"gonum.org/v1/gonum/mat"
)

// OrbitPoint is one point of a branch of period-k orbits.
type OrbitPoint struct {
	S      float64     // the path parameter
	U      []float64   // u(S)
	Points [][]float64 // the orbit x_0 .. x_{k-1}: F(x_j, u) = x_{j+1}, F(x_{k-1}, u) = x_0
	// Residual is max_j max_i |F_i(x_j, u) - x_{j+1,i}|.
	Residual float64
	// Floquet holds the orbit's multipliers with their bounds and classes
	// (orbits.Refine at u(S)); NUnstable, NUndecided and Stable as there.
	Floquet               []orbits.Multiplier
	NUnstable, NUndecided int
	Stable                bool
}

// OrbitBranch is a curve of period-k orbits along the path.
type OrbitBranch struct {
	Period int
	Points []OrbitPoint
	End    End // why the last point is the last; Joined: the orbit shrank onto a fixed point (another flip)
	Steps  int
}

// flipAmplitude is the half-distance of the two points of the first orbit
// of a branch switched onto at a flip, relative to max(1, max|x|): small,
// so that the first point lies near the flip, and far above the
// tolerances, so that the two points are distinct.
const flipAmplitude = 1e-4

// FollowFlip follows the period-2 branch born at a flip bifurcation
// (Kind Flip, e.g. one of Continue's Result.Bifurcations) of cell along
// path, by pseudo-arclength continuation of the multiple-shooting system
//
//	F(x_0, u(s)) - x_1 = 0,   F(x_1, u(s)) - x_0 = 0
//
// in (x_0, x_1, s). At the flip (x_f, s_f) with critical eigenvector v the
// doubled system has a pitchfork: the period-2 branch leaves it in the
// direction (v, -v). The first point solves the system with the amplitude
// fixed, (x_0 - x_1) . v = 2 eps (eps = flipAmplitude max(1, max|x_f|)),
// and s free; from there the branch is followed, its direction chosen so
// that the amplitude first grows, until it reaches an end of the path, its
// orbit shrinks back onto a fixed point (End Joined: another flip), it
// leaves the bounding box or the step budget is spent. Each point's
// Floquet multipliers are classified by orbits.Refine. Steps are measured
// as Continue's (||dx||^2/(2N) + ds^2) and s carries Continue's settings
// (MaxStep, MinStep, MaxSteps, Bound, TolResidual, MaxCorrector, MaxTurn).
func FollowFlip(ctx context.Context, cell cells.Cell, path Path, flip Bifurcation, s Settings) (*OrbitBranch, error) {
	if cell == nil || len(path) < 2 {
		return nil, fmt.Errorf("%w: follow flip: need a cell and a path of two or more inputs", ErrSettings)
	}
	N, M := cell.StateSize(), cell.InputSize()
	if flip.Kind != Flip || len(flip.X) != N || len(flip.Vector) != N {
		return nil, fmt.Errorf("%w: follow flip: want a flip of a cell of %d states, got a %v with %d states", ErrSettings, N, flip.Kind, len(flip.X))
	}
	for _, u := range path {
		if len(u) != M {
			return nil, fmt.Errorf("%w: follow flip: path input of %d values, want %d", ErrSettings, len(u), M)
		}
	}
	L := path.Length()
	s.fill(L, maxAbs(flip.X))
	if err := s.validate(); err != nil {
		return nil, err
	}
	if 2*N+1 > 1024 {
		return nil, fmt.Errorf("%w: follow flip: %d states, dense branch switching supports at most 511", ErrSettings, N)
	}
	var stats Stats
	ev, err := newEvaluator(cell, 2, &stats)
	if err != nil {
		return nil, err
	}
	ob := &orbitRun{cell: cell, ev: ev, path: path, N: N, M: M, k: 2, s: s, L: L}
	v := make([]float64, N)
	for i, z := range flip.Vector {
		v[i] = real(z)
	}
	vn := math.Sqrt(dot(v, v))
	if vn == 0 {
		return nil, fmt.Errorf("%w: follow flip: the flip's eigenvector has no real part", ErrSettings)
	}
	for i := range v {
		v[i] /= vn
	}
	eps := flipAmplitude * math.Max(1, maxAbs(flip.X))
	y := make([]float64, 2*N+1)
	for i := 0; i < N; i++ {
		y[i], y[N+i] = flip.X[i]+eps*v[i], flip.X[i]-eps*v[i]
	}
	y[2*N] = flip.S
	// The amplitude condition as the extra row: (x_0 - x_1) . v = 2 eps.
	row := make([]float64, 2*N+1)
	for i := 0; i < N; i++ {
		row[i], row[N+i] = v[i], -v[i]
	}
	if _, err := ob.correct(y, row, 2*eps); err != nil {
		return nil, fmt.Errorf("continuation: follow flip: switching onto the period-2 branch: %w", err)
	}
	t, err := ob.tangent(y)
	if err != nil {
		return nil, fmt.Errorf("continuation: follow flip: %w", err)
	}
	if dot(t, row) < 0 {
		scale(t, -1)
	}
	br := &OrbitBranch{Period: 2}
	if err := ob.add(ctx, br, y); err != nil {
		return nil, err
	}
	h := s.InitialStep
	for {
		if err := ctx.Err(); err != nil {
			br.End = Canceled
			return br, nil
		}
		if br.Steps >= s.MaxSteps {
			br.End = Budget
			return br, nil
		}
		if h < s.MinStep {
			br.End = StepTooSmall
			return br, nil
		}
		yp := append([]float64(nil), y...)
		for i := range yp {
			yp[i] += h * t[i] / math.Sqrt(ob.weight(i))
		}
		// Past an end of the path: land on it (s fixed) and stop.
		end, sEnd := End(-1), 0.0
		switch {
		case yp[2*N] > L:
			end, sEnd = PathEnd, L
		case yp[2*N] < 0:
			end, sEnd = PathStart, 0
		}
		var its int
		if end >= 0 {
			yp[2*N] = sEnd
			sRow := make([]float64, 2*N+1)
			sRow[2*N] = 1
			its, err = ob.correct(yp, sRow, sEnd)
		} else {
			// Pseudo-arclength in the scaled coordinates z_i = sqrt(w_i) y_i:
			// t . (z - z_p) = 0.
			wt := make([]float64, len(t))
			for i := range t {
				wt[i] = t[i] * math.Sqrt(ob.weight(i))
			}
			its, err = ob.correct(yp, wt, dot(wt, yp))
		}
		if err != nil {
			h /= 2
			continue
		}
		tn, err := ob.tangent(yp)
		if err != nil {
			h /= 2
			continue
		}
		if ob.wdot(tn, t) < 0 {
			scale(tn, -1)
		}
		if math.Acos(math.Max(-1, math.Min(1, ob.wdot(tn, t)))) > s.MaxTurn && end < 0 {
			h /= 2
			continue
		}
		y, t = yp, tn
		br.Steps++
		if err := ob.add(ctx, br, y); err != nil {
			return nil, err
		}
		switch {
		case end >= 0:
			br.End = end
			return br, nil
		case maxAbs(y[:2*N]) > s.Bound:
			br.End = LeftRegion
			return br, nil
		case distMaxRows(y[:N], y[N:2*N]) < 0.1*eps:
			br.End = Joined
			return br, nil
		}
		if its <= 3 {
			h = math.Min(s.MaxStep, 1.5*h)
		}
	}
}

// orbitRun is the working state of FollowFlip.
type orbitRun struct {
	cell    cells.Cell
	ev      *evaluator
	path    Path
	N, M, k int
	s       Settings
	L       float64
}

// weight is the metric of the step norm: 1/(kN) on the states, 1 on s.
// The continuation works in z_i = sqrt(weight(i)) y_i, where the norm is
// Euclidean.
func (ob *orbitRun) weight(i int) float64 {
	if i == ob.k*ob.N {
		return 1
	}
	return 1 / float64(ob.k*ob.N)
}

// wdot is the weighted inner product of two tangents in the step norm's
// coordinates (already scaled, see tangent).
func (ob *orbitRun) wdot(a, b []float64) float64 { return dot(a, b) }

// system evaluates H(y) (kN) and its Jacobian (kN x (kN+1)) at y.
func (ob *orbitRun) system(y []float64) (h []float64, dh *mat.Dense, err error) {
	N, M, k := ob.N, ob.M, ob.k
	sv := y[k*N]
	u := make([]float64, M)
	seg := ob.path.at(math.Max(0, math.Min(ob.L, sv)), u)
	dir := ob.path.direction(seg)
	for j := 0; j < k; j++ {
		ob.ev.set(j, y[j*N:(j+1)*N], u)
	}
	if err := ob.ev.jacobians(); err != nil {
		return nil, nil, err
	}
	h = make([]float64, k*N)
	dh = mat.NewDense(k*N, k*N+1, nil)
	for j := 0; j < k; j++ {
		next := (j + 1) % k
		f, jx, ju := ob.ev.rowF(j), ob.ev.rowJx(j), ob.ev.rowJu(j)
		for i := 0; i < N; i++ {
			h[j*N+i] = f[i] - y[next*N+i]
			for c := 0; c < N; c++ {
				dh.Set(j*N+i, j*N+c, jx[i*N+c])
			}
			dh.Set(j*N+i, next*N+i, dh.At(j*N+i, next*N+i)-1)
			du := 0.0
			for c := 0; c < M; c++ {
				du += ju[i*M+c] * dir[c]
			}
			dh.Set(j*N+i, k*N, du)
		}
	}
	return h, dh, nil
}

// correct solves H(y) = 0, row . y = rhs by Newton's method from y (in
// place) and returns the iterations taken.
func (ob *orbitRun) correct(y, row []float64, rhs float64) (int, error) {
	n := len(y)
	for it := 0; it <= ob.s.MaxCorrector; it++ {
		h, dh, err := ob.system(y)
		if err != nil {
			return it, err
		}
		g := append(h, dot(row, y)-rhs)
		if maxAbs(h) <= ob.s.TolResidual && math.Abs(g[n-1]) <= ob.s.TolResidual {
			return it, nil
		}
		if it == ob.s.MaxCorrector {
			break
		}
		a := mat.NewDense(n, n, nil)
		a.Slice(0, n-1, 0, n).(*mat.Dense).Copy(dh)
		a.SetRow(n-1, row)
		for i := range g {
			g[i] = -g[i]
		}
		var d mat.VecDense
		if err := d.SolveVec(a, mat.NewVecDense(n, g)); err != nil {
			return it, fmt.Errorf("corrector: %w", err)
		}
		for i := range y {
			y[i] += d.AtVec(i)
		}
		if math.IsNaN(maxAbs(y)) {
			return it, fmt.Errorf("corrector diverged")
		}
	}
	return ob.s.MaxCorrector, fmt.Errorf("corrector did not converge in %d iterations", ob.s.MaxCorrector)
}

// tangent returns the unit null vector of DH(y) in the step norm's
// coordinates (component i scaled by sqrt(weight(i))), from the SVD.
func (ob *orbitRun) tangent(y []float64) ([]float64, error) {
	_, dh, err := ob.system(y)
	if err != nil {
		return nil, err
	}
	r, c := dh.Dims()
	// In scaled coordinates z_i = sqrt(w_i) y_i the Jacobian's columns are
	// divided by sqrt(w_i).
	a := mat.NewDense(r, c, nil)
	for j := 0; j < c; j++ {
		sw := math.Sqrt(ob.weight(j))
		for i := 0; i < r; i++ {
			a.Set(i, j, dh.At(i, j)/sw)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDFull) {
		return nil, fmt.Errorf("SVD of the branch's Jacobian did not converge")
	}
	var v mat.Dense
	svd.VTo(&v)
	t := make([]float64, c)
	for i := range t {
		t[i] = v.At(i, c-1)
	}
	return t, nil
}

// add appends the orbit at y to br, with its multipliers from orbits.Refine.
func (ob *orbitRun) add(ctx context.Context, br *OrbitBranch, y []float64) error {
	N, k := ob.N, ob.k
	sv := y[k*N]
	u := ob.path.At(sv)
	pts := make([][]float64, k)
	for j := range pts {
		pts[j] = append([]float64(nil), y[j*N:(j+1)*N]...)
	}
	h, _, err := ob.system(y)
	if err != nil {
		return err
	}
	p := OrbitPoint{S: sv, U: u, Points: pts, Residual: maxAbs(h)}
	os := orbits.DefaultSettings()
	os.TolResidual = math.Max(os.TolResidual, ob.s.TolResidual)
	o, err := orbits.Refine(ctx, ob.cell, u, pts, &os)
	if err != nil {
		return fmt.Errorf("continuation: follow flip: multipliers at s = %.6g: %w", sv, err)
	}
	p.Floquet, p.NUnstable, p.NUndecided, p.Stable = o.Floquet, o.NUnstable, o.NUndecided, o.Stable
	br.Points = append(br.Points, p)
	return nil
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func scale(a []float64, c float64) {
	for i := range a {
		a[i] *= c
	}
}

func distMaxRows(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}
