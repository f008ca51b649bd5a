package finder

import (
	"bytes"
	"strings"
	"testing"
)

// TestConditionNone: Point.Condition tells "no condition given" (nil, and no
// "condition" in the JSON) from the valid id 0, through Find, Clone and a
// JSON round trip.
func TestConditionNone(t *testing.T) {
	starts := grid(2, 3, -1, 1)
	for _, conds := range [][]int{nil, make([]int, len(starts)/2)} {
		res := find(t, Problem{Cell: flipflopCell(2, 2), InitialStates: starts, Conditions: conds}, nil)
		var buf bytes.Buffer
		if err := res.All.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := ReadJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if has := strings.Contains(buf.String(), `"condition"`); has != (conds != nil) {
			t.Errorf("conditions %v: the JSON has a condition field: %v", conds, has)
		}
		for _, set := range []*FixedPoints{res.All, res.All.Clone(), back} {
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
