package proof

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/interval"
	"gonum.org/v1/gonum/mat"
)

// System is a map G: R^N → R^N with interval enclosures.
type System interface {
	// Size is N.
	Size() int
	// Enclose returns enclosures of G over the box x (N intervals) and,
	// when jac is true, of its Jacobian dG/dx over the box (N×N). It
	// returns an error wrapping cells.ErrOverflow when an enclosure
	// overflows.
	Enclose(x []interval.I, jac bool) (g []interval.I, j interval.Mat, err error)
}

// Settings tune the proof. The zero value is usable: each zero field takes
// the default its comment names.
type Settings struct {
	// MaxRadius is the largest box radius tried for existence (max-norm),
	// relative to max(1, ‖x̃‖∞): a point farther than that from a root
	// is not proved. Default 1e-7.
	MaxRadius float64
	// MaxUniqueSteps bounds the tests of the uniqueness search (a
	// bisection on log radius). Default 12.
	MaxUniqueSteps int
	// UniqueGrowth is the precision of the uniqueness search: it stops
	// when the largest radius that passed and the smallest that failed
	// are within this factor. Default 2.
	UniqueGrowth float64
	// MaxUniqueRadius caps the uniqueness radius (absolute). Default 1e3.
	MaxUniqueRadius float64
	// ExistenceOnly skips the uniqueness search: UniqueRadius is then the
	// radius of the box that contracted (K(X) ⊂ int X already makes the
	// root unique in X). For callers that need only Radius, such as
	// stability.ProveRoot; the existence proof and Radius are the same.
	ExistenceOnly bool
}

func (s *Settings) defaults() Settings {
	out := Settings{MaxRadius: 1e-7, MaxUniqueSteps: 12, UniqueGrowth: 2, MaxUniqueRadius: 1e3}
	if s == nil {
		return out
	}
	if s.MaxRadius > 0 {
		out.MaxRadius = s.MaxRadius
	}
	if s.MaxUniqueSteps > 0 {
		out.MaxUniqueSteps = s.MaxUniqueSteps
	}
	if s.UniqueGrowth > 1 {
		out.UniqueGrowth = s.UniqueGrowth
	}
	if s.MaxUniqueRadius > 0 {
		out.MaxUniqueRadius = s.MaxUniqueRadius
	}
	out.ExistenceOnly = s.ExistenceOnly
	return out
}

// Method names Krawczyk's proof in results.
const Method = "krawczyk"

// Reasons a proof fails.
const (
	ReasonOverflow      = "overflow"       // an enclosure overflowed float64
	ReasonSingular      = "singular"       // dG(x̃) has no usable inverse
	ReasonNoContraction = "no contraction" // K(X) ⊄ int X for every radius tried
)

// Result is the outcome of one proof.
type Result struct {
	// Proved is true when a unique root of G lies within Radius of the
	// point, and no other within UniqueRadius (max-norm). Then
	// 0 < Radius ≤ UniqueRadius.
	Proved       bool
	Radius       float64
	UniqueRadius float64
	// Reason says why the proof failed (one of the Reason constants).
	Reason string
	// Contraction is ‖I − C·dG(X)‖∞ on the existence box (below 1 when
	// proved).
	Contraction float64
}

// ErrInput marks a point or system that cannot be proved on (sizes, NaN).
var ErrInput = errors.New("proof: bad input")

// Krawczyk tries to prove that G has a unique root near x. A failed proof
// is a Result with Proved false and a Reason, not an error; errors are for
// bad input.
func Krawczyk(sys System, x []float64, s *Settings) (Result, error) {
	set := s.defaults()
	n := sys.Size()
	if len(x) != n {
		return Result{}, fmt.Errorf("%w: point of length %d for a system of size %d", ErrInput, len(x), n)
	}
	scale := 1.0
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Result{}, fmt.Errorf("%w: point is not finite", ErrInput)
		}
		scale = math.Max(scale, math.Abs(v))
	}
	// G(x̃) and dG(x̃) on the degenerate box.
	g0, j0, err := sys.Enclose(pointBox(x), true)
	if err != nil {
		return failed(err)
	}
	if !finite(g0) || !j0.IsFinite() {
		return Result{Reason: ReasonOverflow}, nil
	}
	c, ok := inverse(j0)
	if !ok {
		return Result{Reason: ReasonSingular}, nil
	}
	cg := interval.MatVec(c, interval.VecOf(g0)).Intervals() // C·G(x̃)
	step := 0.0
	for _, v := range cg {
		step = math.Max(step, v.Mag())
	}
	k := newContractor(sys, c, x, j0)
	// ε-inflation: start at twice the Newton step (or a few ulps of x̃)
	// and grow until K contracts or MaxRadius is passed.
	maxR := set.MaxRadius * scale
	r := math.Max(2*step, 16*scale*0x1p-52)
	res := Result{Reason: ReasonNoContraction}
	for ; r <= maxR; r *= 8 {
		// The O(N²) bound first; where it fails (an ill-conditioned dG,
		// whose |C|·E loses the cancellation of C·dG), the interval
		// product I − C·dG(X) itself.
		var norm, dist float64
		inside := false
		for _, exact := range []bool{false, true} {
			rows, err := k.rows(r, exact)
			if err != nil {
				return failed(err)
			}
			norm = maxOf(rows)
			res.Contraction = norm
			if math.IsInf(norm, 0) || math.IsNaN(norm) {
				if exact {
					return Result{Reason: ReasonOverflow}, nil
				}
				continue
			}
			if dist, inside = contracts(cg, rows, r); inside {
				break
			}
		}
		if !inside {
			continue
		}
		res = Result{Proved: true, Radius: math.Max(dist, math.SmallestNonzeroFloat64), Contraction: norm}
		res.UniqueRadius = r
		if !set.ExistenceOnly {
			res.UniqueRadius = k.uniqueness(r, set)
		}
		return res, nil
	}
	return res, nil
}

// contracts reports whether O = K − x̃ = −C·G(x̃) + M·[−r, r], with
// M = I − C·dG(X) whose row i has Σ_j |M_ij| <= rows[i], lies in the
// open box (−r, r)^N, and returns max|O_i|.
func contracts(cg []interval.I, rows []float64, r float64) (float64, bool) {
	dist := 0.0
	for i := range cg {
		t := up(rows[i] * r)
		o := interval.Add(interval.Neg(cg[i]), interval.I{Lo: -t, Hi: t})
		if !(o.Mag() < r) {
			return 0, false
		}
		dist = math.Max(dist, o.Mag())
	}
	return dist, true
}

// failed turns an enclosure error into a failed proof (overflow) or passes
// it on.
func failed(err error) (Result, error) {
	if errors.Is(err, cells.ErrOverflow) {
		return Result{Reason: ReasonOverflow}, nil
	}
	return Result{}, err
}

// contractor bounds ‖I − C·A‖ over the Jacobians A of boxes around x̃ in
// O(N²) per box: with J0 the (float) midpoint of dG's enclosure at x̃ and
// dG(X) enclosed as Ym ± Yr, every A in dG(X) has |A − J0| <= E =
// Yr + |Ym − J0| (the true dG(x̃) lies in both enclosures), so row i of
// |I − C·A| sums to at most base_i + (|C|·E·1)_i, where base holds the
// row sums of |I − C·J0| (one interval product, computed once).
type contractor struct {
	sys  System
	c    interval.Mat // C
	x    []float64
	j0   interval.Mat // point matrix J0
	absC interval.Mat // point matrix |C|
	base []float64
	d    interval.Mat // rows' D, kept from test to test
	j    interval.Mat // rows' enclosure of dG, its storage kept from test to test
}

func newContractor(sys System, c interval.Mat, x []float64, j0 interval.Mat) *contractor {
	j0m := interval.Mat{Rows: j0.Rows, Cols: j0.Cols, Mid: j0.Mid}
	absC := interval.Mat{Rows: c.Rows, Cols: c.Cols, Mid: make([]float64, len(c.Mid))}
	for i, v := range c.Mid {
		absC.Mid[i] = math.Abs(v)
	}
	base := identityMinusRowSums(c, j0m)
	n := len(x)
	d := interval.Mat{Rows: n, Cols: n, Mid: make([]float64, n*n), Rad: make([]float64, n*n)}
	return &contractor{sys: sys, c: c, x: x, j0: j0m, absC: absC, base: base, d: d}
}

// rows returns upper bounds of the row sums of |I − C·A| over every A in
// dG(X), X = x̃ + [−ρ, ρ]^N (+Inf when the enclosure overflows).
// With exact it encloses the product I − C·dG(X) itself (O(N³)).
func (k *contractor) rows(rho float64, exact bool) ([]float64, error) {
	box := make([]interval.I, len(k.x))
	for i, v := range k.x {
		box[i] = interval.I{Lo: down(v - rho), Hi: up(v + rho)}
	}
	j, err := encloseJacobianTo(k.sys, k.j, box)
	if err != nil {
		return nil, err
	}
	k.j = j // read only here, before the next test overwrites it
	n := len(k.x)
	out := make([]float64, n)
	if !j.IsFinite() {
		for i := range out {
			out[i] = math.Inf(1)
		}
		return out, nil
	}
	if exact {
		return identityMinusRowSums(k.c, j), nil
	}
	// D = Ym − J0 as an interval matrix (its rounding in the radius), Yr
	// added: RowMagSums(D) bounds the row sums of E. Every element is
	// written here: what k.d held from the last test changes nothing.
	d := k.d
	for i := range d.Mid {
		m := j.Mid[i] - k.j0.Mid[i]
		d.Mid[i] = m
		// The pad 2⁻⁹⁰⁰ bounds the underflow of m (at most eta) and is a
		// normal number: with eta itself, an exactly zero entry (the zero
		// blocks of gated cells' dG) made a subnormal product, ~100 times
		// slower.
		d.Rad[i] = (j.Rad[i] + 0x1p-52*math.Abs(m) + 0x1p-900) * (1 + 0x1p-50)
	}
	e := interval.RowMagSums(d)
	ce := interval.MatVec(k.absC, interval.Vec{Mid: e})
	for i := range out {
		out[i] = up(k.base[i] + ce.At(i).Hi)
		if math.IsNaN(out[i]) {
			out[i] = math.Inf(1)
		}
	}
	return out, nil
}

// identityMinusRowSums is RowMagSums(IdentityMinus(MatMul(c, a))), the
// row sums of |I − C·A| enclosed, with the product and its work in a
// pooled buffer: every proof made them for its base (newContractor), 3 N x N
// matrices and more that it dropped at once.
func identityMinusRowSums(c, a interval.Mat) []float64 {
	nn := c.Rows * a.Cols
	wp := workPool.Get().(*[]float64)
	defer workPool.Put(wp)
	if n := 2*nn + interval.MatMulWork(c, a); cap(*wp) < n {
		*wp = make([]float64, n)
	}
	buf := *wp
	p := interval.MatMulTo(interval.Mat{Mid: buf[:nn], Rad: buf[nn : 2*nn]}, c, a, buf[2*nn:])
	return interval.RowMagSums(interval.IdentityMinusTo(p, p))
}

// workPool holds identityMinusRowSums' buffers: every value is written
// before it is read.
var workPool = sync.Pool{New: func() any { return new([]float64) }}

// jacobianEncloser is a System that encloses dG/dx without G, which the
// contraction tests (contractor.rows) do not use: the same enclosure and
// the same errors as Enclose's.
type jacobianEncloser interface {
	encloseJacobian(x []interval.I) (interval.Mat, error)
}

func encloseJacobian(sys System, x []interval.I) (interval.Mat, error) {
	if je, ok := sys.(jacobianEncloser); ok {
		return je.encloseJacobian(x)
	}
	_, j, err := sys.Enclose(x, true)
	return j, err
}

// jacobianEncloserTo is a jacobianEncloser that can write the enclosure
// into dst's storage (the same matrix, bit for bit).
type jacobianEncloserTo interface {
	encloseJacobianTo(dst interval.Mat, x []interval.I) (interval.Mat, error)
}

// encloseJacobianTo is encloseJacobian, in dst's storage where the system
// can write it there; dst's old values may be overwritten.
func encloseJacobianTo(sys System, dst interval.Mat, x []interval.I) (interval.Mat, error) {
	if je, ok := sys.(jacobianEncloserTo); ok {
		return je.encloseJacobianTo(dst, x)
	}
	return encloseJacobian(sys, x)
}

// uniqueness searches, from the proved radius r up to MaxUniqueRadius, the
// largest radius ρ where ‖I − C·dG(x̃ + [−ρ, ρ]^N)‖∞ < 1, by bisection on
// log ρ (the bound grows with ρ: a larger box has a larger enclosure)
// until the bracket is within a factor UniqueGrowth, at most
// MaxUniqueSteps tests. It returns the largest radius that passed.
func (k *contractor) uniqueness(r float64, set Settings) float64 {
	lo, hi := r, set.MaxUniqueRadius
	if hi <= lo {
		return lo
	}
	if k.ok(hi) {
		return hi
	}
	for s := 0; s < set.MaxUniqueSteps && hi > lo*set.UniqueGrowth; s++ {
		mid := math.Sqrt(lo) * math.Sqrt(hi)
		if k.ok(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// ok reports whether ‖I − C·A‖∞ < 1 for every A in dG(x̃ + [−ρ, ρ]^N).
func (k *contractor) ok(rho float64) bool {
	rows, err := k.rows(rho, false)
	return err == nil && maxOf(rows) < 1
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		if math.IsNaN(x) {
			return math.Inf(1)
		}
		m = math.Max(m, x)
	}
	return m
}

// inverse returns C ≈ mid(J)⁻¹ as a point matrix, or false when mid(J) is
// singular to working precision. C need not be exact: the proof is valid
// for any C, and a poor one only makes it fail.
func inverse(j interval.Mat) (interval.Mat, bool) {
	n := j.Rows
	a := mat.NewDense(n, n, append([]float64(nil), j.Mid...))
	var lu mat.LU
	lu.Factorize(a)
	if c := lu.Cond(); math.IsInf(c, 0) || math.IsNaN(c) || c > 1e15 {
		return interval.Mat{}, false
	}
	var inv mat.Dense
	if err := lu.SolveTo(&inv, false, eye(n)); err != nil {
		// gonum reports ill-conditioning as an error but still solves.
		var ce mat.Condition
		if !errors.As(err, &ce) {
			return interval.Mat{}, false
		}
	}
	out := interval.Mat{Rows: n, Cols: n, Mid: make([]float64, n*n)}
	for i := 0; i < n; i++ {
		for k := 0; k < n; k++ {
			v := inv.At(i, k)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return interval.Mat{}, false
			}
			out.Mid[i*n+k] = v
		}
	}
	return out, true
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}

func pointBox(x []float64) []interval.I {
	out := make([]interval.I, len(x))
	for i, v := range x {
		out[i] = interval.Point(v)
	}
	return out
}

func finite(v []interval.I) bool {
	for _, e := range v {
		if !e.IsFinite() {
			return false
		}
	}
	return true
}

func down(x float64) float64 { return interval.Down(x) }
func up(x float64) float64   { return interval.Up(x) }
