package orbits

import (
	"errors"
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/interval"
	"github.com/rnnfp/fixedpoints/proof"
	"github.com/rnnfp/fixedpoints/stability"
)

// ProofMethod names the orbits' proof: Krawczyk's operator on the
// multiple-shooting system.
const ProofMethod = "krawczyk-multiple-shooting"

// errVaryingD: the cell's factorization F - x = D (.) G has a D that
// varies over the box and the cell gives no enclosure of dD/dx
// (cells.Factors.DJ), so the factors do not enclose dF/dx off the fixed
// points.
var errVaryingD = errors.New("orbits: the cell's residual factor D varies and has no enclosed derivative, dF/dx has no enclosure")

// shootingSystem is H(y) = [F(x_j, u) - x_{j+1 mod k}]_j, y = (x_0 .. x_{k-1}),
// with interval enclosures from a cells.Factored cell: F = x + D (.) G, and
// dF/dx = I + diag(D) dG/dx + diag(G) dD/dx on the box, the last term
// from cells.Factors.DJ where D varies (gated cells: GRU, LSTM and their
// stacks) and absent where D encloses to a point (vanilla RNNs: D = 1;
// continuous-time RNNs' Euler steps: D = alpha). A proof.System.
type shootingSystem struct {
	c    cells.Factored
	u    []float64
	k, n int
}

func (s shootingSystem) Size() int { return s.k * s.n }

func (s shootingSystem) Enclose(y []interval.I, jac bool) ([]interval.I, interval.Mat, error) {
	k, n := s.k, s.n
	h := make([]interval.I, k*n)
	var jm interval.Mat
	if jac {
		jm = interval.Mat{Rows: k * n, Cols: k * n, Mid: make([]float64, k*n*k*n), Rad: make([]float64, k*n*k*n)}
	}
	set := func(r, c int, v interval.I) {
		jm.Mid[r*k*n+c], jm.Rad[r*k*n+c] = interval.MidRad(v)
	}
	for j := 0; j < k; j++ {
		next := (j + 1) % k
		f, err := s.c.Factor(y[j*n:(j+1)*n], s.u, jac)
		if err != nil {
			return nil, interval.Mat{}, err
		}
		for i := 0; i < n; i++ {
			if jac && f.D[i].Lo != f.D[i].Hi && f.DJ.Rows == 0 {
				return nil, interval.Mat{}, errVaryingD
			}
			// F_i(x_j) - x_{j+1,i} = D_i G_i + x_{j,i} - x_{j+1,i}.
			h[j*n+i] = interval.Sub(interval.Add(interval.Mul(f.D[i], f.G[i]), y[j*n+i]), y[next*n+i])
		}
		if !jac {
			continue
		}
		jf := dF(f, n)
		for i := 0; i < n; i++ {
			for c := 0; c < n; c++ {
				set(j*n+i, j*n+c, jf[i*n+c])
			}
			set(j*n+i, next*n+i, interval.Point(-1))
		}
	}
	return h, jm, nil
}

// dF encloses dF/dx = I + diag(D) dG/dx + diag(G) dD/dx over a box (n x
// n, row-major); the last term is left out when the cell gives no dD/dx
// (f.DJ), which the callers allow only where D encloses to a point.
func dF(f *cells.Factors, n int) []interval.I {
	out := make([]interval.I, n*n)
	for i := 0; i < n; i++ {
		for c := 0; c < n; c++ {
			v := interval.Mul(f.D[i], f.J.At(i, c))
			if f.DJ.Rows > 0 {
				v = interval.Add(v, interval.Mul(f.G[i], f.DJ.At(i, c)))
			}
			if i == c {
				v = interval.AddScalar(v, 1)
			}
			out[i*n+c] = v
		}
	}
	return out
}

// prove tries Krawczyk's proof on o's multiple-shooting system and sets
// o.Proof, or o.ProofReason when no proof was found.
func prove(cell cells.Cell, o *Orbit) {
	fc, ok := cell.(cells.Factored)
	if !ok {
		o.ProofReason = "the cell has no residual factorization (cells.Factored)"
		return
	}
	n := cell.StateSize()
	y := make([]float64, 0, o.Period*n)
	for _, p := range o.Points {
		y = append(y, p...)
	}
	r, err := proof.Krawczyk(shootingSystem{c: fc, u: o.U, k: o.Period, n: n}, y, nil)
	switch {
	case errors.Is(err, errVaryingD):
		o.ProofReason = "its factor D varies and the cell encloses no dD/dx (cells.Factors.DJ), so its factorization encloses dF/dx only at fixed points"
		return
	case err != nil:
		o.ProofReason = fmt.Sprintf("proof failed: %v", err)
		return
	case !r.Proved:
		o.ProofReason = r.Reason
		return
	}
	o.Proof = &Proof{Method: ProofMethod, Radius: r.Radius, UniqueRadius: r.UniqueRadius,
		MinimalPeriod: distinctBeyond(o.Points, 2*r.Radius)}
	proveFloquet(fc, o)
}

// proveFloquet proves what it can of the classes of o's multipliers: the
// Jacobians enclosed over the proof's boxes (which hold the true orbit),
// their product in interval arithmetic (an interval matrix that holds the
// true monodromy matrix), the discs of stability.Enclose around its
// eigenvalues, and stability.Prove, as for fixed points. Multipliers it
// decides get Proved, their class and a proved bound; o's counts are
// recounted.
func proveFloquet(fc cells.Factored, o *Orbit) {
	n, r := fc.StateSize(), o.Proof.Radius
	var prod interval.Mat
	for j, p := range o.Points {
		box := make([]interval.I, n)
		for i, v := range p {
			box[i] = interval.Add(interval.Point(v), interval.New(-r, r))
		}
		f, err := fc.Factor(box, o.U, true)
		if err != nil {
			return
		}
		jm := interval.Mat{Rows: n, Cols: n, Mid: make([]float64, n*n), Rad: make([]float64, n*n)}
		for a := 0; a < n; a++ {
			if f.D[a].Lo != f.D[a].Hi && f.DJ.Rows == 0 {
				return
			}
		}
		for i, v := range dF(f, n) {
			jm.Mid[i], jm.Rad[i] = interval.MidRad(v)
		}
		if j == 0 {
			prod = jm
		} else {
			prod = interval.MatMul(jm, prod)
		}
	}
	if !prod.IsFinite() {
		return
	}
	rad := prod.Rad
	if rad == nil {
		rad = make([]float64, n*n)
	}
	e, err := stability.Enclose(n, prod.Mid, rad)
	if err != nil || !e.Proved {
		return
	}
	modes := make([]stability.Mode, len(o.Floquet))
	for i, m := range o.Floquet {
		modes[i] = stability.Mode{Value: m.Value, Cond: m.Cond, Bound: m.Bound, Class: m.Class}
	}
	if stability.Prove(modes, e, false) == 0 {
		return
	}
	for i, m := range modes {
		f := &o.Floquet[i]
		f.Class, f.Bound, f.Proved = m.Class, m.Bound, m.Proved
	}
	o.recount()
}

// distinctBeyond reports whether, for every proper divisor d of the
// period, some point x_j lies farther than gap (max norm) from x_{j+d}: then
// no orbit whose points lie within gap/2 of these repeats after d steps.
func distinctBeyond(pts [][]float64, gap float64) bool {
	k := len(pts)
	for d := 1; d < k; d++ {
		if k%d != 0 {
			continue
		}
		apart := false
		for j := 0; j+d < k && !apart; j++ {
			apart = distMax(pts[j], pts[j+d]) > gap
		}
		if !apart {
			return false
		}
	}
	return true
}
