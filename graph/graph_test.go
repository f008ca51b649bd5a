package graph

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/torchref"
)

func TestStepMatchesTorchEquations(t *testing.T) {
	const B = 7
	for name, c := range torchref.Cells() {
		r := rand.New(rand.NewPCG(1, 2))
		N, M := c.StateSize(), c.InputSize()
		x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
		o, err := NewObjective(c, B, Float64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := o.SetStates(x); err != nil {
			t.Fatal(err)
		}
		if err := o.SetInputs(u); err != nil {
			t.Fatal(err)
		}
		if err := o.Eval(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for b := 0; b < B; b++ {
			want := torchref.Step(c, x[b*N:(b+1)*N], u[b*M:(b+1)*M])
			q := 0.0
			for i := range want {
				if d := math.Abs(o.F()[b*N+i] - want[i]); d > 1e-14 {
					t.Errorf("%s: F[%d][%d] = %v, want %v (diff %g)", name, b, i, o.F()[b*N+i], want[i], d)
				}
				q += 0.5 * (want[i] - x[b*N+i]) * (want[i] - x[b*N+i])
			}
			if math.Abs(o.Q()[b]-q) > 1e-13*math.Max(1, q) {
				t.Errorf("%s: q[%d] = %v, want %v", name, b, o.Q()[b], q)
			}
		}
	}
}

func relErr(a, b float64) float64 {
	return math.Abs(a-b) / math.Max(1e-3, math.Max(math.Abs(a), math.Abs(b)))
}

func TestGradientAndJacobiansMatchFiniteDifferences(t *testing.T) {
	const B, h = 3, 1e-6
	for name, c := range torchref.Cells() {
		r := rand.New(rand.NewPCG(3, 4))
		N, M := c.StateSize(), c.InputSize()
		x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
		o, err := NewObjective(c, B, Float64)
		if err != nil {
			t.Fatal(err)
		}
		o.SetInputs(u)
		o.SetStates(x)
		if err := o.Eval(); err != nil {
			t.Fatal(err)
		}
		grad := append([]float64(nil), o.Grad()...)
		j, err := NewJacobians(c, B, Float64)
		if err != nil {
			t.Fatal(err)
		}
		jx, ju := make([]float64, B*N*N), make([]float64, B*N*M)
		if err := j.Eval(x, u, jx, ju); err != nil {
			t.Fatal(err)
		}
		eval := func(x, u []float64) ([]float64, []float64) {
			o.SetStates(x)
			o.SetInputs(u)
			if err := o.Eval(); err != nil {
				t.Fatal(err)
			}
			return append([]float64(nil), o.F()...), append([]float64(nil), o.Q()...)
		}
		for k := 0; k < N; k++ {
			xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
			for b := 0; b < B; b++ {
				xp[b*N+k] += h
				xm[b*N+k] -= h
			}
			fp, qp := eval(xp, u)
			fm, qm := eval(xm, u)
			for b := 0; b < B; b++ {
				if e := relErr((qp[b]-qm[b])/(2*h), grad[b*N+k]); e > 1e-6 {
					t.Errorf("%s: dq[%d]/dx[%d] rel err %g", name, b, k, e)
				}
				for i := 0; i < N; i++ {
					fd := (fp[b*N+i] - fm[b*N+i]) / (2 * h)
					if e := relErr(fd, jx[b*N*N+i*N+k]); e > 1e-6 {
						t.Errorf("%s: dF[%d]/dx[%d] at %d: %v vs fd %v", name, i, k, b, jx[b*N*N+i*N+k], fd)
					}
				}
			}
		}
		for k := 0; k < M; k++ {
			up, um := append([]float64(nil), u...), append([]float64(nil), u...)
			for b := 0; b < B; b++ {
				up[b*M+k] += h
				um[b*M+k] -= h
			}
			fp, _ := eval(x, up)
			fm, _ := eval(x, um)
			for b := 0; b < B; b++ {
				for i := 0; i < N; i++ {
					fd := (fp[b*N+i] - fm[b*N+i]) / (2 * h)
					if e := relErr(fd, ju[b*N*M+i*M+k]); e > 1e-6 {
						t.Errorf("%s: dF[%d]/du[%d] at %d: %v vs fd %v", name, i, k, b, ju[b*N*M+i*M+k], fd)
					}
				}
			}
		}
	}
}

func TestSimulateMatchesSteps(t *testing.T) {
	c := torchref.Cells()["lstm"]
	r := rand.New(rand.NewPCG(5, 6))
	B, T, N, M := 2, 5, c.StateSize(), c.InputSize()
	in := torchref.RandVec(r, B*T*M)
	x0 := torchref.RandVec(r, B*N)
	got, err := Simulate(context.Background(), c, x0, in, B, T, Float64)
	if err != nil {
		t.Fatal(err)
	}
	for b := 0; b < B; b++ {
		x := x0[b*N : (b+1)*N]
		for tt := 0; tt < T; tt++ {
			x = torchref.Step(c, x, in[(b*T+tt)*M:(b*T+tt+1)*M])
			for i := range x {
				if d := math.Abs(got[(b*T+tt)*N+i] - x[i]); d > 1e-14 {
					t.Fatalf("trial %d t %d unit %d: %v vs %v", b, tt, i, got[(b*T+tt)*N+i], x[i])
				}
			}
		}
	}
}

func TestJacobianLanesAgree(t *testing.T) {
	c := torchref.Cells()["lstm"]
	r := rand.New(rand.NewPCG(9, 9))
	const B = 3
	N, M := c.StateSize(), c.InputSize()
	x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
	var ref []float64
	for _, L := range []int{1, 3, N} {
		j, err := NewJacobiansLanes(c, B, L, Float64)
		if err != nil {
			t.Fatal(err)
		}
		jx, ju := make([]float64, B*N*N), make([]float64, B*N*M)
		if err := j.Eval(x, u, jx, ju); err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = jx
			continue
		}
		for i := range jx {
			if jx[i] != ref[i] {
				t.Fatalf("lanes %d: jx[%d] = %v, want %v", L, i, jx[i], ref[i])
			}
		}
	}
}

// TestLSTMHidden256 guards the gorgonia trap where slices whose bounds
// differ by a multiple of 256 are merged: h and c of an LSTM with H = 256
// must not be confused, in F or in the gradient.
func TestLSTMHidden256(t *testing.T) {
	c := cells.NewLSTM(256, 2)
	c.InitUniform(3)
	r := rand.New(rand.NewPCG(7, 8))
	const B = 2
	N, M := c.StateSize(), c.InputSize()
	x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
	o, err := NewObjective(c, B, Float64)
	if err != nil {
		t.Fatal(err)
	}
	o.SetStates(x)
	o.SetInputs(u)
	if err := o.Eval(); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < B; b++ {
		want := torchref.Step(c, x[b*N:(b+1)*N], u[b*M:(b+1)*M])
		for i := range want {
			if d := math.Abs(o.F()[b*N+i] - want[i]); d > 1e-13 {
				t.Fatalf("F[%d][%d] = %v, want %v", b, i, o.F()[b*N+i], want[i])
			}
		}
	}
	// The gradient of q along c (unit H+5) and h (unit 5) by central differences.
	grad := append([]float64(nil), o.Grad()...)
	for _, k := range []int{5, 256 + 5} {
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		xp[k] += 1e-6
		xm[k] -= 1e-6
		o.SetStates(xp)
		o.Eval()
		qp := o.Q()[0]
		o.SetStates(xm)
		o.Eval()
		qm := o.Q()[0]
		if e := relErr((qp-qm)/2e-6, grad[k]); e > 1e-6 {
			t.Errorf("dq/dx[%d]: %v vs finite difference %v", k, grad[k], (qp-qm)/2e-6)
		}
	}
}

// TestJacobianPartsAgree: a batch large enough to run as concurrent row
// blocks gives the same Jacobians as single points.
func TestJacobianPartsAgree(t *testing.T) {
	c := torchref.Cells()["gru"]
	r := rand.New(rand.NewPCG(5, 5))
	const B = 900
	N, M := c.StateSize(), c.InputSize()
	x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
	big, err := NewJacobiansLanes(c, B, DefaultLanes(B, N), Float64) // seeded: closed forms are TestClosedJacobiansMatchSeededPasses
	if err != nil {
		t.Fatal(err)
	}
	if big.numParts() < 2 && runtime.GOMAXPROCS(0) > 1 {
		t.Fatalf("%d parts: the test does not exercise row blocks", big.numParts())
	}
	jx, ju := make([]float64, B*N*N), make([]float64, B*N*M)
	if err := big.Eval(x, u, jx, ju); err != nil {
		t.Fatal(err)
	}
	one, err := NewJacobiansLanes(c, 1, DefaultLanes(1, N), Float64)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []int{0, 1, B / 2, B - 1} {
		jx1, ju1 := make([]float64, N*N), make([]float64, N*M)
		if err := one.Eval(x[b*N:(b+1)*N], u[b*M:(b+1)*M], jx1, ju1); err != nil {
			t.Fatal(err)
		}
		for i := range jx1 {
			if d := math.Abs(jx1[i] - jx[b*N*N+i]); d > 1e-15 {
				t.Fatalf("point %d: jx[%d] differs by %g", b, i, d)
			}
		}
		for i := range ju1 {
			if d := math.Abs(ju1[i] - ju[b*N*M+i]); d > 1e-15 {
				t.Fatalf("point %d: ju[%d] differs by %g", b, i, d)
			}
		}
		for i := 0; i < N; i++ {
			if big.F()[b*N+i] != one.F()[i] {
				t.Fatalf("point %d: F differs", b)
			}
		}
	}
}

// TestStepperPartsAgree: a batch run as row blocks steps every row as the
// plain-Go equations do.
func TestStepperPartsAgree(t *testing.T) {
	c := torchref.Cells()["lstm"]
	r := rand.New(rand.NewPCG(6, 6))
	const B = 1100
	N, M := c.StateSize(), c.InputSize()
	x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
	st, err := NewStepper(c, B, Float64)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.parts) < 2 && runtime.GOMAXPROCS(0) > 1 {
		t.Fatalf("%d parts: the test does not exercise row blocks", len(st.parts))
	}
	out := make([]float64, B*N)
	if err := st.Step(x, u, out); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < B; b += 37 {
		want := torchref.Step(c, x[b*N:(b+1)*N], u[b*M:(b+1)*M])
		for i := range want {
			if d := math.Abs(out[b*N+i] - want[i]); d > 1e-14 {
				t.Fatalf("row %d unit %d: %v, want %v", b, i, out[b*N+i], want[i])
			}
		}
	}
}

// DefaultLanes makes about 4096 rows per pass (fewer for wide networks) and
// spreads the lanes evenly over the passes, so no pass is mostly idle.
func TestDefaultLanes(t *testing.T) {
	for _, c := range []struct{ B, N, want int }{
		{1024, 16, 4}, {1024, 32, 4}, {64, 32, 32}, {1, 16, 16}, {5000, 16, 1}, {256, 256, 16},
		{3, 1000, 500}, // 682 lanes would leave the second pass 318 wide
		{32, 1000, 63}, // 16 passes of 63 (last 55) rather than 15 of 64 and one of 40
	} {
		if got := DefaultLanes(c.B, c.N); got != c.want {
			t.Errorf("DefaultLanes(%d, %d) = %d, want %d", c.B, c.N, got, c.want)
		}
	}
	// Over all passes fewer lanes idle than there are passes: the fewest
	// passes of the most rows, and no lane-width wasted.
	for B := 1; B <= 4096; B = B*3 + 1 {
		for N := 1; N <= 1200; N = N*2 + 3 {
			L := DefaultLanes(B, N)
			P := (N + L - 1) / L
			most := max(1, min(N, min(4096, (1<<21)/N)/B))
			if L < 1 || L > most || P != (N+most-1)/most || P*L-N >= P {
				t.Errorf("DefaultLanes(%d, %d) = %d: %d passes, %d idle lanes", B, N, L, P, P*L-N)
			}
		}
	}
}
