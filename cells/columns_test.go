package cells

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// stepValues builds a step of l on B random states (with the column and
// sigmoid ops, or as before them, with selection products and gorgonia's
// nodes, when old is set), the gradient of ½‖F(x) − x‖² (one
// vector-Jacobian product, as graph's objective) and the closed-form
// Jacobian's terms, and returns every value read out, in order.
func stepValues(t *testing.T, l Linearized, dt tensor.Dtype, B int, old bool) [][]float64 {
	t.Helper()
	lstmSelect, sigmoidAsNodes = old, old
	defer func() { lstmSelect, sigmoidAsNodes = false, false }()
	N, M := l.StateSize(), l.InputSize()
	r := rand.New(rand.NewPCG(3, 4))
	vals := func(n int, scale float64) any {
		v64, v32 := make([]float64, n), make([]float32, n)
		for i := range v64 {
			v64[i] = scale * (2*r.Float64() - 1)
			v32[i] = float32(v64[i])
		}
		if dt == tensor.Float32 {
			return v32
		}
		return v64
	}
	g := G.NewGraph()
	x := G.NewMatrix(g, dt, G.WithShape(B, N), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(B, N), tensor.WithBacking(vals(B*N, 3)))))
	u := G.NewMatrix(g, dt, G.WithShape(B, M), G.WithName("u"), G.WithValue(tensor.New(tensor.WithShape(B, M), tensor.WithBacking(vals(B*M, 1)))))
	var p []*G.Node
	for i, par := range l.Params() {
		p = append(p, G.NewMatrix(g, dt, G.WithShape(par.Rows, par.Cols), G.WithName(fmt.Sprintf("p%d", i)),
			G.WithValue(tensor.New(tensor.WithShape(par.Rows, par.Cols), tensor.WithBacking(vals(par.Rows*par.Cols, 0.8))))))
	}
	d, err := l.Drives(u, p)
	if err != nil {
		t.Fatal(err)
	}
	f, terms, err := l.StepJacobian(x, d, p)
	if err != nil {
		t.Fatal(err)
	}
	diff := G.Must(G.Sub(f, x))
	vjp, err := G.Backpropagate(G.Nodes{f}, G.Nodes{diff}, G.Nodes{x})
	if err != nil {
		t.Fatal(err)
	}
	outs := []*G.Node{f, vjp[0]}
	for _, tm := range terms {
		outs = append(outs, tm.Left)
	}
	reads := make([]G.Value, len(outs))
	for i, n := range outs {
		G.Read(n, &reads[i])
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	for run := 0; run < 2; run++ { // the second run writes into kept registers
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		if run == 0 {
			m.Reset()
		}
	}
	var got [][]float64
	for _, v := range reads {
		switch data := v.Data().(type) {
		case []float64:
			got = append(got, append([]float64(nil), data...))
		case []float32:
			w := make([]float64, len(data))
			for i, z := range data {
				w[i] = float64(z)
			}
			got = append(got, w)
		}
	}
	return got
}

// TestLSTMColumnsMatchSelection: the LSTM step built with the column ops
// (and the sigmoid ops, TestSigmoidOpsMatchNodes) gives, bit for bit, the
// next state, the objective's gradient and the Jacobian's terms that the
// products with selection matrices (and gorgonia's nodes) gave, in float64
// and float32, at a hidden size that is a multiple of 256 too (where
// gorgonia's Slice would merge the halves); the GRU, with the sigmoid ops,
// likewise.
func TestLSTMColumnsMatchSelection(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, H := range []int{3, 16, 256} {
			var l Linearized = NewLSTM(H, 2)
			if H == 3 {
				l = NewGRU(5, 2)
			}
			B := 7
			want := stepValues(t, l, dt, B, true)
			got := stepValues(t, l, dt, B, false)
			if len(got) != len(want) || len(got) < 3 {
				t.Fatalf("%v H=%d: %d outputs, want %d (at least 3)", dt, H, len(got), len(want))
			}
			for k := range want {
				if len(got[k]) != len(want[k]) {
					t.Fatalf("%v H=%d output %d: %d values, want %d", dt, H, k, len(got[k]), len(want[k]))
				}
				for i := range want[k] {
					if math.Float64bits(got[k][i]) != math.Float64bits(want[k][i]) && !(got[k][i] == 0 && want[k][i] == 0) {
						t.Fatalf("%v H=%d output %d value %d: %v, selection products give %v", dt, H, k, i, got[k][i], want[k][i])
					}
				}
			}
			nonzero := 0
			for _, v := range got[1] {
				if v != 0 {
					nonzero++
				}
			}
			if nonzero < len(got[1])/2 {
				t.Errorf("%v H=%d: the gradient has %d nonzero values of %d", dt, H, nonzero, len(got[1]))
			}
		}
	}
}

// sigmoidValues builds sigmoid on the values a (one row) and its
// vector-Jacobian product with the seed g, as sigmoid ops or, when old is
// set, as gorgonia's nodes, and returns y and dy/da·g.
func sigmoidValues(t *testing.T, a, g []float64, old bool) (y, da []float64) {
	t.Helper()
	sigmoidAsNodes = old
	defer func() { sigmoidAsNodes = false }()
	gr := G.NewGraph()
	an := G.NewMatrix(gr, tensor.Float64, G.WithShape(1, len(a)), G.WithName("a"), G.WithValue(tensor.New(tensor.WithShape(1, len(a)), tensor.WithBacking(append([]float64(nil), a...)))))
	gn := G.NewMatrix(gr, tensor.Float64, G.WithShape(1, len(g)), G.WithName("g"), G.WithValue(tensor.New(tensor.WithShape(1, len(g)), tensor.WithBacking(append([]float64(nil), g...)))))
	yn, err := sigmoid(an, "s")
	if err != nil {
		t.Fatal(err)
	}
	vjp, err := G.Backpropagate(G.Nodes{yn}, G.Nodes{gn}, G.Nodes{an})
	if err != nil {
		t.Fatal(err)
	}
	var yv, dv G.Value
	G.Read(yn, &yv)
	G.Read(vjp[0], &dv)
	m := G.NewTapeMachine(gr)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	return append([]float64(nil), yv.Data().([]float64)...), append([]float64(nil), dv.Data().([]float64)...)
}

// TestSigmoidOpsMatchNodes: the sigmoid ops give the values and gradients
// of gorgonia's nodes bit for bit, from zeros and subnormals to saturation.
func TestSigmoidOpsMatchNodes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	a := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-310, 1e-20, -1e-8, 0.3, -0.7, 1, 2.5, -17, 40, -40, 800, -800}
	for i := 0; i < 2000; i++ {
		a = append(a, 30*(2*r.Float64()-1), math.Ldexp(2*r.Float64()-1, -r.IntN(60)))
	}
	g := make([]float64, len(a))
	for i := range g {
		g[i] = math.Ldexp(2*r.Float64()-1, r.IntN(20)-10)
	}
	g[2], g[3] = 5e-324, 1e-300
	wy, wd := sigmoidValues(t, a, g, true)
	y, d := sigmoidValues(t, a, g, false)
	for i := range a {
		if math.Float64bits(y[i]) != math.Float64bits(wy[i]) || math.Float64bits(d[i]) != math.Float64bits(wd[i]) {
			t.Fatalf("a = %v, g = %v: y %v, dy %v; gorgonia's nodes give %v, %v", a[i], g[i], y[i], d[i], wy[i], wd[i])
		}
	}
}
