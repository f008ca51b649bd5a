package viz

import (
	"math"
	"testing"
)

// The 3-D view hides its trajectories (their legend entry off) when it
// draws more than shownTrajectories of them, and draws them faint; a few
// stay on. The saddle-attractor lines start off too.
func TestTrajectoriesOffWhenMany(t *testing.T) {
	for _, c := range []struct {
		trials int
		hidden bool
	}{{50, true}, {shownTrajectories + 1, true}, {shownTrajectories, false}, {2, false}} {
		r := embedded(8, c.trials, 40, 1)
		o := renderPage(t, r).options[idFixedPoints]
		sel, _ := o["legend"].(map[string]any)["selected"].(map[string]any)
		if hidden := sel[nameTrajectories] == false; hidden != c.hidden {
			t.Errorf("%d trajectories: hidden %v, want %v (legend %v)", c.trials, hidden, c.hidden, o["legend"])
		}
		for _, s := range o["series"].([]any) {
			s := s.(map[string]any)
			if s["name"] == nameTrajectories {
				if op := s["lineStyle"].(map[string]any)["opacity"].(float64); op != trajectoryOpacity || op > 0.3 {
					t.Errorf("trajectory opacity %v, want %v (faint)", op, trajectoryOpacity)
				}
			}
		}
	}
}

// The box is fitted to the points, not to the trajectories when these are
// hidden: trajectories ten times wider than the fixed points no longer
// shrink the points into a corner, and are cut at the box.
func TestBoxFitsThePoints(t *testing.T) {
	d := points3D{classes: map[class][]item3D{
		{kind: stable}:           {{at: [3]float64{-1, -1, -1}}, {at: [3]float64{1, 1, 1}}},
		{kind: saddle, index: 1}: {{at: [3]float64{0, 0, 0}}},
	}}
	for range shownTrajectories + 1 {
		d.trajectories = append(d.trajectories, [][3]float64{{-10, -10, -10}, {0.5, 0.5, 0.5}, {0.6, 0.6, 0.6}, {10, 10, 10}})
	}
	lo, hi, _ := fitAxes(d.ofInterest())
	for k := range 3 {
		if lo[k] < -1.5 || hi[k] > 1.5 || lo[k] > -1 || hi[k] < 1 {
			t.Errorf("axis %d [%g, %g], want about [-1, 1] around the points, not [-10, 10]", k+1, lo[k], hi[k])
		}
	}
	cut := clipCurves(d.trajectories, lo, hi)
	if len(cut) != shownTrajectories+1 || len(cut[0]) != 2 || cut[0][0][0] != 0.5 {
		t.Errorf("trajectories cut to %v, want their 2 states inside the box", cut[:1])
	}
	// Few trajectories are shown and fit in.
	d.trajectories = d.trajectories[:shownTrajectories]
	lo, hi, _ = fitAxes(d.ofInterest())
	if !(lo[0] <= -10 && hi[0] >= 10) {
		t.Errorf("with %d trajectories shown, axis 1 [%g, %g], want them inside", shownTrajectories, lo[0], hi[0])
	}
	// One point alone: the trajectories give the scale.
	one := points3D{classes: map[class][]item3D{{kind: stable}: {{at: [3]float64{0, 0, 0}}}}}
	for range shownTrajectories + 1 {
		one.trajectories = append(one.trajectories, [][3]float64{{-2, 0, 0}, {2, 0, 0}})
	}
	lo, hi, _ = fitAxes(one.ofInterest())
	if math.Abs(hi[0]-lo[0]) < 4 {
		t.Errorf("one point: axis 1 [%g, %g], want the trajectories' [-2, 2] inside", lo[0], hi[0])
	}
}

// A short side of the box gets few ticks: with sides 100 : 40 : 40, 6
// ticks on each would overlap on the short ones; there they drop to 2 or
// 3, round, with the ends rounded out and nothing drawn left outside.
func TestThinTicks(t *testing.T) {
	d := points3D{slow: []item3D{{at: [3]float64{-1.7, 0.2, 10}}, {at: [3]float64{1.6, 0.3, 10.5}}}}
	lo, hi, step := fitAxes(d) // [-2.4, 2.4] step 0.8; [0, 0.48] step 0.08; [9.96, 10.56] step 0.12
	lo, hi, step = thinTicks(lo, hi, step)
	want := [3][3]float64{{-2.4, 0, 9.9}, {2.4, 0.5, 10.8}, {0.8, 0.25, 0.3}}
	if lo != want[0] || hi != want[1] || step != want[2] {
		t.Errorf("axes [%v, %v] step %v, want [%v, %v] step %v", lo, hi, step, want[0], want[1], want[2])
	}
	for k := range 3 {
		if n := (hi[k] - lo[k]) / step[k]; n > 6.01 || (k > 0 && n > 3.01) {
			t.Errorf("axis %d: %.1f intervals on a side of %v", k+1, n, boxSizes(lo, hi)[k])
		}
	}
}
