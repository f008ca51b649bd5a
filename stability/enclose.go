package stability

import (
	"errors"
	"fmt"
	"math"

	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// Enclosure holds discs in the complex plane that enclose every eigenvalue
// of every matrix in an interval matrix (see Enclose).
//
// Disc i has center Values[i] and radius Radius[i]. The discs fall into
// connected components (Component[i] names disc i's); a component of k
// discs holds exactly k eigenvalues, counted with multiplicity, of every
// matrix in the interval matrix, and no eigenvalue lies outside the union
// of the discs. Bound[i] bounds the distance from Values[i] to every point
// of its component, so Values[i] +- Bound[i] encloses that component's
// eigenvalues; a disc alone in its component has Bound[i] = Radius[i].
type Enclosure struct {
	// Proved reports whether the discs were established. When false,
	// Reason says why and the slices are nil: nothing is claimed.
	Proved bool
	// Reason is why no enclosure was proved ("" when Proved).
	Reason string
	// Values are the eigenvalues of the midpoint matrix as LAPACK's dgeev
	// computes them, in its order (a complex pair +imag first).
	Values []complex128
	// Radius is each disc's radius, rounded upward.
	Radius []float64
	// Component numbers the connected components of the union of discs,
	// 0, 1, ... in the order of their first disc.
	Component []int
	// Bound is, per disc, the largest distance from its center to any
	// point of its component, rounded upward.
	Bound []float64
}

// Enclose encloses the eigenvalues of every N x N matrix in the interval
// matrix mid +- rad (row-major; rad >= 0 entry by entry), e.g. the
// Jacobians over a Krawczyk proof box, which hold the Jacobian at the true
// root.
//
// Method: the midpoint is eigen-decomposed in floating point, mid V ~ V D,
// with V real (a complex pair's eigenvector stored as its real and
// imaginary parts) and D block diagonal (a complex pair a +- ib as the
// block [a b; -b a]). R ~ V^-1 is verified by bounding ||I - R V||_inf =
// alpha < 1 in interval arithmetic, which proves V invertible. Then every
// J in the interval matrix has V^-1 J V = D + F with
// F = V^-1 (J V - V D) = (I - (I - R V))^-1 R (J V - V D), whose entries
// are bounded by an interval enclosure of R (J V - V D) and the Neumann
// series for the rest (||F - R(JV - VD)||_inf <= alpha/(1 - alpha)
// ||R(JV - VD)||_inf). The unitary 2 x 2 blocks that diagonalize D's
// pairs turn D + F into diag(eigenvalues) + a matrix whose row sums the
// bound on F bounds, and Gershgorin's theorem (with its counting form for
// connected unions of discs) gives the discs. The products use
// midpoint-radius interval matrix arithmetic with the a priori rounding
// error bounds of floating-point dot products (interval.MatMul), so the BLAS
// does the work: a few N^3 products and one eigen-decomposition.
//
// The discs are tight (of the order of the condition of V times the width
// of the interval matrix) where the eigenvectors are well conditioned.
// Near a defective matrix (a Jordan block, or eigenvalues about to merge)
// V is ill conditioned: the discs grow and merge into components that
// honestly enclose the whole cluster, or R V cannot be verified and
// Proved is false. Nothing is ever claimed that the arithmetic did not
// prove.
//
// Enclose returns an error only for malformed input (lengths, a negative
// or NaN radius); a matrix that is not finite, an eigen-decomposition that
// fails, or a V that cannot be verified gives Proved false with a Reason.
func Enclose(N int, mid, rad []float64) (Enclosure, error) {
	if e, done, err := checkInput(N, mid, rad); done {
		return e, err
	}
	vals, v, err := safeGeev(N, mid)
	if err != nil {
		return Enclosure{Reason: err.Error()}, nil
	}
	return encloseFrom(N, mid, rad, vals, v), nil
}

// safeGeev is geev with vectors, a panic inside gonum (none is expected)
// turned into an error: a failed decomposition proves nothing, it must not
// stop the caller.
func safeGeev(N int, a []float64) (vals []complex128, v []float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("eigen-decomposition panicked")
		}
	}()
	vals, _, v, err = geev(N, a, true)
	return vals, v, err
}

// EncloseModes is Enclose with the midpoint's eigen-decomposition taken
// from modes, the Modes of mid (Values lambda, or mu = lambda - 1 when
// continuous, with right eigenvectors), instead of computed again: any
// eigenvectors do, the method only needs mid V ~ V D, and the proof does
// not rest on their accuracy. Modes without right vectors, or not N of
// them in conjugate pairs, are decomposed again as Enclose does.
func EncloseModes(N int, mid, rad []float64, modes []Mode, continuous bool) (Enclosure, error) {
	vals, v, ok := fromModes(N, modes, continuous)
	if !ok {
		return Enclose(N, mid, rad)
	}
	if e, done, err := checkInput(N, mid, rad); done {
		return e, err
	}
	return encloseFrom(N, mid, rad, vals, v), nil
}

// checkInput reports (done true) the answer of Enclose for input that
// needs no decomposition: malformed (an error), not finite (not proved),
// or empty (proved, no discs).
func checkInput(N int, mid, rad []float64) (e Enclosure, done bool, err error) {
	if N < 0 || len(mid) != N*N || len(rad) != N*N {
		return Enclosure{}, true, fmt.Errorf("stability: enclose: %d midpoint and %d radius values for N = %d", len(mid), len(rad), N)
	}
	for i, r := range rad {
		if !(r >= 0) {
			return Enclosure{}, true, fmt.Errorf("stability: enclose: radius %d is negative or NaN", i)
		}
	}
	for i := range mid {
		if math.IsInf(mid[i], 0) || math.IsNaN(mid[i]) || math.IsInf(rad[i], 0) {
			return Enclosure{Reason: "interval matrix not finite"}, true, nil
		}
	}
	if N == 0 {
		return Enclosure{Proved: true}, true, nil
	}
	return Enclosure{}, false, nil
}

// fromModes lays out modes as dgeev does: eigenvalues with a complex pair
// as a + ib then a - ib, and the real N x N matrix V whose columns are the
// real eigenvectors and, for a pair, the real and imaginary parts of the
// +ib vector.
func fromModes(N int, modes []Mode, continuous bool) (vals []complex128, v []float64, ok bool) {
	if len(modes) != N || N == 0 {
		return nil, nil, false
	}
	v = make([]float64, N*N)
	neg := 0
	for _, m := range modes {
		if len(m.Right) != N {
			return nil, nil, false
		}
		z := m.Value
		if continuous {
			z = complex(real(z)+1, imag(z))
		}
		switch {
		case imag(z) < 0:
			neg++
			continue
		case imag(z) == 0:
			c := len(vals)
			for i, r := range m.Right {
				v[i*N+c] = real(r)
			}
			vals = append(vals, z)
		default:
			c := len(vals)
			if c+1 >= N {
				return nil, nil, false
			}
			for i, r := range m.Right {
				v[i*N+c], v[i*N+c+1] = real(r), imag(r)
			}
			vals = append(vals, z, complex(real(z), -imag(z)))
		}
	}
	return vals, v, len(vals) == N && 2*neg == countComplex(vals)
}

// countComplex counts the values with a nonzero imaginary part.
func countComplex(vals []complex128) int {
	n := 0
	for _, z := range vals {
		if imag(z) != 0 {
			n++
		}
	}
	return n
}

// encloseFrom is Enclose from the eigen-decomposition vals, v of mid
// (dgeev's layout).
func encloseFrom(N int, mid, rad []float64, vals []complex128, v []float64) Enclosure {
	pairs, err := pairing(vals)
	if err != nil {
		return Enclosure{Reason: err.Error()}
	}
	s, err := rowSums(N, mid, rad, vals, pairs, v)
	if err != nil {
		return Enclosure{Reason: err.Error()}
	}
	radius := discRadii(s, pairs)
	for _, r := range radius {
		if math.IsInf(r, 0) || math.IsNaN(r) {
			return Enclosure{Reason: "disc radius not finite"}
		}
	}
	comp, bound := components(vals, radius)
	return Enclosure{Proved: true, Values: vals, Radius: radius, Component: comp, Bound: bound}
}

// pairing returns, per eigenvalue index, the index of its conjugate
// partner (-1 for a real eigenvalue), checking dgeev's layout: a pair is
// a + ib (b > 0) followed by a - ib.
func pairing(vals []complex128) ([]int, error) {
	pairs := make([]int, len(vals))
	for c := 0; c < len(vals); c++ {
		pairs[c] = -1
		if imag(vals[c]) == 0 {
			continue
		}
		if c+1 >= len(vals) || imag(vals[c]) < 0 || vals[c+1] != complex(real(vals[c]), -imag(vals[c])) {
			return nil, errors.New("eigenvalues not in conjugate pairs")
		}
		pairs[c], pairs[c+1] = c+1, c
		c++
	}
	return pairs, nil
}

// rowSums returns, per row k of F = V^-1 J V - D for every J in
// mid +- rad, an upper bound on sum_l w_l |F_kl|, where w_l is sqrt(2) for
// a column of a complex pair and 1 otherwise (see discRadii).
func rowSums(N int, mid, rad []float64, vals []complex128, pairs []int, v []float64) ([]float64, error) {
	r, err := inverse(N, v)
	if err != nil {
		return nil, err
	}
	// The products' temporaries and results in one pooled buffer: mul's
	// work, then P = R V (later G = R Res) and Res, midpoints and radii.
	NN, nw := N*N, mulWork(N)
	wp, buf := takeWork(nw + 4*NN)
	defer lapackWork.Put(wp)
	work := buf[:nw]
	pm, pr := buf[nw:nw+NN], buf[nw+NN:nw+2*NN]
	qm, qr := buf[nw+2*NN:nw+3*NN], buf[nw+3*NN:nw+4*NN]
	// C = I - R V and alpha_k, its absolute row sums.
	mul(N, r, nil, v, nil, pm, pr, work)
	alpha := make([]float64, N)
	amax := 0.0
	row := make([]float64, N)
	for k := 0; k < N; k++ {
		for l := 0; l < N; l++ {
			d := -pm[k*N+l]
			if k == l {
				d += 1
			}
			row[l] = up(up(math.Abs(d)) + pr[k*N+l])
		}
		alpha[k] = sumUp(row)
		amax = max(amax, alpha[k])
	}
	if !(amax < 1) {
		return nil, fmt.Errorf("eigenvector matrix not verified invertible (||I - R V|| <= %.3g)", amax)
	}
	// Res = J V - V D over the interval matrix.
	mul(N, mid, rad, v, nil, qm, qr, work)
	for i := 0; i < N; i++ {
		for c := 0; c < N; c++ {
			x := v[i*N+c]
			a, b := real(vals[c]), imag(vals[c])
			var vd, e float64
			switch p := pairs[c]; {
			case p < 0:
				vd = x * a
				e = up(unitRoundoff * math.Abs(vd))
			case p > c:
				// Columns c, c+1 hold x, y with J [x y] ~ [x y] [a b; -b a].
				y := v[i*N+p]
				vd = x*a - y*b
				e = up(3 * unitRoundoff * up(up(math.Abs(x*a))+up(math.Abs(y*b))))
			default:
				// Second column of the pair: x b + y a with x the first.
				y := v[i*N+p]
				a, b = real(vals[p]), imag(vals[p])
				vd = y*b + x*a
				e = up(3 * unitRoundoff * up(up(math.Abs(y*b))+up(math.Abs(x*a))))
			}
			k := i*N + c
			d := qm[k] - vd
			t := up(up(qr[k]+e) + 2*tinyUnderflow)
			qr[k] = up(t + up(unitRoundoff*math.Abs(d)))
			qm[k] = d
		}
	}
	// G = R Res, and g >= ||G||_inf.
	gm, gr := pm, pr // P is done with
	mul(N, r, nil, qm, qr, gm, gr, work)
	mag := absUp(gm, gr)
	sqrt2 := up(math.Sqrt2)
	g := 0.0
	s := make([]float64, N)
	for k := 0; k < N; k++ {
		g = max(g, sumUp(mag[k*N:(k+1)*N]))
		for l := 0; l < N; l++ {
			w := mag[k*N+l]
			if pairs[l] >= 0 {
				w = up(w * sqrt2)
			}
			row[l] = w
		}
		s[k] = sumUp(row)
	}
	// F = G + C F, so sum_l |F_kl| <= sum_l |G_kl| + alpha_k ||F||_inf and
	// ||F||_inf <= g / (1 - alpha).
	fnorm := up(g / down(1-amax))
	for k := range s {
		s[k] = up(s[k] + up(sqrt2*up(alpha[k]*fnorm)))
	}
	return s, nil
}

// inverse returns an approximate inverse of the N x N row-major v (LU
// with partial pivoting); its accuracy does not matter, only that
// I - R V is small, which rowSums verifies.
func inverse(N int, v []float64) ([]float64, error) {
	impl := lapackgonum.Implementation{}
	a := append([]float64(nil), v...)
	ipiv := make([]int, N)
	if !impl.Dgetrf(N, N, a, N, ipiv) {
		return nil, errors.New("eigenvector matrix singular")
	}
	work := make([]float64, 1)
	impl.Dgetri(N, a, N, ipiv, work, -1)
	work = make([]float64, max(int(work[0]), N))
	if !impl.Dgetri(N, a, N, ipiv, work, len(work)) {
		return nil, errors.New("eigenvector matrix singular")
	}
	for _, x := range a {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, errors.New("eigenvector matrix inverse not finite")
		}
	}
	return a, nil
}

// midRad converts the interval matrix lo..hi (entry by entry lo <= hi) to
// midpoint-radius form with mid +- rad containing lo..hi.
func midRad(lo, hi []float64) (mid, rad []float64) {
	mid, rad = make([]float64, len(lo)), make([]float64, len(lo))
	for i := range lo {
		m := lo[i]/2 + hi[i]/2
		if math.IsInf(lo[i], 0) || math.IsInf(hi[i], 0) {
			m = (lo[i] + hi[i]) / 2
		}
		mid[i] = m
		rad[i] = up(max(up(hi[i]-m), up(m-lo[i])))
	}
	return mid, rad
}
