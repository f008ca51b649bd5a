package finder

import "testing"

// TestScratchOwnedAlone checks that a finder's refinement buffers go to the
// next finder (the next Find reuses them), and that no two finders ever
// hold the same set, also when the last set released is both in the pool
// and taken through lastScratch.
func TestScratchOwnedAlone(t *testing.T) {
	p := Problem{Cell: flipflopCell(2, 2), InitialStates: corners(2)}
	newF := func() *finder {
		f, err := newFinder(p, DefaultSettings())
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a := newF()
	x := a.scratch()
	a.release() // x in the pool and in lastScratch
	b := newF()
	if b.scratch() != x {
		t.Fatal("the next finder made a new set, where the last one's was released")
	}
	c := newF() // the pool may hand out x again: b owns it
	if c.scratch() == x {
		t.Fatal("two finders hold the same set")
	}
	b.release()
	c.release()
	d, e := newF(), newF()
	if d.scratch() == e.scratch() {
		t.Fatal("two finders hold the same set after both were released")
	}
	d.release()
	e.release()
}
