package finder

import (
	"context"
	"math"
	"math/cmplx"
	"testing"
)

// sameStability compares the leading-mode decomposition of fp's points
// with the full one: the same saddle index, stable and marginal counts and
// flags, the listed eigenvalues equal to the full decomposition's largest
// to 1e-10 and within the two decompositions' error bounds, every unlisted
// full eigenvalue below the proven bound, and the
// eigenvector equations J r = lambda r, l^H J = lambda l^H to 1e-10.
func sameStability(t *testing.T, name string, fp *FixedPoints) (leading int) {
	t.Helper()
	full := &FixedPoints{N: fp.N, M: fp.M, Points: append([]Point(nil), fp.Points...)}
	lead := &FixedPoints{N: fp.N, M: fp.M, Points: append([]Point(nil), fp.Points...)}
	if err := Decompose(full, Settings{Eigen: FullEigen}); err != nil {
		t.Fatal(err)
	}
	if err := Decompose(lead, Settings{Eigen: LeadingEigen, LeadingModes: 4}); err != nil {
		t.Fatal(err)
	}
	N := fp.N
	for k := range fp.Points {
		f, l := full.Points[k], lead.Points[k]
		fs, ls := f.Stability, l.Stability
		if !ls.Leading {
			// The proof failed and the full decomposition was used.
			if len(l.Modes) != N {
				t.Errorf("%s point %d: not leading but %d modes", name, k, len(l.Modes))
			}
			continue
		}
		leading++
		if fs.NUnstable != ls.NUnstable || fs.Stable != ls.Stable || fs.NMarginal != ls.NMarginal || fs.Flip != ls.Flip || fs.Oscillatory != ls.Oscillatory {
			t.Errorf("%s point %d: leading %+v, full %+v", name, k, ls, fs)
		}
		if math.Abs(fs.MaxAbs-ls.MaxAbs) > 1e-10 {
			t.Errorf("%s point %d: max |lambda| %v, full %v", name, k, ls.MaxAbs, fs.MaxAbs)
		}
		for i, m := range l.Modes {
			d := cmplx.Abs(m.Value - f.Modes[i].Value)
			if d > 1e-10*math.Max(1, cmplx.Abs(m.Value)) {
				t.Errorf("%s point %d: leading mode %d = %v, full %v", name, k, i, m.Value, f.Modes[i].Value)
			}
			// Each decomposition's value lies within its bound of the
			// true one, so the two lie within the sum of the bounds.
			if !(d <= m.Bound+f.Modes[i].Bound) {
				t.Errorf("%s point %d: leading mode %d = %v and full %v differ by %g, more than their bounds %g + %g", name, k, i, m.Value, f.Modes[i].Value, d, m.Bound, f.Modes[i].Bound)
			}
			checkEigenvectors(t, name, N, l.Jacobian, m)
		}
		for _, m := range f.Modes[len(l.Modes):] {
			if a := cmplx.Abs(m.Value); a > ls.RemainderBound {
				t.Errorf("%s point %d: unlisted mode %v above the bound %v", name, k, m.Value, ls.RemainderBound)
			}
		}
		if !(ls.RemainderBound < 1-DefaultSettings().MarginalTol) {
			t.Errorf("%s point %d: remainder bound %v", name, k, ls.RemainderBound)
		}
	}
	return leading
}

func checkEigenvectors(t *testing.T, name string, N int, J []float64, m Mode) {
	t.Helper()
	for i := 0; i < N; i++ {
		var jr, lj complex128
		for k := 0; k < N; k++ {
			jr += complex(J[i*N+k], 0) * m.Right[k]
			lj += cmplx.Conj(m.Left[k]) * complex(J[k*N+i], 0)
		}
		if cmplx.Abs(jr-m.Value*m.Right[i]) > 1e-10 || cmplx.Abs(lj-m.Value*cmplx.Conj(m.Left[i])) > 1e-10 {
			t.Fatalf("%s: eigenvector equations fail for lambda = %v at row %d", name, m.Value, i)
		}
	}
}

// TestLeadingModesBattery: on the battery's networks the leading modes give
// the same stability as the full decomposition, and where the leading
// modes cannot be separated from the rest (most modes outside the unit
// circle), the full decomposition is used.
func TestLeadingModesBattery(t *testing.T) {
	cases := []batteryCase{}
	cell, xi := hopfieldBlocks(3, 40, 2, 3)
	cases = append(cases, batteryCase{"hopfield P=3 N=120", Problem{Cell: cell, InitialStates: hopfieldStarts(xi, 4)}})
	cases = append(cases, batteryCase{"flipflop N=5 w=2", Problem{Cell: flipflopCell(5, 2), InitialStates: grid(5, 5, -1.5, 1.5)}})
	cases = append(cases, batteryCase{"planted N=64", plantedProblem(t, 64, 1, 11)})
	for _, bc := range cases {
		res := find(t, bc.p, &Settings{NoDecompose: true})
		n := sameStability(t, bc.name, res.Fixed)
		t.Logf("%s: %d of %d points by leading modes", bc.name, n, res.Fixed.Len())
	}
}

// TestLeadingModesTrained: the same on the trained flip-flop GRU.
func TestLeadingModesTrained(t *testing.T) {
	p := flipFlopProblem(t, "gru")
	res, err := Find(context.Background(), p, &Settings{NoDecompose: true})
	if err != nil {
		t.Fatal(err)
	}
	n := sameStability(t, "gru16", res.Fixed)
	if n < res.Fixed.Len()/2 {
		t.Errorf("only %d of %d points by leading modes", n, res.Fixed.Len())
	}
	t.Logf("%d of %d points by leading modes", n, res.Fixed.Len())
}
