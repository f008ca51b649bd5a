package stability

import (
	"math"
	"testing"
)

// TestProveModes: the modes of the box's midpoint, in another order (as
// Decompose sorts them) and for the map and the flow, get the proved
// classes of the true eigenvalues; a mode list that does not match the
// components proves nothing.
func TestProveModes(t *testing.T) {
	blocks := []block{realBlock("40001/40000"), pairBlock("3/5", "8001/10000"), realBlock("1/2"), realBlock("-11/10"), jordanBlock("1", "0"), realBlock("0")}
	N, mid, rad, roots := build(blocks, 0.3, 1e-13, 21)
	e := enclose(t, N, mid, rad)
	if !e.Proved {
		t.Fatal(e.Reason)
	}
	vals, _, _, err := geev(N, mid, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, continuous := range []bool{false, true} {
		modes := make([]Mode, N)
		for k := range modes {
			v := vals[N-1-k]
			if continuous {
				v -= 1
			}
			modes[k] = Mode{Value: v, Bound: math.Inf(1)}
		}
		n := Prove(modes, e, continuous)
		// All but the Jordan block at 1 (two modes) are decided.
		if n != N-2 {
			t.Errorf("continuous %v: %d modes proved, want %d", continuous, n, N-2)
		}
		for _, m := range modes {
			shift := complex(0, 0)
			if continuous {
				shift = 1
			}
			if !m.Proved {
				if m.Class != ModeUndecided {
					t.Errorf("unproved mode %v changed class to %v", m.Value, m.Class)
				}
				continue
			}
			for _, z := range roots {
				if cmplxAbs(z-shift-m.Value) <= m.Bound && trueClass(z, continuous) != m.Class {
					t.Errorf("continuous %v: mode %v proved %v (bound %.3g), but eigenvalue %v within its bound is %v", continuous, m.Value, m.Class, m.Bound, z, trueClass(z, continuous))
				}
			}
			near := false
			for _, z := range roots {
				near = near || cmplxAbs(z-shift-m.Value) <= m.Bound
			}
			if !near {
				t.Errorf("mode %v: no eigenvalue within its bound %.3g", m.Value, m.Bound)
			}
		}
	}
	modes := make([]Mode, N)
	for k := range modes {
		modes[k] = Mode{Value: vals[0]}
	}
	if n := Prove(modes, e, false); n != 0 {
		t.Errorf("modes all at one eigenvalue: %d proved, want 0", n)
	}
}

// TestEncloseModes: the enclosure built from a decomposition's own modes
// (normalized complex eigenvectors, sorted, for the map and the flow) holds
// the true eigenvalues as Enclose's does, with the same classes; modes
// without vectors fall back to Enclose.
func TestEncloseModes(t *testing.T) {
	blocks := []block{realBlock("40001/40000"), pairBlock("3/5", "8001/10000"), pairBlock("3/5", "8001/10000"), realBlock("1/2"), jordanBlock("9/10", "0"), realBlock("-11/10")}
	N, mid, rad, roots := build(blocks, 0.3, 1e-13, 31)
	for _, continuous := range []bool{false, true} {
		modes, err := FullModes(N, mid, true)
		if err != nil {
			t.Fatal(err)
		}
		if continuous {
			for i := range modes {
				modes[i].Value -= 1
			}
		}
		SortModes(modes, continuous)
		e, err := EncloseModes(N, mid, rad, modes, continuous)
		if err != nil || !e.Proved {
			t.Fatalf("continuous %v: %v %s", continuous, err, e.Reason)
		}
		checkEnclosure(t, e, roots)
		if d := checkClasses(t, e, roots, continuous); d != N {
			t.Errorf("continuous %v: %d of %d modes decided", continuous, d, N)
		}
		if n := Prove(modes, e, continuous); n != N {
			t.Errorf("continuous %v: %d of %d modes proved", continuous, n, N)
		}
		for i := range modes {
			modes[i].Right = nil
		}
		e2, err := EncloseModes(N, mid, rad, modes, continuous)
		if err != nil || !e2.Proved {
			t.Fatalf("without vectors: %v %s", err, e2.Reason)
		}
		checkEnclosure(t, e2, roots)
	}
}
