package finder

import (
	"math/cmplx"
	"slices"
	"strings"
	"testing"
)

// TestKeepMatricesMaxN: with Settings.KeepMatricesMaxN below N, Find keeps
// no N^2 data of any point (no Jacobian, InputJacobian or left vector;
// right vectors only of unstable modes, at most ConnectBudget / 4 of them)
// and reports exactly what the run that keeps everything reports: every
// point's eigenvalues, bounds, classes, proved flags, Stability and
// JacobianError, and the same connections and warnings. Several Jacobian
// chunks (a small JacobianBudget), and with a tight ConnectBudget modes
// left out, whose vectors must go while those connect starts stay.
func TestKeepMatricesMaxN(t *testing.T) {
	pp, W, _ := plantedPoints(t, 8, 1, 3)
	planted := Problem{Cell: plantedVanilla(8, W), InitialStates: pp.InitialStates}
	flip := Problem{Cell: flipflopCell(4, 2), InitialStates: grid(4, 5, -1.5, 1.5)}
	for _, c := range []struct {
		name string
		p    Problem
		s    Settings
		cut  bool // the budget leaves modes out
	}{
		{"flipflop4", flip, Settings{JacobianBudget: 8 * 16 * 10}, false},
		{"flipflop4 tight budget", flip, Settings{JacobianBudget: 8 * 16 * 10, ConnectSteps: 200, ConnectBudget: 600}, true},
		{"planted8", planted, Settings{JacobianBudget: 8 * 64 * 4}, false},
		{"planted8 tight budget", planted, Settings{JacobianBudget: 8 * 64 * 4, ConnectSteps: 100, ConnectBudget: 1200}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			all, lean := c.s, c.s
			all.KeepMatricesMaxN, lean.KeepMatricesMaxN = -1, 2
			a, l := find(t, c.p, &all), find(t, c.p, &lean)
			N := a.Fixed.N
			if a.Fixed.Len() != l.Fixed.Len() || a.Fixed.Len() < 10 {
				t.Fatalf("%d fixed points kept, %d lean; want the same, >= 10", a.Fixed.Len(), l.Fixed.Len())
			}
			if c.cut != slices.ContainsFunc(a.Stats.Warnings, func(w string) bool { return strings.HasPrefix(w, "connections:") }) {
				t.Fatalf("budget leaves modes out: %v, want %v (warnings %q)", !c.cut, c.cut, a.Stats.Warnings)
			}
			var keptRight, unstable, proved int
			for i := range a.Fixed.Points {
				p, q := &a.Fixed.Points[i], &l.Fixed.Points[i]
				if !slices.Equal(p.X, q.X) || p.Stability != q.Stability || p.JacobianError != q.JacobianError || p.Proof != q.Proof {
					t.Fatalf("point %d: kept %v %+v (error %g), lean %v %+v (error %g)", i, p.X, p.Stability, p.JacobianError, q.X, q.Stability, q.JacobianError)
				}
				if len(p.Jacobian) != N*N || q.Jacobian != nil || q.InputJacobian != nil {
					t.Fatalf("point %d: %d Jacobian values kept, %d and %d input values lean", i, len(p.Jacobian), len(q.Jacobian), len(q.InputJacobian))
				}
				if p.Stability.Proved {
					proved++
				}
				if len(p.Modes) != len(q.Modes) || len(p.Modes) == 0 {
					t.Fatalf("point %d: %d modes kept, %d lean", i, len(p.Modes), len(q.Modes))
				}
				for k := range p.Modes {
					m, n := p.Modes[k], q.Modes[k]
					if m.Value != n.Value || m.Cond != n.Cond || m.Bound != n.Bound || m.Class != n.Class || m.Proved != n.Proved {
						t.Fatalf("point %d mode %d: kept %v, lean %v", i, k, m, n)
					}
					if len(m.Right) != N || len(m.Left) != N || n.Left != nil {
						t.Fatalf("point %d mode %d: %d and %d vector values kept, %d left values lean", i, k, len(m.Right), len(m.Left), len(n.Left))
					}
					if m.Class == ModeUnstable && len(directionAngles(m.Value, m.Right)) > 0 {
						unstable++
					}
					if n.Right == nil {
						continue
					}
					keptRight++
					if m.Class != ModeUnstable || !slices.Equal(m.Right, n.Right) || cmplx.IsNaN(n.Value) {
						t.Fatalf("point %d mode %d (%v): right vector kept lean", i, k, m.Class)
					}
				}
			}
			if !slices.Equal(a.Fixed.Connections, l.Fixed.Connections) || len(a.Fixed.Connections) == 0 {
				t.Fatalf("connections: kept %s, lean %s", ConnectionCounts(a.Fixed.Connections), ConnectionCounts(l.Fixed.Connections))
			}
			if !slices.Equal(a.Stats.Warnings, l.Stats.Warnings) {
				t.Fatalf("warnings: kept %q, lean %q", a.Stats.Warnings, l.Stats.Warnings)
			}
			for _, cn := range l.Fixed.Connections {
				if l.Fixed.Points[cn.From].Modes[cn.Mode].Right == nil {
					t.Fatalf("connection %+v: its mode's right vector was dropped", cn)
				}
			}
			if proved == 0 || unstable == 0 {
				t.Fatalf("%d points proved stable or not, %d unstable modes: nothing compared", proved, unstable)
			}
			if c.cut && keptRight >= unstable || c.s.ConnectBudget > 0 && keptRight > c.s.ConnectBudget/4 {
				t.Fatalf("%d right vectors kept of %d unstable modes' (budget %d)", keptRight, unstable, c.s.ConnectBudget)
			}
			t.Logf("%d points (%d proved), %d of %d unstable modes' right vectors kept; %s", l.Fixed.Len(), proved, keptRight, unstable, ConnectionCounts(l.Fixed.Connections))
		})
	}
}
