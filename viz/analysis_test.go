package viz

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/rnnfp/fixedpoints/finder"
)

func TestNumJSON(t *testing.T) {
	cases := []struct {
		v    float64
		want string
	}{
		{0.9575041234, "0.957504"}, {-0, "0"}, {math.Copysign(0, -1), "0"}, {2, "2"},
		{1.23456789e-20, "1.23457e-20"}, {123456789, "1.23457e+08"}, {math.NaN(), "null"},
		{math.Inf(1), "null"}, {-0.16666651, "-0.166667"},
	}
	for _, c := range cases {
		b, err := json.Marshal(num(c.v))
		if err != nil || string(b) != c.want {
			t.Errorf("num(%v) = %s (%v), want %s", c.v, b, err, c.want)
		}
		var back float64
		if c.want != "null" && json.Unmarshal(b, &back) != nil {
			t.Errorf("%s is not a JSON number", b)
		}
	}
}

// Points that lie in a 3-D affine subspace of R^6 keep their distances
// under the projection, and the components agree with gonum's stat.PC
// (SVD of the data) up to sign. 1500 rows cross the 512-row chunks.
func TestPCA(t *testing.T) {
	const n, rows = 6, 1500
	rng := rand.New(rand.NewPCG(3, 4))
	q := randomOrthogonal(rng, n)
	offset := []float64{3, -1, 2, 0.5, 7, -4}
	scales := []float64{3, 2, 1}
	data := make([]float64, 0, rows*n)
	for range rows {
		x := append([]float64(nil), offset...)
		for k, s := range scales {
			c := s * rng.NormFloat64()
			for i := range n {
				x[i] += c * q.At(i, k)
			}
		}
		data = append(data, x...)
	}
	pr, err := fitPCA(data, n)
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for r := 0; r+1 < rows; r += 7 {
		a, b := data[r*n:(r+1)*n], data[(r+1)*n:(r+2)*n]
		pa, pb := pr.apply(a), pr.apply(b)
		var d2, p2 float64
		for i := range n {
			d2 += (a[i] - b[i]) * (a[i] - b[i])
		}
		for k := range 3 {
			p2 += (pa[k] - pb[k]) * (pa[k] - pb[k])
		}
		worst = math.Max(worst, math.Abs(math.Sqrt(d2)-math.Sqrt(p2)))
	}
	if worst > 1e-9 {
		t.Errorf("projection changes a distance by %g, want <= 1e-9", worst)
	}

	var pc stat.PC
	if !pc.PrincipalComponents(mat.NewDense(rows, n, data), nil) {
		t.Fatal("stat.PC failed")
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	var total float64
	for _, v := range vars {
		total += v
	}
	for k := range 3 {
		var dot float64
		for i := range n {
			dot += pr.basis[k][i] * vecs.At(i, k)
		}
		if math.Abs(math.Abs(dot)-1) > 1e-9 {
			t.Errorf("component %d: |cos| with stat.PC = %v, want 1", k+1, math.Abs(dot))
		}
		big := 0
		for i := range n {
			if math.Abs(pr.basis[k][i]) > math.Abs(pr.basis[k][big]) {
				big = i
			}
		}
		if pr.basis[k][big] <= 0 {
			t.Errorf("component %d: largest entry %v, want > 0 (sign convention)", k+1, pr.basis[k][big])
		}
		want := "PC" + string(rune('1'+k)) + " (" + fmtPct(vars[k]/total) + "%)"
		if pr.axes[k] != want {
			t.Errorf("axis %d named %q, want %q", k+1, pr.axes[k], want)
		}
	}
	// The centre of the data projects to the origin.
	c := pr.apply(pr.mean)
	if math.Abs(c[0])+math.Abs(c[1])+math.Abs(c[2]) > 1e-12 {
		t.Errorf("mean projects to %v, want 0", c)
	}
}

func fmtPct(f float64) string {
	b, _ := json.Marshal(math.Round(1000*f) / 10)
	s := string(b)
	if math.Round(1000*f)/10 == math.Trunc(math.Round(1000*f)/10) {
		s += ".0"
	}
	return s
}

// N <= 3 is drawn in its own coordinates, padded with zeros.
func TestCoordinates(t *testing.T) {
	pr, err := fitPCA([]float64{1, 2, 3, 4, 5, 6}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := pr.apply([]float64{1.5, -2}); got != [3]float64{1.5, -2, 0} {
		t.Errorf("N = 2 projects (1.5, -2) to %v, want (1.5, -2, 0)", got)
	}
	if pr.axes != [3]string{"x1", "x2", "(x3 = 0)"} {
		t.Errorf("axes %q", pr.axes)
	}
}

func TestClassify(t *testing.T) {
	ff := flipFlop3()
	counts := map[class]int{}
	for i := range ff.Points {
		counts[classify(&ff.Points[i])]++
	}
	want := map[class]int{{kind: stable}: 8, {kind: saddle, index: 1}: 12, {kind: saddle, index: 2}: 6, {kind: saddle, index: 3}: 1}
	if len(counts) != len(want) {
		t.Errorf("classes %v, want %v", counts, want)
	}
	for c, n := range want {
		if counts[c] != n {
			t.Errorf("%s: %d points, want %d", c, counts[c], n)
		}
	}
	if c := classify(&finder.Point{}); c.kind != unknown || c.String() != "not analyzed" {
		t.Errorf("unanalyzed point is %v", c)
	}
	m := func(v complex128, c finder.ModeClass) finder.Mode {
		return finder.Mode{Value: v, Bound: 1e-14, Cond: 1, Class: c}
	}
	// A saddle with an undecided mode: index 2 or 3. A marginal (slow)
	// mode that finder decided is only a description.
	p := &finder.Point{Modes: []finder.Mode{m(2, finder.ModeUnstable), m(1.5, finder.ModeUnstable), m(1, finder.ModeUndecided)},
		Stability: finder.Stability{Analyzed: true, NUnstable: 2, NUndecided: 1}}
	if c := classify(p); c.kind != undecided || c.String() != "undecided: saddle index 2 to 3" {
		t.Errorf("saddle with an undecided mode is %v, want undecided: saddle index 2 to 3", c)
	}
	p = &finder.Point{Modes: []finder.Mode{m(2, finder.ModeUnstable), m(1.5, finder.ModeUnstable), m(0.9999, finder.ModeStable)},
		Stability: finder.Stability{Analyzed: true, NUnstable: 2, Marginal: true, NMarginal: 1}}
	if c := classify(p); c != (class{kind: saddle, index: 2}) {
		t.Errorf("saddle with a decided marginal mode is %v, want saddle index 2", c)
	}
	// Labels that contradict each other or the modes claim nothing.
	p.Stability.Stable = true
	if c := classify(p); c.kind != disagree || c.String() != "labels disagree" {
		t.Errorf("stable with unstable modes gives %v, want labels disagree", c)
	}
	p.Stability.Stable, p.Stability.NUnstable = false, 1
	if c := classify(p); c.kind != disagree {
		t.Errorf("NUnstable 1 with 2 unstable modes gives %v, want labels disagree", c)
	}
	// Mode classes are finder's: undecided unless it decided.
	p = &finder.Point{Modes: []finder.Mode{m(2, finder.ModeUnstable), {Value: 1.00001, Bound: 1}, m(0.5, finder.ModeStable)}}
	for k, want := range []modeClass{modeUnstable, modeUndecided, modeStable} {
		if got := modeClassesOf(p)[k]; got != want {
			t.Errorf("mode %d: class %v, want %v", k, got, want)
		}
	}
}

// Each saddle of the ideal flip-flop gets one segment per zero coordinate:
// x* +- 0.25*2*e_i, a segment of length 1 along axis i.
func TestModeSegments(t *testing.T) {
	r := &Report{Fixed: flipFlop3()}
	d := r.layout3D(coordinates(3))
	if len(d.segments) != 12*1+6*2+1*3 {
		t.Fatalf("%d segments, want 27", len(d.segments))
	}
	for _, seg := range d.segments {
		s := seg.ends
		if seg.color != colorIndex1 && seg.color != colorIndex2 && seg.color != colorIndex3 {
			t.Errorf("segment in %s, want its saddle's colour (index 1 to 3)", seg.color)
		}
		var moved []int
		for k := range 3 {
			if s[0][k] != s[1][k] {
				moved = append(moved, k)
			}
		}
		if len(moved) != 1 {
			t.Fatalf("segment %v moves along %d axes, want 1", s, len(moved))
		}
		k := moved[0]
		if s[0][k] != -0.5 || s[1][k] != 0.5 {
			t.Errorf("segment along x%d from %v to %v, want -0.5 to 0.5", k+1, s[0][k], s[1][k])
		}
	}
	r.ModeScale = 0.1
	d = r.layout3D(coordinates(3))
	if s := d.segments[0].ends; math.Abs(s[1][2]-s[0][2]-0.4) > 1e-15 && math.Abs(s[1][0]-s[0][0]-0.4) > 1e-15 && math.Abs(s[1][1]-s[0][1]-0.4) > 1e-15 {
		t.Errorf("ModeScale 0.1: segment %v, want length 2*0.1*2 = 0.4", s)
	}
}

// fitAxes fits each axis to what is drawn on it, rounded out to round
// numbers, a step apart: here y's span is floored at a tenth of x's.
func TestFitAxes(t *testing.T) {
	d := points3D{slow: []item3D{{at: [3]float64{-1.7, 0.2, 10}}, {at: [3]float64{1.6, 0.3, 10.5}}}}
	lo, hi, step := fitAxes(d)
	for k := range 3 {
		for _, it := range d.slow {
			if it.at[k] < lo[k] || it.at[k] > hi[k] {
				t.Errorf("axis %d [%v, %v] misses %v", k+1, lo[k], hi[k], it.at[k])
			}
		}
	}
	// x: centre -0.05, half-span 1.65*1.04 = 1.716 -> [-1.766, 1.666],
	// step niceCeil(3.432/5 = 0.686) = 0.8 -> [-2.4, 2.4].
	// y: span floored at 0.33, centre 0.25, half 0.1716 -> [0.0784, 0.4216],
	// step niceCeil(0.0686) = 0.08 -> [0, 0.48].
	// z: half 0.26 -> [9.99, 10.51], step niceCeil(0.104) = 0.12 -> [9.96, 10.56].
	want := [3][3]float64{{-2.4, 0, 9.96}, {2.4, 0.48, 10.56}, {0.8, 0.08, 0.12}}
	if lo != want[0] || hi != want[1] || step != want[2] {
		t.Errorf("axes [%v, %v] step %v, want [%v, %v] step %v", lo, hi, step, want[0], want[1], want[2])
	}
	if s := boxSizes(lo, hi); s != [3]float64{100, 40, 40} { // 4.8 : 0.48 : 0.6
		t.Errorf("box %v, want [100 40 40]: proportional, floored at 40", s)
	}
}

// The view keeps fixed points within 0.4 widths of the trajectories' box
// and slow points within 0.1, drops the rest and counts them, and clips
// mode segments to the fixed points' region.
func TestFrame(t *testing.T) {
	d := points3D{
		visited: true, visitedLo: [3]float64{-1, -1, -1}, visitedHi: [3]float64{1, 1, 1},
		classes: map[class][]item3D{
			{kind: stable}:           {{at: [3]float64{1.75, 0, 0}}, {at: [3]float64{1.85, 0, 0}}}, // region [-1.8, 1.8]
			{kind: saddle, index: 1}: {{at: [3]float64{0, 0, -1.79}}},
		},
		slow:     []item3D{{at: [3]float64{1.19, 0, 0}}, {at: [3]float64{0, 1.21, 0}}, {at: [3]float64{9, 9, 9}}},
		segments: []seg3D{{ends: [2][3]float64{{0, 0, -3}, {0, 0, 3}}}, {ends: [2][3]float64{{5, 5, 5}, {6, 6, 6}}}},
	}
	out := d.frame()
	if out != (notDrawn{fixed: 1, slow: 2}) {
		t.Errorf("not drawn %+v, want 1 fixed and 2 slow points", out)
	}
	if st := d.classes[class{kind: stable}]; len(st) != 1 || st[0].at[0] != 1.75 || len(d.classes[class{kind: saddle, index: 1}]) != 1 {
		t.Errorf("kept %v", d.classes)
	}
	if len(d.slow) != 1 || d.slow[0].at[0] != 1.19 {
		t.Errorf("kept slow points %v", d.slow)
	}
	if len(d.segments) != 1 || d.segments[0].ends[0] != [3]float64{0, 0, -1.8} || math.Abs(d.segments[0].ends[1][2]-1.8) > 1e-12 {
		t.Errorf("segments %v, want one clipped to z in [-1.8, 1.8]", d.segments)
	}
}

// The visited box leaves out the rarest 0.5% of states on each side of
// each axis: one far excursion among 1000 states does not set the scale.
func TestVisitedBox(t *testing.T) {
	var c [3][]float64
	for i := range 1000 {
		v := float64(i%100) / 99 // 0..1
		c[0] = append(c[0], v)
		c[1] = append(c[1], 2*v)
		c[2] = append(c[2], -v)
	}
	c[0][500] = 40 // one excursion
	lo, hi, ok := visitedBox(c)
	if !ok || lo != [3]float64{0, 0, -1} || hi != [3]float64{1, 2, 0} {
		t.Errorf("box [%v, %v] (ok %v), want [0 0 -1], [1 2 0]", lo, hi, ok)
	}
	if _, _, ok := visitedBox([3][]float64{}); ok {
		t.Error("a box without states")
	}
}

func TestBinQ(t *testing.T) {
	d := binQ(qSpread().Points, 1e-12)
	if d.lo != -16 || d.hi != -1 {
		t.Errorf("decades %d..%d, want -16..-1", d.lo, d.hi)
	}
	if d.zero != [2]int{2, 0} || d.invalid != 1 {
		t.Errorf("zero %v invalid %d, want [2 0] and 1", d.zero, d.invalid)
	}
	want := map[int][2]int{-16: {1, 0}, -15: {1, 0}, -13: {1, 0}, -12: {0, 2}, -9: {0, 2}, -3: {0, 1}, -1: {0, 1}}
	for i, n := range d.bins {
		if n != want[d.lo+i] {
			t.Errorf("decade 1e%d: %v, want %v", d.lo+i, n, want[d.lo+i])
		}
	}
}

func TestNiceCeil(t *testing.T) {
	for _, c := range [][2]float64{{0.93, 1}, {1.01, 1.2}, {2.2, 2.5}, {0.0451, 0.05}, {7, 8}, {9, 10}, {1, 1}, {0, 1}} {
		if got := niceCeil(c[0]); got != c[1] {
			t.Errorf("niceCeil(%v) = %v, want %v", c[0], got, c[1])
		}
	}
}

func TestSummaryRows(t *testing.T) {
	s := finder.DefaultSettings()
	rows := SummaryRows(s, nil)
	get := func(rows []Row, field string) string {
		for _, r := range rows {
			if strings.HasSuffix(r.Key, "("+field+")") {
				return r.Value
			}
		}
		return "(missing)"
	}
	for field, want := range map[string]string{"Batching": "all candidates together, batched", "Dtype": "float64",
		"TolQ": "1e-12", "MaxIters": "5000", "TolResidual": "1e-10", "MaxUnique": "no limit", "off with NoRefine": "on", "off with NoComplete": "on", "ContinuousTime": "the map x -> F(x)"} {
		if got := get(rows, field); got != want {
			t.Errorf("%s = %s, want %s", field, got, want)
		}
	}
	res := &finder.Result{Status: finder.IterationLimit, Stats: finder.Stats{Iters: 42, Warnings: []string{"float32"}}}
	rows = SummaryRows(s, res)
	if get(rows, "Status") != "IterationLimit" || get(rows, "Iters") != "42" {
		t.Errorf("rows of a result: %v", rows)
	}
	if last := rows[len(rows)-1]; last != (Row{"warning 1", "float32"}) {
		t.Errorf("last row %v, want the warning", last)
	}
	// A result no search filled says nothing of a search.
	if rows := SummaryRows(s, &finder.Result{Fixed: &finder.FixedPoints{N: 1, Dtype: "float64"}}); get(rows, "Status") != "(missing)" || get(rows, "Iters") != "(missing)" {
		t.Errorf("rows of a hand-built result: %v", rows)
	}
}

// In continuous time finder stores mu = lambda - 1: modes grow when
// Re(mu) > 0, and segments keep the map's |lambda| for their length.
// Modes without eigenvectors (eigenvalues only) draw no segment.
func TestContinuousAndNoVectors(t *testing.T) {
	ff := flipFlop3()
	for i := range ff.Points {
		p := &ff.Points[i]
		for k := range p.Modes {
			p.Modes[k].Value -= 1
		}
		p.Stability.Continuous = true
	}
	r := &Report{Fixed: ff}
	d := r.layout3D(coordinates(3))
	if len(d.segments) != 27 {
		t.Fatalf("%d segments, want 27", len(d.segments))
	}
	for _, seg := range d.segments {
		s := seg.ends
		var length float64
		for k := range 3 {
			length += math.Abs(s[1][k] - s[0][k])
		}
		if math.Abs(length-1) > 1e-15 {
			t.Errorf("segment %v has length %v, want 2*0.25*|mu+1| = 1", s, length)
		}
	}
	cs := chartsByID(t, r)
	sp := cs[idSpectra]
	series := sp.Option["series"].([]interface{})
	if last := series[len(series)-1].(map[string]interface{}); last["name"] != nameReZero || sp.Tips != "eigmu" {
		t.Errorf("continuous spectra: boundary %q, tips %q; want %q, eigmu", last["name"], sp.Tips, nameReZero)
	}

	bare := flipFlop3()
	for i := range bare.Points {
		for k := range bare.Points[i].Modes {
			bare.Points[i].Modes[k].Right, bare.Points[i].Modes[k].Left = nil, nil
		}
	}
	r = &Report{Fixed: bare}
	if err := r.validate(); err != nil {
		t.Fatalf("modes without vectors: %v", err)
	}
	if d := r.layout3D(coordinates(3)); len(d.segments) != 0 {
		t.Errorf("%d segments without eigenvectors, want 0", len(d.segments))
	}
}

// The training table says what training reached, in the run's numbers.
func TestTrainingRows(t *testing.T) {
	rows := sampleTraining().rows()
	want := []Row{
		{"task", "3-bit flip-flop"},
		{"epochs trained", "30"},
		{"final validation MSE", "0.0001"},
		{"target validation MSE", "0.0001 (reached)"},
		{"outputs with the right sign", "99.87%"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %v, want %v", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: %v, want %v", i, rows[i], want[i])
		}
	}
	missed := &Training{Epochs: 300, MSE: 2e-4, TargetMSE: 1e-4, Accuracy: 0.5}
	if r := missed.rows(); r[2] != (Row{"target validation MSE", "0.0001 (not reached)"}) {
		t.Errorf("a missed target reads %v", r[2])
	}
	if (*Training)(nil).rows() != nil {
		t.Error("rows without training")
	}
}
