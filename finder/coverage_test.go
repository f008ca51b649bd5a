package finder

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestChao1 against the formula worked by hand.
func TestChao1(t *testing.T) {
	for _, tc := range []struct {
		f1, f2 int
		want   float64
		method string
	}{
		{0, 0, 0, "chao1-bias-corrected"},
		{1, 0, 0, "chao1-bias-corrected"},
		{8, 0, 28, "chao1-bias-corrected"},
		{3, 1, 4.5, "chao1"},
		{0, 5, 0, "chao1"},
		{10, 4, 12.5, "chao1"},
	} {
		got, m := Chao1(tc.f1, tc.f2)
		if got != tc.want || m != tc.method {
			t.Errorf("Chao1(%d, %d) = %v %s, want %v %s", tc.f1, tc.f2, got, m, tc.want, tc.method)
		}
	}
	c := NewCoverage([]int{1, 1, 1, 2, 5, 0})
	want := Coverage{Found: 6, Sampled: 5, Completed: 1, SeenOnce: 3, SeenTwice: 1, EstimatedUnseen: 3.5, Method: "chao1", Hits: []int{1, 1, 1, 2, 5, 0}}
	if !reflect.DeepEqual(*c, want) {
		t.Errorf("NewCoverage = %+v, want %+v", *c, want)
	}
	if s, w := c.String(), "6 found; estimated unseen 3.5 (Chao1; 3 points seen once, 1 twice; 1 found by completion alone)"; s != w {
		t.Errorf("String() = %q, want %q", s, w)
	}
}

// TestCoverageZeroWhenEveryPointHitTwice: the 9 fixed points of the flip-flop
// N = 2, each the start of two or three candidates (offset by 1e-3): every
// point is hit at least twice, so nothing is estimated unseen.
func TestCoverageZeroWhenEveryPointHitTwice(t *testing.T) {
	var init []float64
	r := rand.New(rand.NewPCG(1, 2))
	for i, e := range flipflopExpected(2, 2) {
		for k := 0; k < 2+i%2; k++ {
			for _, v := range e.x {
				init = append(init, v+1e-3*(2*r.Float64()-1))
			}
		}
	}
	res := find(t, Problem{Cell: flipflopCell(2, 2), InitialStates: init}, &Settings{NoComplete: true})
	c := res.Stats.Coverage
	if c == nil || res.Fixed.Coverage != c {
		t.Fatalf("coverage %v in Stats, %v in Fixed, want the same estimate in both", c, res.Fixed.Coverage)
	}
	if c.Found != 9 || c.SeenOnce != 0 || c.SeenTwice != 5 || c.EstimatedUnseen != 0 {
		t.Errorf("coverage %+v, want 9 found, 0 seen once, 5 twice (4 thrice), 0 unseen", *c)
	}
	for i, h := range c.Hits {
		p := res.Fixed.Points[i]
		want := 0
		for k, e := range flipflopExpected(2, 2) {
			if pairDistance(e.x, nil, p.X, p.U) < 1e-8 {
				want = 2 + k%2
			}
		}
		if h != want {
			t.Errorf("point %v hit %d times, want %d", p.X, h, want)
		}
	}
}

// TestCoverageFlipFlop6: the idealized flip-flop N = 6 has 3^6 = 729 fixed
// points. From 256 starts uniform in [-1, 1]^6, without completion, the
// search finds a few hundred; the Chao1 estimate of the rest must lie within
// a factor 2 of the true number unseen.
func TestCoverageFlipFlop6(t *testing.T) {
	const N, B = 6, 256
	r := rand.New(rand.NewPCG(N, 1))
	init := make([]float64, B*N)
	for i := range init {
		init[i] = 2*r.Float64() - 1
	}
	res := find(t, Problem{Cell: flipflopCell(N, 2), InitialStates: init}, &Settings{NoComplete: true, NoConnections: true})
	checkSubset(t, "flip-flop N=6", res.Fixed, flipflopExpected(N, 2))
	c := res.Stats.Coverage
	unseen := float64(729 - res.Fixed.Len())
	if c.Found != res.Fixed.Len() || !(c.EstimatedUnseen >= unseen/2 && c.EstimatedUnseen <= 2*unseen) {
		t.Errorf("%v; true unseen %v: not within a factor 2", c, unseen)
	}
	t.Logf("%v; true unseen %v", c, unseen)
}

// checkSubset asserts that every point of fp is one of want.
func checkSubset(t *testing.T, name string, fp *FixedPoints, want []expected) {
	t.Helper()
	for _, p := range fp.Points {
		ok := false
		for _, w := range want {
			if pairDistance(w.x, nil, p.X, p.U) < 1e-8 {
				ok = true
				break
			}
		}
		if !ok {
			t.Errorf("%s: %v is not a known fixed point", name, p.X)
		}
	}
}

// TestCoverageConnectionsValidate: a found set carries its coverage and
// connections, and Validate refuses a connection to a point that does not
// exist (package fpjson's TestCoverageConnections takes them through the
// JSON).
func TestCoverageConnectionsValidate(t *testing.T) {
	res := find(t, Problem{Cell: flipflopCell(2, 2), InitialStates: corners(2)}, nil)
	fp := res.Fixed
	if fp.Coverage == nil || len(fp.Connections) == 0 {
		t.Fatalf("coverage %v, %d connections: want both", fp.Coverage, len(fp.Connections))
	}
	if c := fp.Coverage; c.Found != 9 || c.SeenOnce != 4 || c.SeenTwice != 0 || c.EstimatedUnseen != 1 || c.Method != "chao1-bias-corrected" {
		t.Errorf("coverage %+v, want 9 found, 4 seen once, 0 twice, 1 unseen by chao1-bias-corrected", c)
	}
	if err := fp.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := fp.Clone()
	bad.Connections[0].To = fp.Len()
	if err := bad.Validate(); err == nil {
		t.Error("a connection to a point that does not exist passed Validate")
	}
}
