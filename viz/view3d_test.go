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
