package continuation

import (
	"math"
	"math/cmplx"

	"github.com/rnnfp/fixedpoints/internal/linalg"
	"github.com/rnnfp/fixedpoints/stability"
)

// detect compares the branch's state before a step (old) with after it
// (br) and locates each bifurcation in between; after is the index of the
// old point in the branch.
func (r *run) detect(old, br *branch, after int) error {
	var kinds []Kind
	if old.t[r.N]*br.t[r.N] < 0 {
		kinds = append(kinds, r.turnKind(old, br))
	}
	if r.isBranchPoint(old, br) {
		kinds = append(kinds, BranchPoint)
	}
	if !r.s.ContinuousTime && old.sp.realMinus%2 != br.sp.realMinus%2 {
		kinds = append(kinds, Flip)
	}
	dc := br.sp.complexOut - old.sp.complexOut
	dr := br.sp.realPlus + br.sp.realMinus - old.sp.realPlus - old.sp.realMinus
	if dc != 0 && dc+dr != 0 {
		if r.s.ContinuousTime {
			kinds = append(kinds, Hopf)
		} else {
			kinds = append(kinds, NeimarkSacker)
		}
	}
	for _, k := range kinds {
		e, err := r.locate(k, old, br)
		if err != nil {
			return err
		}
		e.Branch, e.After = r.index(br), after
		if k == turningBranchPoint {
			e.Kind = BranchPoint
		}
		r.addEvent(e)
	}
	return nil
}

// probe is the branch at one value of sigma during location.
type probe struct {
	sigma  float64
	y      []float64
	jx, ju []float64
	t      []float64
	vals   []complex128
	phi    float64
	side   bool // which side of the event (the counts' verdict)
}

// locate finds the bifurcation of kind k between old and br by regula
// falsi (Illinois) on the kind's test function along the old tangent: the
// points y(sigma) on the curve where c.(y - old.y - sigma old.t) = 0, c
// the old constraint row, sigma from 0 (old) to that of br.
func (r *run) locate(k Kind, old, br *branch) (Bifurcation, error) {
	N := r.N
	c := old.fac.c
	sigma1 := 0.0
	{
		num, den := 0.0, 0.0
		for i := range c {
			num += c[i] * (br.y[i] - old.y[i])
			den += c[i] * old.t[i]
		}
		sigma1 = num / den
	}
	lo := &probe{sigma: 0, y: old.y, jx: old.jx, ju: old.ju, t: old.t, vals: old.sp.vals}
	hi := &probe{sigma: sigma1, y: br.y, jx: br.jx, ju: br.ju, t: br.t, vals: br.sp.vals}
	lo.phi, lo.side = r.test(k, lo, old)
	hi.phi, hi.side = r.test(k, hi, old)
	useSign := lo.phi*hi.phi < 0
	best := lo
	if math.Abs(hi.phi) < math.Abs(lo.phi) {
		best = hi
	}
	side := lo.side
	illinoisLo, illinoisHi := 1.0, 1.0
	for it := 0; it < 200 && math.Abs(hi.sigma-lo.sigma) > r.s.TolLocate*0.1 && best.phi != 0; it++ {
		sg := (lo.sigma + hi.sigma) / 2
		if useSign {
			fl, fh := lo.phi*illinoisLo, hi.phi*illinoisHi
			sg = lo.sigma + (hi.sigma-lo.sigma)*fl/(fl-fh)
		}
		p, err := r.probeAt(k, old, sg)
		if err != nil {
			return Bifurcation{}, err
		}
		if p == nil {
			break // the corrector failed: keep the bracket so far
		}
		onLo := p.side == side
		if useSign {
			onLo = (p.phi < 0) == (lo.phi < 0)
		}
		if onLo {
			lo = p
			illinoisLo = 1
			illinoisHi /= 2
		} else {
			hi = p
			illinoisHi = 1
			illinoisLo /= 2
		}
		if math.Abs(p.phi) <= math.Abs(best.phi) {
			best = p
		}
	}
	if !useSign {
		best = hi
	}
	e := Bifurcation{Kind: k, S: best.y[N], U: r.uAt(old.seg, best.y[N]), X: append([]float64(nil), best.y[:N]...),
		TestValue: best.phi, Bracket: math.Abs(hi.y[N] - lo.y[N])}
	if err := r.critical(&e, best); err != nil {
		return Bifurcation{}, err
	}
	return e, nil
}

// probeAt corrects the point at sigma along old's tangent and evaluates the
// test function there; nil when the corrector fails.
func (r *run) probeAt(k Kind, old *branch, sigma float64) (*probe, error) {
	N := r.N
	y := make([]float64, N+1)
	for i := range y {
		y[i] = old.y[i] + sigma*old.t[i]
	}
	t := &task{row: old.row, y: y, yp: append([]float64(nil), y...), fac: old.fac, seg: old.seg}
	if err := r.correct([]*task{t}); err != nil {
		return nil, err
	}
	if !t.ok {
		return nil, nil
	}
	r.ev.set(old.row, y[:N], r.uAt(old.seg, y[N]))
	if err := r.ev.jacobians(); err != nil {
		return nil, err
	}
	p := &probe{sigma: sigma, y: y, jx: append([]float64(nil), r.ev.rowJx(old.row)...), ju: append([]float64(nil), r.ev.rowJu(old.row)...)}
	fac, err := factor(N, r.M, p.jx, p.ju, r.dirs[old.seg], weighted(old.t, old.wx), &r.stats)
	if err == nil {
		p.t, err = fac.tangent(old.wx)
	}
	if err != nil && k != BranchPoint {
		return nil, nil
	}
	// At a branch point the bordered matrix is singular whatever its last
	// row: a probe landing on it keeps no tangent, which its test does not use.
	if k != Fold && k != turningBranchPoint {
		vals, _, err := eigenvalues(N, p.jx, r.s.DenseEigenMax, &r.stats)
		if err != nil {
			return nil, err
		}
		p.vals = vals
	}
	p.phi, p.side = r.test(k, p, old)
	return p, nil
}

// test is the test function of kind k at p, and the side of the event p is
// on by the eigenvalue counts (compared with old's).
func (r *run) test(k Kind, p *probe, old *branch) (float64, bool) {
	switch k {
	case Fold, turningBranchPoint:
		return p.t[r.N], p.t[r.N] > 0
	case BranchPoint:
		return r.branchPointTest(p, old)
	case Flip:
		sp := classify(p.vals, r.s.MarginalTol, false)
		best := math.Inf(1)
		for _, z := range p.vals {
			if stability.IsReal(z) && math.Abs(real(z)+1) < math.Abs(best) {
				best = real(z) + 1
			}
		}
		return best, sp.realMinus%2 == old.sp.realMinus%2
	default:
		sp := classify(p.vals, r.s.MarginalTol, r.s.ContinuousTime)
		best := math.Inf(1)
		for _, z := range p.vals {
			if !stability.IsReal(z) && imag(z) > 0 {
				g := growth(z, r.s.ContinuousTime)
				if math.Abs(g) < math.Abs(best) {
					best = g
				}
			}
		}
		return best, sp.complexOut == old.sp.complexOut
	}
}

// critical sets the critical eigenvalue and its unit right eigenvector of
// e from the probe's Jacobian.
func (r *run) critical(e *Bifurcation, p *probe) error {
	N := r.N
	target := func(z complex128) float64 {
		switch e.Kind {
		case Fold, BranchPoint, turningBranchPoint:
			if !stability.IsReal(z) {
				return math.Inf(1)
			}
			return math.Abs(real(z) - 1)
		case Flip:
			if !stability.IsReal(z) {
				return math.Inf(1)
			}
			return math.Abs(real(z) + 1)
		default:
			if stability.IsReal(z) || imag(z) < 0 {
				return math.Inf(1)
			}
			return math.Abs(growth(z, r.s.ContinuousTime))
		}
	}
	if N <= r.s.DenseEigenMax {
		modes, err := decompose(N, p.jx, true)
		if err != nil {
			return err
		}
		bi := -1
		for i, m := range modes {
			if bi < 0 || target(m.Value) < target(modes[bi].Value) {
				bi = i
			}
		}
		e.Eigenvalue, e.Vector = modes[bi].Value, modes[bi].Right
		return nil
	}
	if (e.Kind == Fold || e.Kind == turningBranchPoint) && p.t != nil {
		// At a fold (and where a branch turns at a branch point) the tangent
		// is (v, 0) with (J - I) v = 0.
		v := append([]float64(nil), p.t[:N]...)
		nv := math.Sqrt(linalg.Dot(v, v))
		for i := range v {
			v[i] /= nv
		}
		jv := 0.0
		for i := 0; i < N; i++ {
			s := 0.0
			for j := 0; j < N; j++ {
				s += p.jx[i*N+j] * v[j]
			}
			jv += v[i] * s
		}
		e.Eigenvalue = complex(jv, 0)
		e.Vector = make([]complex128, N)
		big := 0
		for i := range v {
			if math.Abs(v[i]) > math.Abs(v[big]) {
				big = i
			}
		}
		sign := 1.0
		if v[big] < 0 {
			sign = -1
		}
		for i := range v {
			e.Vector[i] = complex(sign*v[i], 0)
		}
		return nil
	}
	vals := p.vals
	if vals == nil {
		var err error
		if vals, _, err = eigenvalues(N, p.jx, r.s.DenseEigenMax, &r.stats); err != nil {
			return err
		}
	}
	bi := -1
	for i, z := range vals {
		if bi < 0 || target(z) < target(vals[bi]) {
			bi = i
		}
	}
	if bi >= 0 {
		e.Eigenvalue = vals[bi]
	}
	_ = cmplx.Abs
	return nil
}
