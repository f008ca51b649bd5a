package continuation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/cmplx"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/orbits"
	"github.com/rnnfp/fixedpoints/stability"
	"gonum.org/v1/gonum/mat"
)

// CircleBranch is the branch of invariant circles of the map born at a
// Neimark-Sacker point, with the normal form's first amplitude estimate.
type CircleBranch struct {
	// Lyapunov is the first Lyapunov coefficient of the point (Kuznetsov's
	// d = 1/2 Re(e^{-i theta} <p, C(q,q,conj q) + 2 B(q, (I - A)^{-1}
	// B(q,conj q)) + B(conj q, (e^{2 i theta} I - A)^{-1} B(q,q))>), A = dF/dx,
	// B and C its second and third derivatives (central differences of
	// the Jacobian), q the unit critical eigenvector, <p, q> = 1): in the
	// coordinate z of x = x* + z q + conj(z q) the map turns z by about
	// theta and, to third order, |z| -> |z| (1 + alpha + d |z|^2) with
	// |lambda| = 1 + alpha, so the circle is |z|^2 = -alpha / d. d < 0: the
	// circle attracts (supercritical); d > 0: it repels.
	Lyapunov float64
	// Rate is d|lambda|/ds at the point, along the branch of fixed points.
	Rate float64
	// Side is +1 or -1: the circle exists where -Rate (s - S) / d > 0.
	Side float64
	// S, Circles: the circle at each path parameter, in the order followed
	// (away from the point).
	S       []float64
	Circles []orbits.Circle
	// Amplitude is each circle's largest distance (max norm, over 360
	// angles) from its mean A_0; Estimate is the normal form's first-order
	// amplitude at the same s, 2 sqrt(-Rate (s - S) / d) max_i |q_i|.
	Amplitude, Estimate []float64
	End                 End // PathEnd / PathStart, Budget, StepTooSmall, Joined (the circle shrank onto the fixed point) or Canceled
}

// nsDiff is the step of the central differences of the Jacobian that give
// the second and third derivatives (eps^(1/4): truncation and rounding
// errors of the second difference about equal, ~1e-8 relative).
const nsDiff = 1e-4

// FollowNeimarkSacker follows the invariant circle born at a
// Neimark-Sacker point (Kind NeimarkSacker, from Continue on the map)
// along path. It computes the normal form's first Lyapunov coefficient and
// the rate at which |lambda| crosses 1, hence the side where the circle
// exists and its first-order amplitude; at hopfOffset past the point, on
// that side, it seeds orbits.RefineCircle with the normal form's circle
// x*(s) + 2 r Re(e^{i t theta} q) (t = 0, 1, ...) around the fixed point
// x*(s), and steps on along the path, each circle seeded by the last one
// scaled about its mean by the square-root growth of the amplitude, the
// first step a few offsets long, halved on failure and doubled after a
// success (up to s.MaxStep), until the path's end, s.MaxSteps circles, a
// step below s.MinStep, or the circle shrinking back onto the fixed point.
// cs sets the circles' collocation (nil: defaults).
func FollowNeimarkSacker(ctx context.Context, cell cells.Cell, path Path, ns Bifurcation, s Settings, cs *orbits.CircleSettings) (*CircleBranch, error) {
	if cell == nil || len(path) < 2 {
		return nil, fmt.Errorf("%w: follow Neimark-Sacker: need a cell and a path of two or more inputs", ErrSettings)
	}
	N := cell.StateSize()
	if ns.Kind != NeimarkSacker || len(ns.X) != N || !(imag(ns.Eigenvalue) > 0) {
		return nil, fmt.Errorf("%w: follow Neimark-Sacker: want a Neimark-Sacker point of a cell of %d states", ErrSettings, N)
	}
	L := path.Length()
	s.fill(L, maxAbs(ns.X))
	if err := s.validate(); err != nil {
		return nil, err
	}
	var stats Stats
	e, err := newEvaluator(cell, 5, &stats)
	if err != nil {
		return nil, err
	}
	x0, err := fixedAt(e, ns.X, ns.U)
	if err != nil {
		return nil, fmt.Errorf("continuation: follow Neimark-Sacker: %w", err)
	}
	nf, err := normalForm(e, x0, ns.U, ns.Eigenvalue)
	if err != nil {
		return nil, fmt.Errorf("continuation: follow Neimark-Sacker: %w", err)
	}
	br := &CircleBranch{Lyapunov: nf.d}
	// d|lambda|/ds from the fixed points on either side.
	delta := 1e-4 * math.Max(1, L)
	sl, sh := math.Max(0, ns.S-delta), math.Min(L, ns.S+delta)
	var mods [2]float64
	for k, sv := range []float64{sl, sh} {
		x, err := fixedAt(e, x0, path.At(sv))
		if err != nil {
			return nil, fmt.Errorf("continuation: follow Neimark-Sacker: %w", err)
		}
		lam, err := nearestEigenvalue(e, x, path.At(sv), nf.lambda)
		if err != nil {
			return nil, fmt.Errorf("continuation: follow Neimark-Sacker: %w", err)
		}
		mods[k] = cmplx.Abs(lam)
	}
	br.Rate = (mods[1] - mods[0]) / (sh - sl)
	if !(br.Rate != 0) || !(nf.d != 0) || math.IsInf(br.Rate/nf.d, 0) {
		return nil, fmt.Errorf("continuation: follow Neimark-Sacker: degenerate point (rate %.3g, Lyapunov coefficient %.3g)", br.Rate, nf.d)
	}
	br.Side = math.Copysign(1, -br.Rate/nf.d)
	qmax := 0.0
	for _, v := range nf.q {
		qmax = math.Max(qmax, cmplx.Abs(v))
	}
	radius := func(sv float64) float64 { return math.Sqrt(math.Max(0, -br.Rate*(sv-ns.S)/nf.d)) }
	estimate := func(sv float64) float64 { return 2 * radius(sv) * qmax }

	var st orbits.CircleSettings
	if cs != nil {
		st = *cs
	}
	if st.Harmonics == 0 {
		st.Harmonics = 16
	}
	T := 4 * (2*st.Harmonics + 1) // seed trajectory length (RefineCircle wants >= 2(2M+1))
	theta := cmplx.Phase(nf.lambda)

	off := hopfOffset * math.Max(1, L)
	s1 := ns.S + br.Side*off
	if s1 < 0 || s1 > L {
		return nil, fmt.Errorf("continuation: follow Neimark-Sacker: the circle exists on the %+g side of s = %.6g, beyond the path", br.Side, ns.S)
	}
	xs, err := fixedAt(e, x0, path.At(s1))
	if err != nil {
		return nil, fmt.Errorf("continuation: follow Neimark-Sacker: %w", err)
	}
	seed := make([]float64, 0, T*N)
	r := radius(s1)
	for t := 0; t < T; t++ {
		ph := cmplx.Exp(complex(0, float64(t)*theta))
		for i := range xs {
			seed = append(seed, xs[i]+2*r*real(ph*nf.q[i]))
		}
	}
	c, err := orbits.RefineCircle(ctx, cell, path.At(s1), seed, &st)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("continuation: follow Neimark-Sacker: no circle at s = %.6g: %w", s1, err)
	}
	if a := circleAmplitude(c); !(a > 1e-3*estimate(s1)) {
		return nil, fmt.Errorf("continuation: follow Neimark-Sacker: the circle at s = %.6g shrank onto the fixed point (amplitude %.3g, estimate %.3g)", s1, a, estimate(s1))
	}
	add := func(sv float64, c *orbits.Circle) float64 {
		a := circleAmplitude(c)
		br.S, br.Circles = append(br.S, sv), append(br.Circles, *c)
		br.Amplitude, br.Estimate = append(br.Amplitude, a), append(br.Estimate, estimate(sv))
		return a
	}
	add(s1, c)
	h, sv := math.Min(s.InitialStep, 4*off), s1
	for {
		if ctx.Err() != nil {
			br.End = Canceled
			return br, nil
		}
		if len(br.Circles) >= s.MaxSteps {
			br.End = Budget
			return br, nil
		}
		if h < s.MinStep {
			br.End = StepTooSmall
			return br, nil
		}
		next, end := sv+br.Side*h, End(-1)
		switch {
		case next >= L:
			next, end = L, PathEnd
		case next <= 0:
			next, end = 0, PathStart
		}
		// The last circle, scaled about its mean as the amplitude grows
		// (as the square root of the distance from the point).
		last := &br.Circles[len(br.Circles)-1]
		ratio := math.Sqrt(math.Abs(next-ns.S) / math.Abs(sv-ns.S))
		seed = seed[:0]
		for t := 0; t < T; t++ {
			k := last.At(float64(t) * last.Rotation)
			for i := range k {
				seed = append(seed, last.A[0][i]+ratio*(k[i]-last.A[0][i]))
			}
		}
		c, err := orbits.RefineCircle(ctx, cell, path.At(next), seed, &st)
		if err != nil {
			if ctx.Err() != nil {
				br.End = Canceled
				return br, nil
			}
			if !errors.Is(err, orbits.ErrNotConverged) {
				return nil, fmt.Errorf("continuation: follow Neimark-Sacker: %w", err)
			}
			h /= 2
			continue
		}
		sv = next
		a := add(sv, c)
		switch {
		case end >= 0:
			br.End = end
			return br, nil
		case a < 1e-6:
			br.End = Joined
			return br, nil
		}
		h = math.Min(s.MaxStep, 2*h)
	}
}

// circleAmplitude is max over 360 angles of max_i |K_i(theta) - A_0,i|.
func circleAmplitude(c *orbits.Circle) float64 {
	a := 0.0
	for k := 0; k < 360; k++ {
		a = math.Max(a, distMaxRows(c.At(2*math.Pi*float64(k)/360), c.A[0]))
	}
	return a
}

// fixedAt solves F(x, u) = x by Newton's method from x0 (J - I is
// nonsingular near a Neimark-Sacker point: its critical eigenvalue is
// not 1).
func fixedAt(e *evaluator, x0, u []float64) ([]float64, error) {
	N := e.N
	x := append([]float64(nil), x0...)
	for it := 0; it < 30; it++ {
		for b := 0; b < e.B; b++ {
			e.set(b, x, u)
		}
		if err := e.jacobians(); err != nil {
			return nil, err
		}
		f, j := e.rowF(0), e.rowJx(0)
		a := mat.NewDense(N, N, append([]float64(nil), j...))
		r := mat.NewVecDense(N, nil)
		res := 0.0
		for i := 0; i < N; i++ {
			a.Set(i, i, a.At(i, i)-1)
			r.SetVec(i, f[i]-x[i])
			res = math.Max(res, math.Abs(f[i]-x[i]))
		}
		if res <= 1e-14*math.Max(1, maxAbs(x)) {
			return x, nil
		}
		var d mat.VecDense
		if err := d.SolveVec(a, r); err != nil {
			return nil, fmt.Errorf("fixed point at the input: %w", err)
		}
		for i := range x {
			x[i] -= d.AtVec(i)
		}
	}
	return nil, fmt.Errorf("%w: no fixed point near the Neimark-Sacker point's at the input", ErrSettings)
}

// nearestEigenvalue is the eigenvalue of dF/dx at (x, u) nearest to lam.
func nearestEigenvalue(e *evaluator, x, u []float64, lam complex128) (complex128, error) {
	m, err := criticalMode(e, x, u, lam)
	if err != nil {
		return 0, err
	}
	return m.Value, nil
}

// criticalMode is the mode of dF/dx at (x, u) (with vectors) whose
// eigenvalue is nearest to lam; the Jacobian is left in row 0.
func criticalMode(e *evaluator, x, u []float64, lam complex128) (stability.Mode, error) {
	for b := 0; b < e.B; b++ {
		e.set(b, x, u)
	}
	if err := e.jacobians(); err != nil {
		return stability.Mode{}, err
	}
	modes, err := stability.FullModes(e.N, e.rowJx(0), true)
	if err != nil {
		return stability.Mode{}, err
	}
	best := 0
	for k := range modes {
		if cmplx.Abs(modes[k].Value-lam) < cmplx.Abs(modes[best].Value-lam) {
			best = k
		}
	}
	return modes[best], nil
}

// nsForm is a Neimark-Sacker point's normal form: its critical eigenvalue,
// unit eigenvector q and first Lyapunov coefficient d.
type nsForm struct {
	lambda complex128
	q      []complex128
	d      float64
}

// normalForm computes Kuznetsov's first Lyapunov coefficient of the map at
// the fixed point x (input u) whose critical eigenvalue is near lam. With
// q = a + i b, the Jacobians at x, x +- h a and x +- h b give
// B(v, w) = (J(x + h v) - J(x - h v)) w / 2h and C(v, v, w) = (J(x + h v) -
// 2 J(x) + J(x - h v)) w / h^2 for v = a, b; by symmetry C(q, q, conj q) =
// (C(a,a,.) + C(b,b,.)) q.
func normalForm(e *evaluator, x, u []float64, lam complex128) (*nsForm, error) {
	N := e.N
	m, err := criticalMode(e, x, u, lam)
	if err != nil {
		return nil, err
	}
	if !(imag(m.Value) != 0) {
		return nil, fmt.Errorf("the critical eigenvalue %v is real", m.Value)
	}
	if imag(m.Value) < 0 {
		// The member of the pair with Im > 0: conjugate vectors.
		m.Value = cmplx.Conj(m.Value)
		for i := range m.Right {
			m.Right[i], m.Left[i] = cmplx.Conj(m.Right[i]), cmplx.Conj(m.Left[i])
		}
	}
	A := append([]float64(nil), e.rowJx(0)...)
	q := m.Right
	// p with <p, q> = p^H q = 1: the left vector l (l^H A = lambda l^H)
	// scaled by 1 / conj(l^H q).
	lq := complex(0, 0)
	for i := range q {
		lq += cmplx.Conj(m.Left[i]) * q[i]
	}
	if lq == 0 {
		return nil, fmt.Errorf("left and right critical eigenvectors are orthogonal")
	}
	p := make([]complex128, N)
	for i := range p {
		p[i] = m.Left[i] / cmplx.Conj(lq)
	}
	a, b := make([]float64, N), make([]float64, N)
	for i, v := range q {
		a[i], b[i] = real(v), imag(v)
	}
	h := nsDiff * math.Max(1, maxAbs(x))
	for k, dir := range [][]float64{a, a, b, b} {
		sg := []float64{1, -1, 1, -1}[k]
		y := make([]float64, N)
		for i := range y {
			y[i] = x[i] + sg*h*dir[i]
		}
		e.set(k+1, y, u)
	}
	e.set(0, x, u)
	if err := e.jacobians(); err != nil {
		return nil, err
	}
	J0, Jap, Jam, Jbp, Jbm := e.rowJx(0), e.rowJx(1), e.rowJx(2), e.rowJx(3), e.rowJx(4)
	// Real bilinear and trilinear forms applied to a complex vector w.
	apply := func(f func(i, k int) float64, w []complex128) []complex128 {
		out := make([]complex128, N)
		for i := 0; i < N; i++ {
			var s complex128
			for k := 0; k < N; k++ {
				s += complex(f(i, k), 0) * w[k]
			}
			out[i] = s
		}
		return out
	}
	Bv := func(jp, jm []float64) func(i, k int) float64 {
		return func(i, k int) float64 { return (jp[i*N+k] - jm[i*N+k]) / (2 * h) }
	}
	Ba, Bb := Bv(Jap, Jam), Bv(Jbp, Jbm)
	Cab := func(i, k int) float64 {
		return (Jap[i*N+k] - 2*J0[i*N+k] + Jam[i*N+k] + Jbp[i*N+k] - 2*J0[i*N+k] + Jbm[i*N+k]) / (h * h)
	}
	// B(q, w) = B(a, w) + i B(b, w); B(conj q, w) = B(a, w) - i B(b, w).
	Bq := func(w []complex128, sign float64) []complex128 {
		u, v := apply(Ba, w), apply(Bb, w)
		for i := range u {
			u[i] += complex(0, sign) * v[i]
		}
		return u
	}
	qbar := make([]complex128, N)
	for i := range q {
		qbar[i] = cmplx.Conj(q[i])
	}
	Bqq, Bqqbar := Bq(q, 1), Bq(qbar, 1)
	Cqqq := apply(Cab, q)
	w1, err := solveShifted(A, 1, Bqqbar, N)
	if err != nil {
		return nil, err
	}
	lam2 := m.Value * m.Value / complex(cmplx.Abs(m.Value)*cmplx.Abs(m.Value), 0) // e^{2 i theta}
	w2, err := solveShifted(A, lam2, Bqq, N)
	if err != nil {
		return nil, err
	}
	t1, t2 := Bq(w1, 1), Bq(w2, -1)
	var g complex128
	for i := range p {
		g += cmplx.Conj(p[i]) * (Cqqq[i] + 2*t1[i] + t2[i])
	}
	unit := m.Value / complex(cmplx.Abs(m.Value), 0)
	return &nsForm{lambda: m.Value, q: q, d: 0.5 * real(cmplx.Conj(unit)*g)}, nil
}

// solveShifted solves (z I - A) w = r for the real N x N matrix A, as the
// real system of twice the size.
func solveShifted(A []float64, z complex128, r []complex128, N int) ([]complex128, error) {
	m := mat.NewDense(2*N, 2*N, nil)
	rhs := mat.NewVecDense(2*N, nil)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			m.Set(i, k, -A[i*N+k])
			m.Set(N+i, N+k, -A[i*N+k])
		}
		m.Set(i, i, m.At(i, i)+real(z))
		m.Set(N+i, N+i, m.At(N+i, N+i)+real(z))
		m.Set(i, N+i, -imag(z))
		m.Set(N+i, i, imag(z))
		rhs.SetVec(i, real(r[i]))
		rhs.SetVec(N+i, imag(r[i]))
	}
	var w mat.VecDense
	if err := w.SolveVec(m, rhs); err != nil {
		return nil, fmt.Errorf("normal form: (z I - A) w = r at z = %v: %w", z, err)
	}
	out := make([]complex128, N)
	for i := range out {
		out[i] = complex(w.AtVec(i), w.AtVec(N+i))
	}
	return out, nil
}
