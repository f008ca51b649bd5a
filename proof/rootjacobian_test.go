package proof_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/proof"
)

// TestRootJacobianGRU: a GRU with update-gate biases 30 and 40 on two
// units (D = 1 - z down to 4e-18) at its proved root. The enclosure of dF/dx
// around the central-difference Jacobian of the plain-Go GRU step (an
// answer independent of the cells' interval code) is as tight as the
// differences are accurate, and around a center moved by 1e-3 it still
// holds that Jacobian: dF/dx = I + diag(D) dG/dx, which without the D
// factor would be dn/dh on the saturated rows instead of nearly e_i.
func TestRootJacobianGRU(t *testing.T) {
	c := cells.NewGRU(3, 0)
	c.InitUniform(7)
	bz := c.Params()[4*1+2].Data // b_iz
	bz[0], bz[1] = 30, 40
	root := newtonG(t, c, []float64{0, 0, 0})
	res, err := proof.Krawczyk(proof.CellSystem(c, nil), root, nil)
	if err != nil || !res.Proved {
		t.Fatalf("root %v: %+v, %v", root, res, err)
	}
	N := len(root)
	fd := make([]float64, N*N)
	const h = 1e-6
	for j := 0; j < N; j++ {
		xp, xm := append([]float64(nil), root...), append([]float64(nil), root...)
		xp[j] += h
		xm[j] -= h
		fp, fm := stepGRU(c, xp), stepGRU(c, xm)
		for i := 0; i < N; i++ {
			fd[i*N+j] = (fp[i] - fm[i]) / (2 * h)
		}
	}
	rad, err := proof.RootJacobianRadius(c, root, nil, res.Radius, fd)
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range rad {
		if r > 1e-8 {
			t.Errorf("entry %d,%d: radius %.3g around the difference Jacobian %.6g, want <= 1e-8", k/N, k%N, r, fd[k])
		}
	}
	for i := 0; i < 2; i++ {
		for j := 0; j < N; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(fd[i*N+j]-want) > 1e-8 {
				t.Fatalf("saturated row %d: difference Jacobian %v, want e_%d: the test's premise is wrong", i, fd[i*N:(i+1)*N], i)
			}
		}
	}
	moved := make([]float64, N*N)
	for k := range moved {
		moved[k] = fd[k] + 1e-3*float64(1-2*(k%2))
	}
	rad, err = proof.RootJacobianRadius(c, root, nil, res.Radius, moved)
	if err != nil {
		t.Fatal(err)
	}
	for k := range rad {
		if d := math.Abs(fd[k] - moved[k]); d > rad[k]+1e-8 || rad[k] > 1e-3+1e-8 {
			t.Errorf("entry %d: moved center %.6g, radius %.6g, difference Jacobian %.6g", k, moved[k], rad[k], fd[k])
		}
	}
}

// TestRootJacobianOverflow: weights that overflow an enclosure give an
// error wrapping cells.ErrOverflow, never radii.
func TestRootJacobianOverflow(t *testing.T) {
	c := cells.NewGRU(2, 0)
	c.InitUniform(3)
	for _, p := range c.Params() {
		for i := range p.Data {
			p.Data[i] = 1e308
		}
	}
	_, err := proof.RootJacobianRadius(c, []float64{1, 1}, nil, 1e-9, make([]float64, 4))
	if err == nil {
		t.Fatal("no error for overflowing weights")
	}
	t.Log(err)
}

// factoredOnly hides a cell's concrete type: RootJacobianRadius takes its
// Factor's D and J.
type factoredOnly struct{ cells.Factored }

// TestRootJacobianVanillaIsFactors: for the vanilla RNN, RootJacobianRadius
// (D = 1 and FactorJacobian's J) gives Factor's radii bit for bit, and
// fails exactly when the Factor path fails, on boxes from a point to
// radius 10, at saturating and overflowing weights, with huge and NaN
// states, for tanh and relu.
func TestRootJacobianVanillaIsFactors(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	compared, failed := 0, 0
	for _, act := range []cells.Nonlinearity{cells.Tanh, cells.ReLU} {
		for _, w := range []float64{1, 6, 1e306, math.Inf(1)} {
			v := cells.NewVanilla(7, 2, act)
			v.InitUniform(rng.Uint64())
			for i := range v.Params()[1].Data {
				v.Params()[1].Data[i] *= w
			}
			for _, sx := range []float64{0.5, 1e299, 1e301, math.NaN()} {
				for _, r := range []float64{0, 1e-12, 1e-3, 1, 10} {
					x := make([]float64, 7)
					center := make([]float64, 49)
					for i := range x {
						x[i] = rng.Float64() - 0.5
					}
					for i := range center {
						center[i] = rng.NormFloat64()
					}
					x[rng.IntN(7)] = sx
					u := []float64{rng.Float64(), -rng.Float64()}
					a, aerr := proof.RootJacobianRadius(v, x, u, r, center)
					b, berr := proof.RootJacobianRadius(factoredOnly{v}, x, u, r, center)
					if (aerr != nil) != (berr != nil) || aerr != nil && errors.Is(aerr, cells.ErrOverflow) != errors.Is(berr, cells.ErrOverflow) {
						t.Fatalf("act %v, w %g, x %g, r %g: errors %v and %v", act, w, sx, r, aerr, berr)
					}
					if aerr != nil {
						failed++
						continue
					}
					for k := range a {
						if math.Float64bits(a[k]) != math.Float64bits(b[k]) {
							t.Fatalf("act %v, w %g, x %g, r %g: radius %d is %g, Factor's %g", act, w, sx, r, k, a[k], b[k])
						}
					}
					compared++
				}
			}
		}
	}
	if compared < 40 || failed < 10 {
		t.Errorf("%d radii compared, %d failures: too few", compared, failed)
	}
	t.Logf("%d radii compared, %d failures matched", compared, failed)
}
