package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/torchref"
)

// numParts is the number of row blocks the Jacobians run as.
func (j *Jacobians) numParts() int {
	if j.closed != nil {
		return len(j.closed.parts)
	}
	return len(j.parts)
}

// closedTestCells are torchref's cells, the same kinds without inputs, and
// 16-unit ones (the flip-flop sizes) with weights large enough to saturate.
func closedTestCells() map[string]cells.TorchCell {
	cs := torchref.Cells()
	for _, kind := range []string{"rnn", "relu", "gru", "lstm"} {
		for _, m := range []int{0, 3} {
			var c cells.TorchCell
			switch kind {
			case "rnn":
				c = cells.NewVanilla(16, m, cells.Tanh)
			case "relu":
				c = cells.NewVanilla(16, m, cells.ReLU)
			case "gru":
				c = cells.NewGRU(16, m)
			case "lstm":
				c = cells.NewLSTM(16, m)
			}
			c.(interface{ InitUniform(uint64) }).InitUniform(uint64(7 + m))
			for _, p := range c.Params() {
				for k := range p.Data {
					p.Data[k] *= 3
				}
			}
			cs[fmt.Sprintf("%s16-m%d", kind, m)] = c
		}
	}
	return cs
}

// The closed-form Jacobians are the seeded passes' (gorgonia's reverse
// mode through the same step) to rounding, F included exactly, for every
// built-in single-layer kind, with and without inputs, one row block and
// several.
func TestClosedJacobiansMatchSeededPasses(t *testing.T) {
	for name, c := range closedTestCells() {
		for _, B := range []int{3, 700} {
			r := rand.New(rand.NewPCG(11, uint64(B)))
			N, M := c.StateSize(), c.InputSize()
			x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
			closed, err := NewJacobians(c, B, Float64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !closed.ClosedForm() {
				t.Fatalf("%s: NewJacobians is not in closed form", name)
			}
			if B == 700 && N == 16 && runtime.GOMAXPROCS(0) > 1 && closed.numParts() < 2 {
				t.Fatalf("%s: %d row blocks at B = %d", name, closed.numParts(), B)
			}
			seeded, err := NewJacobiansLanes(c, B, DefaultLanes(B, N), Float64)
			if err != nil {
				t.Fatal(err)
			}
			jx, ju := make([]float64, B*N*N), make([]float64, B*N*M)
			sx, su := make([]float64, B*N*N), make([]float64, B*N*M)
			if err := closed.Eval(x, u, jx, ju); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := seeded.Eval(x, u, sx, su); err != nil {
				t.Fatal(err)
			}
			for i, v := range closed.F() {
				if v != seeded.F()[i] {
					t.Fatalf("%s B=%d: F[%d] = %v, seeded %v", name, B, i, v, seeded.F()[i])
				}
			}
			worst := 0.0
			for i := range jx {
				worst = max(worst, math.Abs(jx[i]-sx[i])/max(1, math.Abs(sx[i])))
			}
			for i := range ju {
				worst = max(worst, math.Abs(ju[i]-su[i])/max(1, math.Abs(su[i])))
			}
			if worst > 1e-14 {
				t.Errorf("%s B=%d: closed form differs from the seeded passes by %g", name, B, worst)
			}
		}
	}
}

// The closed-form Jacobians match central differences of torchref's
// plain-Go equations, an independent formula.
func TestClosedJacobiansMatchTorchFiniteDifferences(t *testing.T) {
	const B, h = 4, 1e-6
	for name, c := range closedTestCells() {
		r := rand.New(rand.NewPCG(13, 14))
		N, M := c.StateSize(), c.InputSize()
		x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
		j, err := NewJacobians(c, B, Float64)
		if err != nil {
			t.Fatal(err)
		}
		jx, ju := make([]float64, B*N*N), make([]float64, B*N*M)
		if err := j.Eval(x, u, jx, ju); err != nil {
			t.Fatal(err)
		}
		for b := 0; b < B; b++ {
			xb, ub := x[b*N:(b+1)*N], u[b*M:(b+1)*M]
			diff := func(v []float64, k int) []float64 {
				p, m := append([]float64(nil), v...), append([]float64(nil), v...)
				p[k] += h
				m[k] -= h
				var fp, fm []float64
				if len(v) == N {
					fp, fm = torchref.Step(c, p, ub), torchref.Step(c, m, ub)
				} else {
					fp, fm = torchref.Step(c, xb, p), torchref.Step(c, xb, m)
				}
				for i := range fp {
					fp[i] = (fp[i] - fm[i]) / (2 * h)
				}
				return fp
			}
			for k := 0; k < N; k++ {
				fd := diff(xb, k)
				for i := 0; i < N; i++ {
					if e := relErr(fd[i], jx[b*N*N+i*N+k]); e > 1e-6 {
						t.Errorf("%s: dF[%d]/dx[%d] at %d: %v, differences %v", name, i, k, b, jx[b*N*N+i*N+k], fd[i])
					}
				}
			}
			for k := 0; k < M; k++ {
				fd := diff(ub, k)
				for i := 0; i < N; i++ {
					if e := relErr(fd[i], ju[b*N*M+i*M+k]); e > 1e-6 {
						t.Errorf("%s: dF[%d]/du[%d] at %d: %v, differences %v", name, i, k, b, ju[b*N*M+i*M+k], fd[i])
					}
				}
			}
		}
	}
}

// A GRU with the reset before the product has no closed form of the terms:
// NewJacobians falls back to the seeded passes.
func TestClosedJacobiansFallBack(t *testing.T) {
	g := cells.NewGRU(5, 2)
	g.InitUniform(3)
	g.ResetBeforeLinear = true
	j, err := NewJacobians(g, 2, Float64)
	if err != nil {
		t.Fatal(err)
	}
	if j.ClosedForm() {
		t.Fatal("a GRU with ResetBeforeLinear got closed-form Jacobians")
	}
	if j.Lanes() < 1 {
		t.Fatalf("seeded passes with %d lanes", j.Lanes())
	}
}

// In float32 the closed form agrees with the seeded passes to float32's
// rounding.
func TestClosedJacobiansFloat32(t *testing.T) {
	for _, name := range []string{"gru16-m3", "lstm16-m0", "rnn"} {
		c := closedTestCells()[name]
		const B = 5
		r := rand.New(rand.NewPCG(15, 16))
		N, M := c.StateSize(), c.InputSize()
		x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
		closed, err := NewJacobians(c, B, Float32)
		if err != nil {
			t.Fatal(err)
		}
		seeded, err := NewJacobiansLanes(c, B, N, Float32)
		if err != nil {
			t.Fatal(err)
		}
		jx, sx := make([]float64, B*N*N), make([]float64, B*N*N)
		if err := closed.Eval(x, u, jx, nil); err != nil {
			t.Fatal(err)
		}
		if err := seeded.Eval(x, u, sx, nil); err != nil {
			t.Fatal(err)
		}
		for i := range jx {
			if d := math.Abs(jx[i] - sx[i]); d > 1e-5*max(1, math.Abs(sx[i])) {
				t.Fatalf("%s: jx[%d] = %v, seeded %v", name, i, jx[i], sx[i])
			}
		}
	}
}

// A batch whose rows repeat (a finder batch's padding repeats its last
// point) gets, at each repeated row, the matrices of that point computed on
// its own: bit for bit those of the same point among distinct neighbours.
// Half the batch repeats one point, so that the copies run in every row
// block.
func TestClosedJacobiansRepeatedRows(t *testing.T) {
	for name, c := range closedTestCells() {
		const B = 64
		r := rand.New(rand.NewPCG(13, 14))
		N, M := c.StateSize(), c.InputSize()
		x, u := torchref.RandVec(r, B*N), torchref.RandVec(r, B*M)
		rep, repU := append([]float64(nil), x...), append([]float64(nil), u...)
		for b := B / 4; b < 3*B/4; b++ { // rows B/4 .. 3B/4-1 repeat row B/4
			copy(rep[b*N:(b+1)*N], x[(B/4)*N:(B/4+1)*N])
			copy(repU[b*M:(b+1)*M], u[(B/4)*M:(B/4+1)*M])
		}
		j, err := NewJacobians(c, B, Float64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		jx, ju := make([]float64, B*N*N), make([]float64, B*N*M)
		if err := j.Eval(x, u, jx, ju); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := append([]float64(nil), jx[(B/4)*N*N:(B/4+1)*N*N]...)
		wantU := append([]float64(nil), ju[(B/4)*N*M:(B/4+1)*N*M]...)
		if err := j.Eval(rep, repU, jx, ju); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for b := B / 4; b < 3*B/4; b++ {
			for i, v := range jx[b*N*N : (b+1)*N*N] {
				if math.Float64bits(v) != math.Float64bits(want[i]) {
					t.Fatalf("%s: row %d dF/dx[%d] = %v, the point's own %v", name, b, i, v, want[i])
				}
			}
			for i, v := range ju[b*N*M : (b+1)*N*M] {
				if math.Float64bits(v) != math.Float64bits(wantU[i]) {
					t.Fatalf("%s: row %d dF/du[%d] = %v, the point's own %v", name, b, i, v, wantU[i])
				}
			}
		}
	}
}

// TestAddTermMatchesLoop: a weight term without a right coefficient adds
// li·w to each row as the plain loop row[k] += li*w[k] does, bit for bit
// (one rounded product and one rounded addition an entry), on rows of
// every length the kernel splits and entries of many scales.
func TestAddTermMatchesLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	draw := func() float64 { return r.NormFloat64() * math.Exp2(float64(r.IntN(60)-30)) }
	for _, cols := range []int{1, 3, 4, 7, 16, 17, 33} {
		const rows, B, stride = 5, 3, 40
		cf := &closedForm{coef: [][]float64{make([]float64, B*rows)}}
		for i := range cf.coef[0] {
			cf.coef[0][i] = draw()
		}
		tm := closedTerm{row: 2, col: 1, rows: rows, cols: cols, w: make([]float64, rows*cols), left: 0, right: -1}
		for i := range tm.w {
			tm.w[i] = draw()
		}
		for b := 0; b < B; b++ {
			got := make([]float64, (tm.row+rows)*stride)
			for i := range got {
				got[i] = draw()
			}
			want := append([]float64(nil), got...)
			cf.addTerm(&tm, b, got, stride)
			for i := 0; i < rows; i++ {
				li := cf.coef[0][b*rows+i]
				for k := 0; k < cols; k++ {
					e := &want[(tm.row+i)*stride+tm.col+k]
					*e = *e + float64(li*tm.w[i*cols+k])
				}
			}
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("cols %d, point %d: entry %d = %v, the loop's %v", cols, b, i, got[i], want[i])
				}
			}
		}
	}
}
