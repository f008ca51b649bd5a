package proof

import (
	"errors"
	"fmt"
	"math"

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
	// is not proved. Default 1e-8.
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
}

func (s *Settings) defaults() Settings {
	out := Settings{MaxRadius: 1e-8, MaxUniqueSteps: 12, UniqueGrowth: 2, MaxUniqueRadius: 1e3}
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
	// ε-inflation: start at twice the Newton step (or a few ulps of x̃)
	// and grow until K contracts or MaxRadius is passed.
	maxR := set.MaxRadius * scale
	r := math.Max(2*step, 16*scale*0x1p-52)
	res := Result{Reason: ReasonNoContraction}
	for ; r <= maxR; r *= 8 {
		m, err := contraction(sys, c, x, r)
		if err != nil {
			return failed(err)
		}
		norm := normInf(m)
		res.Contraction = norm
		if math.IsInf(norm, 0) || math.IsNaN(norm) {
			return Result{Reason: ReasonOverflow}, nil
		}
		// O = K − x̃ = −C·G(x̃) + M·[−r, r]; every |O_i| < r.
		rowT := interval.RowMagSums(m)
		dist, inside := 0.0, true
		for i := range cg {
			t := up(rowT[i] * r)
			o := interval.Add(interval.Neg(cg[i]), interval.I{Lo: -t, Hi: t})
			if !(o.Mag() < r) {
				inside = false
				break
			}
			dist = math.Max(dist, o.Mag())
		}
		if !inside {
			continue
		}
		res = Result{Proved: true, Radius: math.Max(dist, math.SmallestNonzeroFloat64), UniqueRadius: r, Contraction: norm}
		res.UniqueRadius = uniqueness(sys, c, x, r, set)
		return res, nil
	}
	return res, nil
}

// failed turns an enclosure error into a failed proof (overflow) or passes
// it on.
func failed(err error) (Result, error) {
	if errors.Is(err, cells.ErrOverflow) {
		return Result{Reason: ReasonOverflow}, nil
	}
	return Result{}, err
}

// uniqueness searches, from the proved radius r up to MaxUniqueRadius, the
// largest radius ρ where ‖I − C·dG(x̃ + [−ρ, ρ]^N)‖∞ < 1, by bisection on
// log ρ (the test is monotone in ρ: a larger box has a larger enclosure)
// until the bracket is within a factor UniqueGrowth, at most
// MaxUniqueSteps tests. It returns the largest radius that passed.
func uniqueness(sys System, c interval.Mat, x []float64, r float64, set Settings) float64 {
	lo, hi := r, set.MaxUniqueRadius
	if hi <= lo {
		return lo
	}
	if ok(sys, c, x, hi) {
		return hi
	}
	for k := 0; k < set.MaxUniqueSteps && hi > lo*set.UniqueGrowth; k++ {
		mid := math.Sqrt(lo) * math.Sqrt(hi)
		if ok(sys, c, x, mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// ok reports whether ‖I − C·dG(X)‖∞ < 1 on X = x + [−ρ, ρ]^N.
func ok(sys System, c interval.Mat, x []float64, rho float64) bool {
	m, err := contraction(sys, c, x, rho)
	return err == nil && normInf(m) < 1
}

// contraction encloses I − C·dG(X) for X = x + [−r, r]^N.
func contraction(sys System, c interval.Mat, x []float64, r float64) (interval.Mat, error) {
	box := make([]interval.I, len(x))
	for i, v := range x {
		box[i] = interval.I{Lo: down(v - r), Hi: up(v + r)}
	}
	_, j, err := sys.Enclose(box, true)
	if err != nil {
		return interval.Mat{}, err
	}
	return interval.IdentityMinus(interval.MatMul(c, j)), nil
}

// normInf is an upper bound of ‖M‖∞ over the interval matrix.
func normInf(m interval.Mat) float64 {
	if !m.IsFinite() {
		return math.Inf(1)
	}
	nrm := 0.0
	for _, v := range interval.RowMagSums(m) {
		nrm = math.Max(nrm, v)
	}
	return nrm
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

func down(x float64) float64 { return math.Nextafter(x, math.Inf(-1)) }
func up(x float64) float64   { return math.Nextafter(x, math.Inf(1)) }
