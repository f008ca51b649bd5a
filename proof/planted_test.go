package proof_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/interval"
	"github.com/rnnfp/fixedpoints/proof"
	"gonum.org/v1/gonum/mat"
)

// plantedTanh is the tanh RNN x' = tanh(W x) of N units with W = atanh(V)V⁻¹
// for V uniform in ±0.9 (seeded), whose fixed points include the columns
// of V (W v_k = atanh(v_k)), and V.
func plantedTanh(t *testing.T, N int, seed uint64) (*cells.Vanilla, []float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed+1))
	V := make([]float64, N*N)
	for i := range V {
		V[i] = 0.9 * (2*r.Float64() - 1)
	}
	vt, rhs := mat.NewDense(N, N, nil), mat.NewDense(N, N, nil)
	for i := 0; i < N; i++ {
		for k := 0; k < N; k++ {
			vt.Set(k, i, V[i*N+k])
			rhs.Set(k, i, math.Atanh(V[i*N+k]))
		}
	}
	var wt mat.Dense // Wᵀ: Vᵀ Wᵀ = atanh(V)ᵀ
	if err := wt.Solve(vt, rhs); err != nil {
		t.Fatal(err)
	}
	c := cells.NewVanilla(N, 0, cells.Tanh)
	for _, p := range c.Params() {
		if strings.HasPrefix(p.Name, "w_hh") { // stored as Wᵀ
			copy(p.Data, wt.RawMatrix().Data)
		}
	}
	return c, V
}

// TestProvesIllConditionedRoot: a planted root of a 512-unit tanh network
// (the 6th column of V) where dG is conditioned 1.3e7 and W's entries are
// large: Newton's step C·G(x̃) is bounded by |C|·width(G(x̃)), and the
// Jacobian's enclosure widens as |W|²·r, so the box must be small. It is
// proved, within 1e-8 of the planted point (known by construction; W is
// rounded, so the root moves by about cond·u), with a radius below 1e-9,
// and Newton's point has max|G| <= 2e-15 by G's enclosure (polish).
// With the plain outward step in every interval operation (two ulps where
// directed rounding makes one) and the plain γ_n|W||x| point products,
// G(x̃) was enclosed 1.7e-15 wide and the proof failed ("no contraction":
// ‖I − C·dG(X)‖ > 1 at every radius where the step fits).
func TestProvesIllConditionedRoot(t *testing.T) {
	const N, col = 512, 5
	c, V := plantedTanh(t, N, 11)
	sys := proof.CellSystem(c, nil)
	v := make([]float64, N)
	for i := range v {
		v[i] = V[i*N+col]
	}
	x, g, err := proof.Newton(sys, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Newton polished past the float64 evaluation's floor (max|G| 8e-15
	// there): the rigorous enclosure of G at its result bounds max|G|.
	ge, _, err := sys.Enclose(pointBoxOf(x), false)
	if err != nil {
		t.Fatal(err)
	}
	mag := 0.0
	for _, e := range ge {
		mag = math.Max(mag, e.Mag())
	}
	if mag > 2e-15 {
		t.Errorf("max|G| <= %.3g at Newton's result, want <= 2e-15 (polished)", mag)
	}
	res, err := proof.Krawczyk(sys, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Proved || !(res.Radius > 0 && res.Radius <= 1e-9 && res.Radius <= res.UniqueRadius) {
		t.Fatalf("planted root (max|G| %.3g after Newton): %+v, want proved with 0 < r <= 1e-9, r <= R", g, res)
	}
	d := 0.0
	for i := range x {
		d = math.Max(d, math.Abs(x[i]-v[i]))
	}
	if d > 1e-8 {
		t.Errorf("proved root %.3g from the planted point", d)
	}
	t.Logf("proved: r %.3g, R %.3g, %.3g from the planted point", res.Radius, res.UniqueRadius, d)
}

func pointBoxOf(x []float64) []interval.I {
	out := make([]interval.I, len(x))
	for i, v := range x {
		out[i] = interval.Point(v)
	}
	return out
}
