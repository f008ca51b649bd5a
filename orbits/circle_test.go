package orbits

import (
	"context"
	"math"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
)

// nsCell is the planar Neimark-Sacker normal form
//
//	z' = e^{i omega} z (1 + mu - |z|^2)   (z = x_1 + i x_2),
//
// whose invariant circle |z| = sqrt(mu) is turned by omega each step.
type nsCell struct{ params []*cells.Param }

func newNSCell(mu, omega float64) *nsCell {
	rT := cells.NewParam("r_T", 2, 2) // R(omega)^T
	rT.Set(0, 0, math.Cos(omega))
	rT.Set(1, 1, math.Cos(omega))
	rT.Set(0, 1, math.Sin(omega))
	rT.Set(1, 0, -math.Sin(omega))
	aT := cells.NewParam("a_T", 2, 2) // (1 + mu) R(omega)^T
	for i := range aT.Data {
		aT.Data[i] = (1 + mu) * rT.Data[i]
	}
	ones := cells.NewParam("ones", 2, 2)
	for i := range ones.Data {
		ones.Data[i] = 1
	}
	return &nsCell{params: []*cells.Param{aT, rT, ones}}
}

func (c *nsCell) StateSize() int         { return 2 }
func (c *nsCell) InputSize() int         { return 0 }
func (c *nsCell) Params() []*cells.Param { return c.params }
func (c *nsCell) Step(x, u *G.Node, p []*G.Node) (*G.Node, error) {
	lin, err := G.Mul(x, p[0])
	if err != nil {
		return nil, err
	}
	rot, err := G.Mul(x, p[1])
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(x)
	if err != nil {
		return nil, err
	}
	r2, err := G.Mul(sq, p[2])
	if err != nil {
		return nil, err
	}
	cub, err := G.HadamardProd(r2, rot)
	if err != nil {
		return nil, err
	}
	return G.Sub(lin, cub)
}

func TestNeimarkSackerCircle(t *testing.T) {
	const mu, omega = 0.2, 0.7
	c := newNSCell(mu, omega)
	e := newEvaluator(c, nil)
	x := []float64{0.05, 0.02}
	var traj []float64
	for step := 0; step < 210; step++ {
		f, err := e.step(x)
		if err != nil {
			t.Fatal(err)
		}
		x = f
		if step >= 10 { // still 0.6^10 ~ 6e-3 off the circle: Newton has work to do
			traj = append(traj, x...)
		}
	}
	circ, err := RefineCircle(context.Background(), c, nil, traj, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(circ.Rotation-omega) > 1e-8 {
		t.Errorf("rotation %.15g, want %.15g", circ.Rotation, omega)
	}
	// Along the circle |z| does not change (exponent 0); across it the
	// radius map r -> r (1 + mu - r^2) has slope 1 - 2 mu at r = sqrt(mu):
	// exponent log(1 - 2 mu) exactly, at every point.
	if e := circ.Exponents; len(e) != 2 || math.Abs(e[0]) > 1e-3 || math.Abs(e[1]-math.Log(1-2*mu)) > 1e-3 {
		t.Errorf("exponents %v, want 0 and log(1 - 2 mu) = %.6f", e, math.Log(1-2*mu))
	}
	worst := 0.0
	for k := 0; k < 360; k++ {
		p := circ.At(2 * math.Pi * float64(k) / 360)
		worst = math.Max(worst, math.Abs(math.Hypot(p[0], p[1])-math.Sqrt(mu)))
	}
	if worst > 1e-8 || circ.Check > 1e-8 {
		t.Errorf("radius off by %.2g (check residual %.2g), want within 1e-8 of %g", worst, circ.Check, math.Sqrt(mu))
	}
	t.Logf("rotation %.15g (want %.15g), radius error %.2g, residual %.2g, check %.2g, exponents %v (want 0, %v)", circ.Rotation, omega, worst, circ.Residual, circ.Check, circ.Exponents, math.Log(1-2*mu))
}

// A rotating tanh RNN, x' = tanh(1.3 R(0.5) x) (2 units): the origin is an
// unstable focus and the network runs on an invariant circle that is not
// round. RefineCircle's circle satisfies F(K(theta)) = K(theta + rotation)
// at 360 angles, checked in plain Go, and its rotation matches the mean
// turn per step of a 20000-step simulation in plain Go.
func TestRotatingRNNCircle(t *testing.T) {
	const gain, angle = 1.3, 0.5
	c := cells.NewVanilla(2, 0, cells.Tanh)
	w := c.Params()[1] // W^T
	ca, sa := gain*math.Cos(angle), gain*math.Sin(angle)
	w.Set(0, 0, ca)
	w.Set(1, 1, ca)
	w.Set(0, 1, sa) // W[1][0] = sin
	w.Set(1, 0, -sa)
	f := func(x []float64) []float64 {
		return []float64{math.Tanh(ca*x[0] - sa*x[1]), math.Tanh(sa*x[0] + ca*x[1])}
	}
	x := []float64{0.1, 0}
	for i := 0; i < 500; i++ {
		x = f(x)
	}
	var traj []float64
	for i := 0; i < 400; i++ {
		traj = append(traj, x...)
		x = f(x)
	}
	circ, err := RefineCircle(context.Background(), c, nil, traj, &CircleSettings{Harmonics: 40})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for k := 0; k < 360; k++ {
		th := 2 * math.Pi * float64(k) / 360
		a, b := f(circ.At(th)), circ.At(th+circ.Rotation)
		worst = math.Max(worst, math.Max(math.Abs(a[0]-b[0]), math.Abs(a[1]-b[1])))
	}
	// The mean turn per step over a long run.
	turn, prev := 0.0, math.Atan2(x[1], x[0])
	const steps = 20000
	for i := 0; i < steps; i++ {
		x = f(x)
		a := math.Atan2(x[1], x[0])
		turn += math.Remainder(a-prev, 2*math.Pi)
		prev = a
	}
	mean := turn / steps
	if worst > 1e-9 || math.Abs(circ.Rotation-mean) > 1e-4 {
		t.Errorf("invariance error %.2g (want 1e-9), rotation %.9f vs simulated %.9f", worst, circ.Rotation, mean)
	}
	t.Logf("rotation %.12f (simulation: %.12f over %d steps), invariance error %.2g, collocation residual %.2g, check %.2g", circ.Rotation, mean, steps, worst, circ.Residual, circ.Check)
}

// FindCircles: from 6 initial states of the rotating tanh RNN (one at the
// unstable focus itself, which stays there) it finds its one invariant
// circle: invariant to 1e-12 in plain Go, turned as a long simulation turns.
func TestFindCircles(t *testing.T) {
	const gain, angle = 1.3, 0.5
	c := cells.NewVanilla(2, 0, cells.Tanh)
	w := c.Params()[1]
	ca, sa := gain*math.Cos(angle), gain*math.Sin(angle)
	w.Set(0, 0, ca)
	w.Set(1, 1, ca)
	w.Set(0, 1, sa)
	w.Set(1, 0, -sa)
	res, err := FindCircles(context.Background(), Problem{Cell: c, InitialStates: []float64{0, 0, 0.1, 0, -0.5, 0.5, 0.9, 0.9, 0, -0.05, 1, -1}}, 0, 0, &CircleSettings{Harmonics: 40})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Circles) != 1 || res.Settled != 1 {
		t.Fatalf("%d circles, %d settled (want 1 and 1: the focus)", len(res.Circles), res.Settled)
	}
	// Independent checks in plain Go: invariance at 360 angles, and the
	// rotation against a long simulation's mean turn.
	f := func(x []float64) []float64 {
		return []float64{math.Tanh(ca*x[0] - sa*x[1]), math.Tanh(sa*x[0] + ca*x[1])}
	}
	circ := &res.Circles[0]
	worst := 0.0
	for k := 0; k < 360; k++ {
		th := 2 * math.Pi * float64(k) / 360
		a, b := f(circ.At(th)), circ.At(th+circ.Rotation)
		worst = math.Max(worst, math.Max(math.Abs(a[0]-b[0]), math.Abs(a[1]-b[1])))
	}
	x := []float64{0.1, 0}
	for i := 0; i < 500; i++ {
		x = f(x)
	}
	turn, prev := 0.0, math.Atan2(x[1], x[0])
	for i := 0; i < 20000; i++ {
		x = f(x)
		a := math.Atan2(x[1], x[0])
		turn += math.Remainder(a-prev, 2*math.Pi)
		prev = a
	}
	if worst > 1e-12 || math.Abs(circ.Rotation-turn/20000) > 1e-4 {
		t.Errorf("invariance error %.2g, rotation %.9f vs simulated %.9f", worst, circ.Rotation, turn/20000)
	}
}
