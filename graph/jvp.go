package graph

import (
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
)

// JVP evaluates Jacobian-vector products J(x_r) v_r = dF/dx(x_r, u_r) v_r
// for R rows at once, by differences of F in one batched forward pass: the
// rows may be R points with one direction each, one point with R
// directions, or any mix (a Krylov method's next vector for every
// candidate, a block of vectors for a few points).
//
// With F(x_r) given, a product costs one row of F (forward difference,
// relative error about sqrt(eps) ~ 1e-8 in float64); without it, two rows
// (central difference, about eps^(2/3) ~ 4e-11). The step is
// h = c (1 + |x|) / |v| (2-norms), c = sqrt(eps) or cbrt(eps), which
// balances rounding against truncation. Newton-Krylov methods certify by the
// residual F(x) - x, evaluated exactly, so the products' error only slows
// their convergence; eigenvalues from them carry that error (see Rel).
//
// Differences are used rather than the transpose trick (a vector-Jacobian
// pass differentiated again), which would need second derivatives of every
// op gorgonia offers, which it does not have. A JVP belongs to one goroutine.
type JVP struct {
	rows    int
	pass    int // rows of F per pass: R, or 2R for central differences
	central bool
	n, m    int
	dtype   Dtype
	st      *Stepper
	xs      []float64 // 2R rows of perturbed states
	us      []float64
	fs      []float64
	h       []float64
	ce      *cacheEntry // set when checked out of a Cache
}

// NewJVP builds and compiles the products for R rows, by central
// differences (a forward pass of 2R rows) or forward ones (R rows).
func NewJVP(cell cells.Cell, R int, central bool, d Dtype) (*JVP, error) {
	if err := checkBatch(cell, R); err != nil {
		return nil, err
	}
	N, M := cell.StateSize(), cell.InputSize()
	P := R
	if central {
		P = 2 * R
	}
	st, err := NewStepper(cell, P, d)
	if err != nil {
		return nil, err
	}
	return &JVP{rows: R, pass: P, central: central, n: N, m: M, dtype: d, st: st,
		xs: make([]float64, P*N), us: make([]float64, P*M), fs: make([]float64, P*N), h: make([]float64, R)}, nil
}

// Central reports whether the products are central differences.
func (j *JVP) Central() bool { return j.central }

// Rows is the number of products per pass.
func (j *JVP) Rows() int { return j.rows }

// Rel is the relative error to expect of a product, |err| / (|J||v|), for
// smooth F: sqrt(eps) for forward differences, eps^(2/3) for central ones.
func (j *JVP) Rel() float64 {
	if j.central {
		return math.Pow(j.dtype.Eps(), 2.0/3)
	}
	return math.Sqrt(j.dtype.Eps())
}

// Apply sets out[r] = J(x[r], u[r]) v[r] for the first n <= Rows rows of
// x, v, out (N values a row) and u (M values a row, or one row of M shared
// by all). Forward differences need fx, F(x[r]) for each row; central ones
// ignore it. A zero v[r] gives a zero product.
func (j *JVP) Apply(n int, x, u, v, fx, out []float64) error {
	N, M, R := j.n, j.m, j.rows
	if n < 1 || n > R {
		return fmt.Errorf("graph: jvp: %d rows, want 1..%d", n, R)
	}
	if len(x) < n*N || len(v) < n*N || len(out) < n*N || (!j.central && len(fx) < n*N) {
		return fmt.Errorf("graph: jvp: buffers shorter than %d rows of %d", n, N)
	}
	shared := len(u) == M
	if !shared && len(u) < n*M {
		return fmt.Errorf("graph: jvp: %d input values, want %d or %d x %d", len(u), M, n, M)
	}
	c := math.Sqrt(j.dtype.Eps())
	if j.central {
		c = math.Cbrt(j.dtype.Eps())
	}
	// Row r of the pass is x[r] + h v[r]; with central differences row R+r
	// is x[r] - h v[r]. Unused rows repeat row n-1 (or R+n-1).
	src := func(p int) (row int, sign float64) {
		if p >= R {
			return min(p-R, n-1), -1
		}
		return min(p, n-1), 1
	}
	for r := 0; r < n; r++ {
		nx, nv := norm2(x[r*N:(r+1)*N]), norm2(v[r*N:(r+1)*N])
		j.h[r] = 0
		if nv > 0 {
			j.h[r] = c * (1 + nx) / nv
		}
	}
	for p := 0; p < j.pass; p++ {
		r, sign := src(p)
		xr, vr, xp := x[r*N:(r+1)*N], v[r*N:(r+1)*N], j.xs[p*N:(p+1)*N]
		h := sign * j.h[r]
		for i := range xp {
			xp[i] = xr[i] + h*vr[i]
		}
		if shared {
			copy(j.us[p*M:(p+1)*M], u)
		} else {
			copy(j.us[p*M:(p+1)*M], u[r*M:(r+1)*M])
		}
	}
	if err := j.st.Step(j.xs, j.us, j.fs); err != nil {
		return err
	}
	for r := 0; r < n; r++ {
		h := j.h[r]
		o := out[r*N : (r+1)*N]
		if h == 0 {
			clear(o)
			continue
		}
		fp := j.fs[r*N : (r+1)*N]
		if j.central {
			fm := j.fs[(R+r)*N : (R+r+1)*N]
			for i := range o {
				o[i] = (fp[i] - fm[i]) / (2 * h)
			}
			continue
		}
		fr := fx[r*N : (r+1)*N]
		for i := range o {
			o[i] = (fp[i] - fr[i]) / h
		}
	}
	return nil
}

func norm2(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
