package stability

import (
	"math"
	"math/big"
)

// An independent high-precision eigenvalue solver for the tests: the
// characteristic polynomial of the matrix, reduced to Hessenberg form by
// Gaussian similarity transforms in big.Float, and its roots by Aberth's
// simultaneous iteration in complex big.Float. Nothing of Enclose's method
// (LAPACK, eigenvectors, Gershgorin) is used.

const bigPrec = 512

type bc struct{ re, im *big.Float }

func bf(x float64) *big.Float { return new(big.Float).SetPrec(bigPrec).SetFloat64(x) }
func bnew() *big.Float        { return new(big.Float).SetPrec(bigPrec) }
func cnew() bc                { return bc{bnew(), bnew()} }
func cfrom(z complex128) bc   { return bc{bf(real(z)), bf(imag(z))} }
func (a bc) c128() complex128 { r, _ := a.re.Float64(); i, _ := a.im.Float64(); return complex(r, i) }

func cadd(a, b bc) bc { return bc{bnew().Add(a.re, b.re), bnew().Add(a.im, b.im)} }
func csub(a, b bc) bc { return bc{bnew().Sub(a.re, b.re), bnew().Sub(a.im, b.im)} }
func cmul(a, b bc) bc {
	t := bnew()
	re := bnew().Mul(a.re, b.re)
	re.Sub(re, t.Mul(a.im, b.im))
	im := bnew().Mul(a.re, b.im)
	im.Add(im, t.Mul(a.im, b.re))
	return bc{re, im}
}
func cabs2(a bc) *big.Float {
	s := bnew().Mul(a.re, a.re)
	return s.Add(s, bnew().Mul(a.im, a.im))
}
func cdiv(a, b bc) bc {
	d := cabs2(b)
	n := cmul(a, bc{b.re, bnew().Neg(b.im)})
	return bc{n.re.Quo(n.re, d), n.im.Quo(n.im, d)}
}

// bigAbsMinusOne returns |z| - 1 in high precision.
func bigAbsMinusOne(z bc) *big.Float {
	r := bnew().Sqrt(cabs2(z))
	return r.Sub(r, bf(1))
}

// charPoly returns the coefficients c[0..N] (c[N] = 1) of det(zI - A) for
// the N x N row-major a, computed in big.Float.
func charPoly(N int, a []float64) []*big.Float {
	h := make([][]*big.Float, N)
	for i := range h {
		h[i] = make([]*big.Float, N)
		for j := range h[i] {
			h[i][j] = bf(a[i*N+j])
		}
	}
	t := bnew()
	for k := 0; k+2 < N; k++ {
		p := k + 1
		for i := k + 2; i < N; i++ {
			if bnew().Abs(h[i][k]).Cmp(bnew().Abs(h[p][k])) > 0 {
				p = i
			}
		}
		if h[p][k].Sign() == 0 {
			continue
		}
		h[k+1], h[p] = h[p], h[k+1]
		for i := range h {
			h[i][k+1], h[i][p] = h[i][p], h[i][k+1]
		}
		for i := k + 2; i < N; i++ {
			m := bnew().Quo(h[i][k], h[k+1][k])
			if m.Sign() == 0 {
				continue
			}
			for j := 0; j < N; j++ {
				h[i][j].Sub(h[i][j], t.Mul(m, h[k+1][j]))
			}
			for j := 0; j < N; j++ {
				h[j][k+1].Add(h[j][k+1], t.Mul(m, h[j][i]))
			}
		}
	}
	// p_k(z) = (z - h_kk) p_{k-1} - sum_{i<k} h_ik (prod_{j=i+1..k} h_{j,j-1}) p_{i-1}
	// (0-indexed: p[k+1] is the polynomial of the leading (k+1) x (k+1) block).
	p := make([][]*big.Float, N+1)
	p[0] = []*big.Float{bf(1)}
	for k := 0; k < N; k++ {
		q := make([]*big.Float, k+2)
		for i := range q {
			q[i] = bnew()
		}
		for i, c := range p[k] {
			q[i+1].Add(q[i+1], c)
			q[i].Sub(q[i], t.Mul(h[k][k], c))
		}
		prod := bf(1)
		for i := k - 1; i >= 0; i-- {
			prod = bnew().Mul(prod, h[i+1][i])
			if prod.Sign() == 0 {
				break
			}
			f := bnew().Mul(h[i][k], prod)
			for d, c := range p[i] {
				q[d].Sub(q[d], t.Mul(f, c))
			}
		}
		p[k+1] = q
	}
	return p[N]
}

// horner returns p(z) and p'(z).
func horner(c []*big.Float, z bc) (p, dp bc) {
	p, dp = cnew(), cnew()
	for i := len(c) - 1; i >= 0; i-- {
		dp = cadd(cmul(dp, z), p)
		p = cadd(cmul(p, z), bc{c[i], bnew()})
	}
	return p, dp
}

// bigEigenvalues returns the N eigenvalues of a by Aberth's iteration on
// its characteristic polynomial, started from start (perturbed so that no
// two starts coincide), and the size of each root's last correction.
func bigEigenvalues(N int, a []float64, start []complex128) (roots []bc, last []float64) {
	c := charPoly(N, a)
	roots = make([]bc, N)
	for k := range roots {
		roots[k] = cfrom(start[k] + complex(1e-3*math.Cos(float64(7*k+1)), 1e-3*math.Sin(float64(7*k+1))))
	}
	last = make([]float64, N)
	for it := 0; it < 500; it++ {
		worst := 0.0
		for k := range roots {
			p, dp := horner(c, roots[k])
			if p.re.Sign() == 0 && p.im.Sign() == 0 {
				last[k] = 0
				continue
			}
			ratio := cdiv(p, dp)
			s := cnew()
			for j := range roots {
				if j != k {
					s = cadd(s, cdiv(cfrom(1), csub(roots[k], roots[j])))
				}
			}
			w := cdiv(ratio, csub(cfrom(1), cmul(ratio, s)))
			roots[k] = csub(roots[k], w)
			m, _ := bnew().Sqrt(cabs2(w)).Float64()
			last[k] = m
			worst = max(worst, m)
		}
		if worst < 1e-120 {
			break
		}
	}
	return roots, last
}

// checkAgainstBig compares the enclosure e of the box around the N x N
// matrix a (which lies in the box) with a's eigenvalues from
// bigEigenvalues: every one must lie in the discs with the components'
// counts, and every proved class must be the true one of each eigenvalue
// in its component. It returns the number of proved-unstable modes and of
// eigenvalues outside the unit circle by the reference, and how many modes
// were decided.
func checkAgainstBig(t testingT, N int, a []float64, e Enclosure) (provedUnstable, refUnstable, decided int) {
	t.Helper()
	roots, last := bigEigenvalues(N, a, e.Values)
	zs := make([]complex128, N)
	for k, r := range roots {
		zs[k] = r.c128()
		if last[k] > 1e-30 && math.Abs(cmplxAbs(zs[k])-1) < 1e-6 {
			t.Errorf("reference root %v near the circle did not converge (last step %.3g)", zs[k], last[k])
		}
		if bigAbsMinusOne(r).Sign() > 0 {
			refUnstable++
		}
	}
	checkEnclosure(t, e, zs)
	for i, c := range e.Classes(false) {
		if c == ModeUndecided {
			continue
		}
		decided++
		if c == ModeUnstable {
			provedUnstable++
		}
		for k, r := range roots {
			if cmplxAbs(zs[k]-e.Values[i]) > e.Bound[i] {
				continue
			}
			s := bigAbsMinusOne(r).Sign()
			if (c == ModeUnstable) != (s > 0) || s == 0 {
				t.Errorf("mode %d (%v) proved %v, the reference eigenvalue %v of its component is not", i, e.Values[i], c, zs[k])
			}
		}
	}
	return provedUnstable, refUnstable, decided
}

// testingT is the part of testing.TB the checks use.
type testingT interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

func cmplxAbs(z complex128) float64 { return math.Hypot(real(z), imag(z)) }
