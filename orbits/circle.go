package orbits

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/rnnfp/fixedpoints/cells"
	"gonum.org/v1/gonum/mat"
)

// Circle is an invariant circle of the map x -> F(x, u) on which F acts as
// a rotation: F(K(theta)) = K(theta + Rotation), with
//
//	K(theta) = A_0 + sum_{m=1..Harmonics} (A_m cos(m theta) + B_m sin(m theta)).
//
// A network that produces an oscillation sin(omega t) runs on such a circle
// with Rotation = omega (per step); it is a periodic orbit only when
// omega / 2pi is rational, so Find does not see it.
type Circle struct {
	Rotation  float64     // the rotation angle per step, in (0, pi] (radians; the frequency in cycles per step is Rotation / 2pi)
	Harmonics int         // M
	A, B      [][]float64 // A[m], B[m] (m = 0..M; B[0] is zero), each N values
	U         []float64
	// Residual is max |F(K(theta_j)) - K(theta_j + Rotation)| over the
	// 2M+1 collocation angles theta_j = 2 pi j / (2M+1).
	Residual float64
	// Check is the same residual at 4(2M+1) angles between the collocation
	// angles: small only when M harmonics represent the circle.
	Check float64
	// Exponents are the Lyapunov exponents of the map along the circle,
	// largest first, per step: time averages of log growth over
	// ExponentSteps steps of theta -> theta + Rotation (Jacobians at
	// K(theta), QR-orthonormalized). One is about 0 (along the circle);
	// the circle attracts when the others are negative. They are
	// estimates (their error falls as 1/ExponentSteps), not bounds, and no
	// stability label rests on them.
	Exponents []float64
}

// ExponentSteps is how many steps along a circle average its exponents.
const ExponentSteps = 2048

// At returns K(theta).
func (c *Circle) At(theta float64) []float64 {
	x := append([]float64(nil), c.A[0]...)
	for m := 1; m <= c.Harmonics; m++ {
		cm, sm := math.Cos(float64(m)*theta), math.Sin(float64(m)*theta)
		for i := range x {
			x[i] += c.A[m][i]*cm + c.B[m][i]*sm
		}
	}
	return x
}

// CircleSettings configures RefineCircle. A zero field takes the default in
// its comment.
type CircleSettings struct {
	Harmonics      int     // 16
	MaxNewtonIters int     // 30
	TolResidual    float64 // 1e-10 on the collocation residual
}

func (s *CircleSettings) fill() {
	if s.Harmonics == 0 {
		s.Harmonics = 16
	}
	if s.MaxNewtonIters == 0 {
		s.MaxNewtonIters = 30
	}
	if s.TolResidual == 0 {
		s.TolResidual = 1e-10
	}
}

// RefineCircle finds the invariant circle that the trajectory x_0, x_1,
// ... (T x N states of the map at input u, row-major, taken after any
// transient: on or near the circle) runs on. The rotation is estimated
// from the angle the trajectory turns per step in the plane of its two
// largest principal components, the circle's Fourier coefficients fitted
// to the trajectory by least squares, and both refined by Newton's method
// on the collocation equations F(K(theta_j)) = K(theta_j + Rotation) at
// 2M+1 angles with the phase condition (K - K_seed) . dK_seed/dtheta = 0
// summed over the angles. The error wraps ErrNotConverged when the
// residual stays above s.TolResidual. A nil s means the defaults.
func RefineCircle(ctx context.Context, cell cells.Cell, u, traj []float64, s *CircleSettings) (*Circle, error) {
	var st CircleSettings
	if s != nil {
		st = *s
	}
	st.fill()
	if st.Harmonics < 1 || st.Harmonics > 256 || !(st.TolResidual > 0) || st.MaxNewtonIters < 0 {
		return nil, fmt.Errorf("orbits: circle settings: Harmonics %d (want 1 to 256), TolResidual %g (want > 0)", st.Harmonics, st.TolResidual)
	}
	uu, err := checkProblem(Problem{Cell: cell, InitialStates: traj, Inputs: u})
	if err != nil {
		return nil, err
	}
	N, M := cell.StateSize(), st.Harmonics
	T := len(traj) / N
	if T < 2*(2*M+1) {
		return nil, fmt.Errorf("orbits: circle: %d trajectory steps, want at least %d for %d harmonics", T, 2*(2*M+1), M)
	}
	if (2*M+1)*N+1 > 4096 {
		return nil, fmt.Errorf("orbits: circle: %d harmonics of %d states make a collocation system above 4096 unknowns", M, N)
	}
	rot, err := rotationOf(traj, N)
	if err != nil {
		return nil, err
	}
	c := fitCircle(traj, N, M, rot)
	c.U = uu
	e := newEvaluator(cell, uu)
	if err := refineCircle(ctx, e, c, &st); err != nil {
		return nil, err
	}
	if c.Exponents, err = circleExponents(e, c); err != nil {
		return nil, err
	}
	return c, nil
}

// circleExponents averages log growth along the circle: the Jacobians at
// K(t Rotation), t = 0 .. ExponentSteps-1 (one batched evaluation), applied
// in turn to an orthonormal frame re-orthonormalized by QR each step.
func circleExponents(e *evaluator, c *Circle) ([]float64, error) {
	N := e.N
	x := make([]float64, 0, ExponentSteps*N)
	for t := 0; t < ExponentSteps; t++ {
		x = append(x, c.At(float64(t)*c.Rotation)...)
	}
	_, jx, err := e.jacobians(x)
	if err != nil {
		return nil, err
	}
	q := mat.NewDense(N, N, identity(N))
	sums := make([]float64, N)
	var qr mat.QR
	var prod, qn mat.Dense
	for t := 0; t < ExponentSteps; t++ {
		prod.Mul(mat.NewDense(N, N, jx[t*N*N:(t+1)*N*N]), q)
		qr.Factorize(&prod)
		var r mat.Dense
		qr.RTo(&r)
		qr.QTo(&qn)
		for i := 0; i < N; i++ {
			sums[i] += math.Log(math.Abs(r.At(i, i)))
		}
		q.CloneFrom(&qn)
	}
	for i := range sums {
		sums[i] /= ExponentSteps
	}
	slices.SortFunc(sums, func(a, b float64) int { return cmp.Compare(b, a) })
	return sums, nil
}

// rotationOf estimates the angle per step of a trajectory: the mean turn
// of its projection on its two leading principal components.
func rotationOf(traj []float64, N int) (float64, error) {
	T := len(traj) / N
	mean := make([]float64, N)
	for t := 0; t < T; t++ {
		for i := 0; i < N; i++ {
			mean[i] += traj[t*N+i] / float64(T)
		}
	}
	x := mat.NewDense(T, N, nil)
	for t := 0; t < T; t++ {
		for i := 0; i < N; i++ {
			x.Set(t, i, traj[t*N+i]-mean[i])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDThin) {
		return 0, fmt.Errorf("orbits: circle: SVD of the trajectory did not converge")
	}
	if N < 2 {
		return 0, fmt.Errorf("orbits: circle: a circle needs N >= 2 states")
	}
	var v mat.Dense
	svd.VTo(&v)
	turn := 0.0
	prev := 0.0
	for t := 0; t < T; t++ {
		p, q := 0.0, 0.0
		for i := 0; i < N; i++ {
			p += x.At(t, i) * v.At(i, 0)
			q += x.At(t, i) * v.At(i, 1)
		}
		a := math.Atan2(q, p)
		if t > 0 {
			d := math.Remainder(a-prev, 2*math.Pi)
			turn += d
		}
		prev = a
	}
	rot := math.Abs(turn / float64(T-1))
	if !(rot > 0) {
		return 0, fmt.Errorf("orbits: circle: the trajectory does not turn")
	}
	return rot, nil
}

// fitCircle fits K's coefficients to the trajectory by least squares, the
// trajectory's step t at angle t*rot (the sign of the turn is absorbed by
// the sine coefficients).
func fitCircle(traj []float64, N, M int, rot float64) *Circle {
	T := len(traj) / N
	basis := mat.NewDense(T, 2*M+1, nil)
	for t := 0; t < T; t++ {
		th := float64(t) * rot
		basis.Set(t, 0, 1)
		for m := 1; m <= M; m++ {
			basis.Set(t, 2*m-1, math.Cos(float64(m)*th))
			basis.Set(t, 2*m, math.Sin(float64(m)*th))
		}
	}
	var coef mat.Dense
	_ = coef.Solve(basis, mat.NewDense(T, N, append([]float64(nil), traj...)))
	c := &Circle{Rotation: rot, Harmonics: M, A: make([][]float64, M+1), B: make([][]float64, M+1)}
	for m := 0; m <= M; m++ {
		c.A[m], c.B[m] = make([]float64, N), make([]float64, N)
	}
	r, _ := coef.Dims()
	if r != 2*M+1 {
		return c
	}
	for i := 0; i < N; i++ {
		c.A[0][i] = coef.At(0, i)
		for m := 1; m <= M; m++ {
			c.A[m][i], c.B[m][i] = coef.At(2*m-1, i), coef.At(2*m, i)
		}
	}
	return c
}

// circleVector packs c's coefficients and rotation: [A_0, A_1, B_1, ..., A_M, B_M] (each N), rotation.
func circleVector(c *Circle) []float64 {
	var v []float64
	v = append(v, c.A[0]...)
	for m := 1; m <= c.Harmonics; m++ {
		v = append(v, c.A[m]...)
		v = append(v, c.B[m]...)
	}
	return append(v, c.Rotation)
}

func setCircle(c *Circle, v []float64) {
	N := len(c.A[0])
	copy(c.A[0], v[:N])
	for m := 1; m <= c.Harmonics; m++ {
		copy(c.A[m], v[(2*m-1)*N:2*m*N])
		copy(c.B[m], v[2*m*N:(2*m+1)*N])
	}
	c.Rotation = v[len(v)-1]
}

// basisAt is the Fourier basis (1, cos theta, sin theta, ..., sin M theta)
// and its derivative in theta.
func basisAt(M int, th float64) (b, db []float64) {
	b, db = make([]float64, 2*M+1), make([]float64, 2*M+1)
	b[0] = 1
	for m := 1; m <= M; m++ {
		fm := float64(m)
		cm, sm := math.Cos(fm*th), math.Sin(fm*th)
		b[2*m-1], b[2*m] = cm, sm
		db[2*m-1], db[2*m] = -fm*sm, fm*cm
	}
	return b, db
}

// circleResidual evaluates F(K(theta_j)) - K(theta_j + rot) at the given
// angles, with F's Jacobians when jac is set.
func circleResidual(e *evaluator, c *Circle, angles []float64, jac bool) (r, jx []float64, err error) {
	N := e.N
	x := make([]float64, 0, len(angles)*N)
	for _, th := range angles {
		x = append(x, c.At(th)...)
	}
	var f []float64
	if jac {
		f, jx, err = e.jacobians(x)
	} else {
		f, err = e.step(x)
	}
	if err != nil {
		return nil, nil, err
	}
	r = make([]float64, len(angles)*N)
	for j, th := range angles {
		k := c.At(th + c.Rotation)
		for i := 0; i < N; i++ {
			r[j*N+i] = f[j*N+i] - k[i]
		}
	}
	return r, jx, nil
}

func refineCircle(ctx context.Context, e *evaluator, c *Circle, s *CircleSettings) error {
	N, M := e.N, c.Harmonics
	J := 2*M + 1
	n := J*N + 1
	angles := make([]float64, J)
	for j := range angles {
		angles[j] = 2 * math.Pi * float64(j) / float64(J)
	}
	// The phase condition's row: sum_j dK_seed(theta_j)/dtheta . K(theta_j).
	seed := &Circle{Harmonics: M, A: c.A, B: c.B}
	phase := make([]float64, n)
	for _, th := range angles {
		b, _ := basisAt(M, th)
		_, db := basisAt(M, th)
		dk := make([]float64, N)
		for k, w := range db {
			off := k * N
			for i := 0; i < N; i++ {
				dk[i] += w * circleVector(seed)[off+i]
			}
		}
		for k, w := range b {
			for i := 0; i < N; i++ {
				phase[k*N+i] += w * dk[i]
			}
		}
	}
	v := circleVector(c)
	phase0 := dot(phase, v)
	polish := 0
	for it := 0; ; it++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, jx, err := circleResidual(e, c, angles, true)
		if err != nil {
			return err
		}
		g := append(r, dot(phase, v)-phase0)
		res := maxAbs(g)
		c.Residual = res
		if res <= s.TolResidual && (polish >= polishSteps || res == 0) {
			break
		}
		if res > s.TolResidual && (it >= s.MaxNewtonIters || math.IsNaN(res)) {
			return fmt.Errorf("orbits: circle: %w (residual %.3g after %d steps)", ErrNotConverged, res, it)
		}
		if res <= s.TolResidual {
			polish++
		}
		a := mat.NewDense(n, n, nil)
		for j, th := range angles {
			b, _ := basisAt(M, th)
			bs, dbs := basisAt(M, th+c.Rotation)
			dks := make([]float64, N) // dK/dtheta at theta_j + rot
			for k, w := range dbs {
				for i := 0; i < N; i++ {
					dks[i] += w * v[k*N+i]
				}
			}
			jj := jx[j*N*N : (j+1)*N*N]
			for i := 0; i < N; i++ {
				row := j*N + i
				for k := 0; k < J; k++ {
					// d F_i(K(theta_j)) / d coef_k,l = J_il b_k(theta_j);
					// d K_i(theta_j + rot) / d coef_k,i = b_k(theta_j + rot).
					for l := 0; l < N; l++ {
						if w := jj[i*N+l] * b[k]; w != 0 {
							a.Set(row, k*N+l, w)
						}
					}
					a.Set(row, k*N+i, a.At(row, k*N+i)-bs[k])
				}
				a.Set(row, n-1, -dks[i])
			}
		}
		a.SetRow(n-1, phase)
		for i := range g {
			g[i] = -g[i]
		}
		var d mat.VecDense
		if err := d.SolveVec(a, mat.NewVecDense(n, g)); err != nil {
			return fmt.Errorf("orbits: circle: the collocation system is singular: %w", err)
		}
		// Backtracking on the residual.
		norm0 := norm2(g)
		accepted := false
		for alpha := 1.0; alpha > 1e-6; alpha /= 2 {
			vt := append([]float64(nil), v...)
			for i := range vt {
				vt[i] += alpha * d.AtVec(i)
			}
			setCircle(c, vt)
			rt, _, err := circleResidual(e, c, angles, false)
			if err != nil {
				return err
			}
			gt := append(rt, dot(phase, vt)-phase0)
			if norm2(gt) < (1-1e-4*alpha)*norm0 || (polish > 0 && norm2(gt) < norm0) {
				v, accepted = vt, true
				break
			}
			if polish > 0 {
				break
			}
		}
		setCircle(c, v)
		if !accepted {
			if res <= s.TolResidual {
				break
			}
			return fmt.Errorf("orbits: circle: %w (no decrease along the Newton step, residual %.3g)", ErrNotConverged, res)
		}
	}
	// Between the collocation angles.
	check := make([]float64, 4*J)
	for j := range check {
		check[j] = 2 * math.Pi * (float64(j) + 0.5) / float64(4*J)
	}
	r, _, err := circleResidual(e, c, check, false)
	if err != nil {
		return err
	}
	c.Check = maxAbs(r)
	if c.Rotation < 0 || c.Rotation > math.Pi {
		// Normalize to (0, pi]: theta -> -theta swaps the sign, and the
		// angle is defined modulo 2 pi.
		c.Rotation = math.Remainder(c.Rotation, 2*math.Pi)
		if c.Rotation < 0 {
			c.Rotation = -c.Rotation
			for m := 1; m <= M; m++ {
				for i := range c.B[m] {
					c.B[m][i] = -c.B[m][i]
				}
			}
		}
	}
	return nil
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// CircleResult is what FindCircles returns.
type CircleResult struct {
	Circles []Circle
	Status  Status
	// Settled counts the trajectories that settled (max|F(x) - x| < 1e-6
	// after the transient) or diverged; Seeds those that did not and were
	// fitted; Refined those whose Newton converged.
	Settled, Seeds, Refined int
}

// FindCircles simulates the map from p.InitialStates (all in one batch)
// for transient steps, then follows each trajectory that has not settled
// for 4(2M+1) more steps (M = s.Harmonics) and refines the invariant circle
// it runs on (RefineCircle); circles whose rotations agree within 1e-6
// and whose curves pass within tolUnique (max norm) of each other are one.
// Trajectories on a periodic orbit or on no circle (chaos, a torus) fail
// to converge and are left out. transient 0 means 1000 steps; tolUnique 0
// means 1e-3.
func FindCircles(ctx context.Context, p Problem, transient int, tolUnique float64, s *CircleSettings) (*CircleResult, error) {
	var st CircleSettings
	if s != nil {
		st = *s
	}
	st.fill()
	if transient == 0 {
		transient = 1000
	}
	if tolUnique == 0 {
		tolUnique = 1e-3
	}
	if transient < 0 || transient > 1e7 || !(tolUnique > 0) {
		return nil, fmt.Errorf("orbits: circles: transient %d (want 0 to 1e7 steps) or tolUnique %g (want > 0)", transient, tolUnique)
	}
	u, err := checkProblem(p)
	if err != nil {
		return nil, err
	}
	e := newEvaluator(p.Cell, u)
	N := e.N
	B := len(p.InitialStates) / N
	res := &CircleResult{Status: Converged}
	x := append([]float64(nil), p.InitialStates...)
	for i := 0; i < transient; i++ {
		if err := ctx.Err(); err != nil {
			res.Status = Canceled
			return res, nil
		}
		if x, err = e.step(x); err != nil {
			return nil, err
		}
	}
	T := 4 * (2*st.Harmonics + 1)
	trajs := make([][]float64, B)
	alive := make([]bool, B)
	f, err := e.step(x)
	if err != nil {
		return nil, err
	}
	for b := 0; b < B; b++ {
		d := 0.0
		for i := b * N; i < (b+1)*N; i++ {
			d = math.Max(d, math.Abs(f[i]-x[i]))
		}
		alive[b] = d >= 1e-6 && !math.IsNaN(d) && !math.IsInf(d, 0)
		if !alive[b] {
			res.Settled++
		}
	}
	for t := 0; t < T; t++ {
		for b := 0; b < B; b++ {
			if alive[b] {
				trajs[b] = append(trajs[b], x[b*N:(b+1)*N]...)
			}
		}
		if x, err = e.step(x); err != nil {
			return nil, err
		}
	}
	for b := 0; b < B; b++ {
		if !alive[b] {
			continue
		}
		if err := ctx.Err(); err != nil {
			res.Status = Canceled
			return res, nil
		}
		first := trajs[b][:N]
		known := false
		for i := range res.Circles {
			if nearCircle(&res.Circles[i], first, 10*tolUnique) {
				known = true
				break
			}
		}
		if known {
			continue
		}
		res.Seeds++
		c, err := RefineCircle(ctx, p.Cell, u, trajs[b], &st)
		if err != nil {
			continue
		}
		res.Refined++
		dup := false
		for i := range res.Circles {
			if math.Abs(res.Circles[i].Rotation-c.Rotation) <= 1e-6 && nearCircle(&res.Circles[i], c.At(0), tolUnique) {
				dup = true
				break
			}
		}
		if !dup {
			res.Circles = append(res.Circles, *c)
		}
	}
	return res, nil
}

// nearCircle reports whether x lies within tol (max norm) of the polyline
// through 512 points of c.
func nearCircle(c *Circle, x []float64, tol float64) bool {
	var nodes [][]float64
	for k := 0; k <= 512; k++ {
		nodes = append(nodes, c.At(2*math.Pi*float64(k)/512))
	}
	return nearNodes(x, nodes, tol)
}
