package finder

import "testing"

// TestConditionNone: Point.Condition tells "no condition given" (nil) from
// the valid id 0, through Find and Clone (package fpjson's
// TestConditionField takes it through the JSON).
func TestConditionNone(t *testing.T) {
	starts := grid(2, 3, -1, 1)
	for _, conds := range [][]int{nil, make([]int, len(starts)/2)} {
		res := find(t, Problem{Cell: flipflopCell(2, 2), InitialStates: starts, Conditions: conds}, nil)
		for _, set := range []*FixedPoints{res.All, res.All.Clone()} {
			for i, p := range set.Points {
				switch {
				case conds == nil && p.Condition != nil:
					t.Errorf("no conditions given: point %d has condition %d", i, *p.Condition)
				case conds != nil && (p.Condition == nil || *p.Condition != 0):
					t.Errorf("condition 0 given: point %d has %v", i, p.Condition)
				}
			}
		}
	}
	// A clone does not share the id with its original.
	p := Point{Condition: new(3)}
	q := p.Clone()
	*q.Condition = 4
	if *p.Condition != 3 {
		t.Errorf("changing a clone's condition changed the original's to %d", *p.Condition)
	}
}
