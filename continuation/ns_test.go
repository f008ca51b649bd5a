package continuation

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

// rotationCell is F(x, u) = R(theta) (tanh(a x + u c) - tanh(u c)) with
// c = (1, 1): the origin is a fixed point for every u, with Jacobian
// a sech^2(u) R(theta), eigenvalues a sech^2(u) e^(+-i theta).
func rotationCell(a, theta float64) *tanhCell {
	R := []float64{math.Cos(theta), -math.Sin(theta), math.Sin(theta), math.Cos(theta)}
	return newTanhCell(2, 1, []float64{a, 0, 0, a}, []float64{1, 1}, R, true)
}

func originSeed() *finder.FixedPoints {
	return &finder.FixedPoints{N: 2, M: 1, Dtype: "float64", Points: []finder.Point{{X: []float64{0, 0}, U: []float64{0}}}}
}

// With a = 2, |lambda| = 2 sech^2(u) crosses 1 where cosh^2 u = 2:
// u = acosh(sqrt 2) = ln(1 + sqrt 2) = 0.881373587..., a Neimark-Sacker
// point with lambda = e^(i theta).
func TestNeimarkSacker(t *testing.T) {
	const a, theta = 2.0, 1.0
	want := math.Log(1 + math.Sqrt2)
	p := Problem{Cell: rotationCell(a, theta), Start: originSeed(), Path: Segment([]float64{0}, []float64{2})}
	res, e := continueOne(t, p, Settings{}, NeimarkSacker)
	if len(res.Branches) != 1 {
		t.Fatalf("%d branches, want 1", len(res.Branches))
	}
	checkU(t, e, want)
	if d := cmplx.Abs(e.Eigenvalue - cmplx.Exp(complex(0, theta))); d > 1e-8 {
		t.Errorf("critical eigenvalue %v, want e^(i theta) = %v", e.Eigenvalue, cmplx.Exp(complex(0, theta)))
	}
	// The eigenvector of R(theta) for e^(i theta) is (1, -i)/sqrt 2 up to phase.
	v := e.Vector
	if len(v) != 2 || math.Abs(cmplx.Abs(v[0])-1/math.Sqrt2) > 1e-8 || cmplx.Abs(v[1]+complex(0, 1)*v[0]) > 1e-8 {
		t.Errorf("critical eigenvector %v, want (1, -i)/sqrt 2 up to phase", v)
	}
	b := res.Branches[0]
	if first, last := b.Points[0], b.Points[len(b.Points)-1]; first.NUnstable != 2 || !last.Stable {
		t.Errorf("branch from %+v to %+v, want 2 unstable modes to stable", first, last)
	}
}

// The same cell judged as the flow dx/dt = F(x) - x: the pair of J - I has
// real part a sech^2(u) cos(theta) - 1, zero at u = acosh(sqrt(a cos theta)):
// a Hopf point.
func TestHopf(t *testing.T) {
	const a, theta = 2.0, 1.0
	want := math.Acosh(math.Sqrt(a * math.Cos(theta)))
	p := Problem{Cell: rotationCell(a, theta), Start: originSeed(), Path: Segment([]float64{0}, []float64{2})}
	_, e := continueOne(t, p, Settings{ContinuousTime: true}, Hopf)
	checkU(t, e, want)
	if math.Abs(real(e.Eigenvalue)-1) > 1e-8 || math.Abs(imag(e.Eigenvalue)-math.Tan(theta)) > 1e-8 {
		t.Errorf("critical eigenvalue of J %v, want 1 + i tan(theta)", e.Eigenvalue)
	}
}
