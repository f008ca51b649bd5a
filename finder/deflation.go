package finder

import (
	"context"
	"math"
	"slices"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Deflation (Farrell, Birkisson & Funke 2015, "Deflation techniques for
// finding distinct solutions of nonlinear partial differential equations",
// SIAM J. Sci. Comput. 37(4)) solves G(x) = M(x) r(x) = 0 with r(x) = F(x) - x
// and the deflation operator
//
//	M(x) = prod_i (1/||x - x_i||^p + sigma)
//
// over the known roots x_i. M grows without bound at each known root, so
// G has the roots of r except the known ones, and Newton's method on G is
// pushed away from them. The Newton step of G follows in closed form from
// the undeflated step d (Sherman-Morrison on J_G = M J_r + r grad(M)^T):
//
//	d_G = d / (1 - grad(log M) . d),
//
// so the refinement's Jacobians and step matrices serve unchanged.
const (
	deflPower    = 2    // p
	deflShift    = 1.0  // sigma: far from every root M is 1 and G is r
	deflIters    = 20   // deflated Newton iterations at most
	deflHalvings = 4    // step halvings tried when ||G|| does not fall
	deflReach    = 1e-8 // relative residual at which the refinement takes over (1e3 eps in float32)
	deflFar      = 1e3  // a candidate with max|x_i| beyond this has left
	// A candidate whose ||G|| did not halve over deflStall iterations
	// crawls toward a local minimum of ||G|| (Newton's convergence to a
	// root is much faster) and is given up.
	deflStall = 3
)

// logDeflation returns log M(x) and, in g, grad log M(x), over the known
// roots (candidate indices) with input u. With a nil g it returns log M
// alone (the line search's), the same value.
func (f *finder) logDeflation(x, u []float64, known []int, g []float64) float64 {
	for i := range g {
		g[i] = 0
	}
	lm := 0.0
	for _, k := range known {
		r := f.cands[k]
		if !slices.Equal(r.u, u) {
			continue
		}
		d2 := dist2(x, r.x)
		d := math.Sqrt(d2)
		// log(d^-p + sigma) = -p log d + log(1 + sigma d^p)
		dp := powDefl(d)
		lm += -deflPower*math.Log(d) + math.Log1p(deflShift*dp)
		if g == nil {
			continue
		}
		// d/dx log(d^-p + sigma) = -p (x - x_i) / (d^2 (1 + sigma d^p))
		s := -deflPower / (d2 * (1 + deflShift*dp))
		for i := range g {
			g[i] += s * (x[i] - r.x[i])
		}
	}
	return lm
}

// powDefl is math.Pow(d, deflPower), bit for bit: for p = 2 Pow squares
// d's mantissa, rounded once, and scales it by a power of two, which is
// d·d wherever d·d is a normal number; elsewhere (0, subnormal, overflow,
// NaN) Pow itself. Pow took a tenth of a deflation's time.
func powDefl(d float64) float64 {
	if deflPower == 2 {
		if dp := d * d; dp >= 0x1p-1022 && dp <= math.MaxFloat64 {
			return dp
		}
	}
	return math.Pow(d, deflPower)
}

// deflate runs deflated Newton from the candidates idx (F and q evaluated)
// with the known points deflated. It returns the candidates that came
// within deflReach of a root of r: the refinement then polishes them and
// certification decides. The others are left where they stopped.
func (f *finder) deflate(ctx context.Context, idx []int, known []int) ([]int, error) {
	N := f.N
	NN := N * N
	roots := slices.Clone(known)
	logG := map[int]float64{}
	mark := map[int]float64{} // log ||G|| deflStall iterations ago
	var active []int
	for _, ci := range idx {
		c := f.cands[ci]
		if math.IsNaN(c.q) || math.IsInf(c.q, 0) {
			continue
		}
		logG[ci] = f.logDeflation(c.x, c.u, roots, nil) + 0.5*math.Log(2*c.q)
		mark[ci] = logG[ci]
		active = append(active, ci)
	}
	var reached []int
	chunk := min(f.jacobianChunk(), 1024)
	for it := 0; it < deflIters && len(active) > 0; it++ {
		if ctx.Err() != nil {
			f.canceled = true
			return reached, nil
		}
		var next []int
		for lo := 0; lo < len(active); lo += chunk {
			part := active[lo:min(lo+chunk, len(active))]
			A, err := f.jacobiansFew(part)
			if err != nil {
				return nil, err
			}
			steps := make([]float64, len(part)*N)
			linalg.Parallel(len(part), func(lo, hi int) {
				H, P, work, at, gr, r := make([]float64, NN), make([]float64, NN), make([]float64, NN), make([]float64, NN), make([]float64, N), make([]float64, N)
				for k := lo; k < hi; k++ {
					c := f.cands[part[k]]
					Ak := A[k*NN : (k+1)*NN]
					for i := 0; i < N; i++ {
						Ak[i*N+i]--
						r[i] = c.f[i] - c.x[i]
					}
					normalMatrix(Ak, H, at, N) // Ak is A^T after
					stepMatrix(H, Ak, lmLambdaMin, work, P)
					d := steps[k*N : (k+1)*N]
					blas64.Gemv(blas.NoTrans, -1, blas64.General{Rows: N, Cols: N, Stride: N, Data: P},
						blas64.Vector{N: N, Inc: 1, Data: r}, 0, blas64.Vector{N: N, Inc: 1, Data: d})
					f.logDeflation(c.x, c.u, roots, gr)
					a := 0.0
					for i := range d {
						a += gr[i] * d[i]
					}
					tau := 1 / (1 - a)
					if math.IsInf(tau, 0) || math.IsNaN(tau) {
						tau = 1
					}
					for i := range d {
						d[i] *= tau
					}
					capStep(d, c.x)
				}
			})
			ok, err := f.deflatedLineSearch(part, steps, roots, logG)
			if err != nil {
				return nil, err
			}
			for k, ci := range part {
				c := f.cands[ci]
				stalled := false
				if (it+1)%deflStall == 0 {
					stalled = logG[ci] > mark[ci]-math.Ln2
					mark[ci] = logG[ci]
				}
				switch {
				case !ok[k] || scaleOver(c.x, deflFar):
				case residual(c.f, c.x) <= max(deflReach, 1e3*f.s.Dtype.Eps())*scale(c.x):
					reached = append(reached, ci)
				case !stalled:
					next = append(next, ci)
				}
			}
		}
		active = next
	}
	return reached, nil
}

// deflatedLineSearch tries the steps of the candidates part at full length
// and then halved, batched, and accepts the first trial point where
// log ||G|| falls. ok[k] reports whether part[k] moved.
func (f *finder) deflatedLineSearch(part []int, steps []float64, roots []int, logG map[int]float64) ([]bool, error) {
	N, M := f.N, f.M
	B := batchRows(len(part), N)
	trial, tu, fout := make([]float64, B*N), make([]float64, B*M), make([]float64, B*N)
	ok := make([]bool, len(part))
	t := 1.0
	for h := 0; h <= deflHalvings; h++ {
		var rows []int
		for k := range part {
			if !ok[k] {
				rows = append(rows, k)
			}
		}
		if len(rows) == 0 {
			break
		}
		for row, k := range rows {
			c := f.cands[part[k]]
			for i := 0; i < N; i++ {
				trial[row*N+i] = c.x[i] + t*steps[k*N+i]
			}
			copy(tu[row*M:(row+1)*M], c.u)
		}
		if err := f.stepFew(trial, tu, fout, len(rows)); err != nil {
			return nil, err
		}
		for row, k := range rows {
			ci := part[k]
			c := f.cands[ci]
			xt, ft := trial[row*N:(row+1)*N], fout[row*N:(row+1)*N]
			qt := halfSq(ft, xt)
			lg := f.logDeflation(xt, c.u, roots, nil) + 0.5*math.Log(2*qt)
			if lg < logG[ci] {
				ok[k] = true
				copy(c.x, xt)
				copy(c.f, ft)
				c.q, c.refines = qt, c.refines+1
				logG[ci] = lg
			}
		}
		t /= 2
	}
	return ok, nil
}

// scaleOver reports whether some |x_i| exceeds lim (or is not finite).
func scaleOver(x []float64, lim float64) bool {
	for _, v := range x {
		if !(abs(v) <= lim) {
			return true
		}
	}
	return false
}

// jacobiansFew is jacobiansAt for few candidates: fewer than batchRows'
// floor of 1024/N go in one batch of fewRows' size (the next power of two,
// at least 4) instead of that floor, as stepFew steps them: deflation
// follows its last few starts for many iterations, and a closed-form
// Jacobian of 64 rows of a 16-unit RNN costs about 12 times one of 4. More
// go to jacobiansAt. It changes no value (see fewRows).
func (f *finder) jacobiansFew(reps []int) ([]float64, error) {
	N := f.N
	B := fewRows(len(reps), N)
	if B >= batchRows(1, N) {
		return f.jacobiansAt(reps)
	}
	return f.jacobiansIn(reps, B)
}
