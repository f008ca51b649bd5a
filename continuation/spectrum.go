package continuation

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"

	"github.com/rnnfp/fixedpoints/finder"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// spectrum is what a point's eigenvalues say: the eigenvalues of J (not
// shifted in continuous time) and the counts the detectors compare.
type spectrum struct {
	vals       []complex128
	nUnstable  int // modes surely growing
	nUndecided int // modes within the marginal band
	realPlus   int // real eigenvalues > 1
	realMinus  int // real eigenvalues < -1
	complexOut int // complex eigenvalues outside the unit circle (map) or right of Re = 1 (flow)
	partial    bool
}

// isReal reports whether z is real up to rounding (LAPACK returns exact
// zeros for the imaginary parts of real eigenvalues).
func isReal(z complex128) bool { return math.Abs(imag(z)) <= 1e-12*math.Max(1, cmplx.Abs(z)) }

// growth is the signed distance of an eigenvalue of J past the stability
// boundary: |lambda| - 1 for a map, Re(lambda) - 1 for the flow.
func growth(z complex128, continuous bool) float64 {
	if continuous {
		return real(z) - 1
	}
	return cmplx.Abs(z) - 1
}

// classify counts vals; a mode whose growth is within tol (or within its
// error bound tols[i], when given) of zero is undecided.
func classify(vals []complex128, tol float64, continuous bool, tols ...float64) spectrum {
	sp := spectrum{vals: vals}
	for i, z := range vals {
		g := growth(z, continuous)
		t := tol
		if i < len(tols) {
			t = math.Max(t, tols[i])
		}
		switch {
		case math.Abs(g) <= t:
			sp.nUndecided++
		case g > 0:
			sp.nUnstable++
		}
		if isReal(z) {
			if real(z) > 1 {
				sp.realPlus++
			}
			if real(z) < -1 {
				sp.realMinus++
			}
		} else if g > 0 {
			sp.complexOut++
		}
	}
	return sp
}

// eigenvalues of the N x N row-major J: all of them (LAPACK, through
// finder.Decompose) up to denseMax, else the Ritz values of an Arnoldi
// factorization of dimension 30 (partial true).
func eigenvalues(N int, jx []float64, denseMax int, stats *Stats) ([]complex128, bool, error) {
	vals, _, partial, err := eigenBounds(N, jx, denseMax, stats)
	return vals, partial, err
}

// boundVectorsMax is the largest N for which every point's eigenvectors
// are computed to bound its eigenvalues' errors.
const boundVectorsMax = 128

// eigenBounds is eigenvalues with, up to boundVectorsMax, a first-order
// error bound per eigenvalue: kappa_i (eps_J + 1e-3 * tolx) where kappa_i =
// 1/|l_i^H r_i| is its condition number, eps_J = N u ||J||_F the rounding of
// J and its decomposition, and tolx a perturbation of J by the point's own
// inaccuracy (its residual tolerance, times 1e3 for the second derivative).
// Above boundVectorsMax the bounds are nil.
func eigenBounds(N int, jx []float64, denseMax int, stats *Stats) ([]complex128, []float64, bool, error) {
	stats.Eigen++
	if N > denseMax {
		v, err := arnoldi(N, jx, min(N, 30))
		return v, nil, true, err
	}
	vectors := N <= boundVectorsMax
	modes, err := decompose(N, jx, vectors)
	if err != nil {
		return nil, nil, false, err
	}
	vals := make([]complex128, len(modes))
	for i, m := range modes {
		vals[i] = m.Value
	}
	if !vectors {
		return vals, nil, false, nil
	}
	fro := 0.0
	for _, v := range jx {
		fro = math.Hypot(fro, v)
	}
	base := float64(N)*2.220446049250313e-16*fro + 1e-9
	bounds := make([]float64, len(modes))
	for i, m := range modes {
		var d complex128
		for k := range m.Right {
			d += cmplx.Conj(m.Left[k]) * m.Right[k]
		}
		kappa := 1 / math.Max(cmplx.Abs(d), 1e-300)
		bounds[i] = math.Min(kappa*base, 1)
	}
	return vals, bounds, false, nil
}

// decompose eigen-decomposes J with finder's LAPACK path (see finder.Decompose).
func decompose(N int, jx []float64, vectors bool) ([]finder.Mode, error) {
	fp := &finder.FixedPoints{N: N, M: 0, Dtype: "float64", Points: []finder.Point{{X: make([]float64, N), Jacobian: jx}}}
	if err := finder.Decompose(fp, finder.Settings{NoEigenvectors: !vectors}); err != nil {
		return nil, fmt.Errorf("continuation: %w", err)
	}
	return fp.Points[0].Modes, nil
}

// arnoldi returns the Ritz values of J from m steps of Arnoldi with full
// reorthogonalization from a fixed pseudo-random start. They approximate
// the eigenvalues of largest modulus; on an invariant subspace (breakdown)
// the Ritz values found so far are exact eigenvalues.
func arnoldi(N int, jx []float64, m int) (vals []complex128, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("continuation: arnoldi panicked: %v", r)
		}
	}()
	rng := rand.New(rand.NewPCG(1, 2))
	V := make([][]float64, 0, m+1)
	v := make([]float64, N)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	scaleTo1(v)
	V = append(V, v)
	H := make([]float64, m*m) // row-major m x m, upper Hessenberg
	k := 0
	for ; k < m; k++ {
		w := make([]float64, N)
		for i := 0; i < N; i++ {
			s := 0.0
			row := jx[i*N : (i+1)*N]
			for j, x := range V[k] {
				s += row[j] * x
			}
			w[i] = s
		}
		for pass := 0; pass < 2; pass++ {
			for j := 0; j <= k; j++ {
				h := dot(w, V[j])
				H[j*m+k] += h
				for i := range w {
					w[i] -= h * V[j][i]
				}
			}
		}
		nw := math.Sqrt(dot(w, w))
		if k+1 == m {
			break
		}
		if nw <= 1e-12*math.Max(1, math.Abs(H[k*m+k])) {
			k++
			break
		}
		H[(k+1)*m+k] = nw
		for i := range w {
			w[i] /= nw
		}
		V = append(V, w)
	}
	if k > m {
		k = m
	}
	if k == 0 {
		k = 1
	}
	// Eigenvalues of the leading k x k block.
	a := make([]float64, k*k)
	for i := 0; i < k; i++ {
		copy(a[i*k:(i+1)*k], H[i*m:i*m+k])
	}
	impl := lapackgonum.Implementation{}
	wr, wi := make([]float64, k), make([]float64, k)
	work := []float64{0}
	impl.Dgeev('N', 'N', k, a, k, wr, wi, nil, 1, nil, 1, work, -1)
	work = make([]float64, int(work[0]))
	if bad := impl.Dgeev('N', 'N', k, a, k, wr, wi, nil, 1, nil, 1, work, len(work)); bad > 0 {
		return nil, fmt.Errorf("continuation: arnoldi: eigenvalues did not converge")
	}
	vals = make([]complex128, k)
	for i := range vals {
		vals[i] = complex(wr[i], wi[i])
	}
	return vals, nil
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func scaleTo1(v []float64) {
	n := math.Sqrt(dot(v, v))
	for i := range v {
		v[i] /= n
	}
}
