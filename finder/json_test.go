package finder

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenSet has every field of every kind filled, with awkward floats: the
// smallest subnormal, the largest float, -0, thirds, +-Inf q and residual.
func goldenSet() *FixedPoints {
	r := rand.New(rand.NewPCG(2018, 11))
	const N, M = 3, 2
	vec := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(9)-4))
		}
		return v
	}
	cvec := func(n int) []complex128 {
		v := make([]complex128, n)
		for i := range v {
			v[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
		return v
	}
	full := func(q float64, nUnstable int) Point {
		p := Point{X: vec(N), XInit: vec(N), U: vec(M), F: vec(N), Q: q, Residual: math.Sqrt(2 * q),
			DQ: 1e-22, Iters: 4999, Refines: 3, Condition: new(2),
			Jacobian: vec(N * N), InputJacobian: vec(N * M)}
		for k := range N {
			p.Modes = append(p.Modes, Mode{Value: complex(1.5-0.5*float64(k), 0.25*float64(k)), Right: cvec(N), Left: cvec(N)})
		}
		p.Stability = Stability{Analyzed: true, Stable: nUnstable == 0, NUnstable: nUnstable, MaxAbs: 1.5,
			Marginal: true, NMarginal: 1, Flip: true, Oscillatory: true, Continuous: false}
		return p
	}
	a := full(1.0/3, 2)
	a.X = []float64{5e-324, math.MaxFloat64, math.Copysign(0, -1)}
	a.Jacobian[4] = 1e-7
	a.Jacobian[5] = 1e21
	b := full(1e-30, 0)
	b.Stability.Continuous = true
	b.Modes[1].Left = nil // a mode whose left vector was not computed
	// A diverged candidate, not analyzed: only the search fields.
	c := Point{X: vec(N), U: vec(M), Q: math.Inf(1), Residual: math.Inf(-1), DQ: 0, Iters: 5000}
	return &FixedPoints{N: N, M: M, Dtype: "float64", Points: []Point{a, b, c}}
}

func roundTrip(t *testing.T, fp *FixedPoints) (*FixedPoints, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := fp.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	return got, buf.Bytes()
}

func TestJSONRoundTripExact(t *testing.T) {
	fp := goldenSet()
	got, _ := roundTrip(t, fp)
	if !reflect.DeepEqual(got, fp) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got.Points[0], fp.Points[0])
	}
	if !math.Signbit(got.Points[0].X[2]) {
		t.Error("-0 lost its sign")
	}

	// Random bit patterns: every finite float64 comes back bit for bit.
	r := rand.New(rand.NewPCG(1, 1))
	big := &FixedPoints{N: 100, M: 0, Dtype: "float32"}
	for range 50 {
		x := make([]float64, 100)
		for i := range x {
			for x[i] = math.NaN(); math.IsNaN(x[i]) || math.IsInf(x[i], 0); {
				x[i] = math.Float64frombits(r.Uint64())
			}
		}
		big.Points = append(big.Points, Point{X: x, Q: math.NaN(), Residual: x[0]})
	}
	got, _ = roundTrip(t, big)
	for k, p := range got.Points {
		if !math.IsNaN(p.Q) {
			t.Fatalf("point %d: NaN q came back as %v", k, p.Q)
		}
		for i, v := range p.X {
			if math.Float64bits(v) != math.Float64bits(big.Points[k].X[i]) {
				t.Fatalf("point %d x[%d]: %v came back as %v", k, i, big.Points[k].X[i], v)
			}
		}
	}

	// An empty set and a set without inputs.
	for _, fp := range []*FixedPoints{{N: 4, Dtype: "float64"}, {N: 1, Dtype: "float64", Points: []Point{{X: []float64{1}}}}} {
		if got, _ := roundTrip(t, fp); !reflect.DeepEqual(got, fp) {
			t.Errorf("round trip of %+v gave %+v", fp, got)
		}
	}
}

// The golden file pins the layout that other languages read.
func TestJSONGolden(t *testing.T) {
	path := filepath.Join("testdata", "fixedpoints_v1.json")
	var buf bytes.Buffer
	if err := goldenSet().WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := goldenSet().Save(path); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("WriteJSON differs from %s (run go test -update if the change is meant):\n%s", path, buf.Bytes())
	}
	fp, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fp, goldenSet()) {
		t.Error("the golden file loads as a different set")
	}
}

// A file as another program writes it: indented, core fields only, Inf as a
// string, no "analyzed" field.
func TestJSONForeignMinimal(t *testing.T) {
	fp, err := Load(filepath.Join("testdata", "minimal_v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fp.N != 2 || fp.M != 1 || fp.Dtype != "float32" || fp.Len() != 2 {
		t.Fatalf("header N=%d M=%d %q with %d points", fp.N, fp.M, fp.Dtype, fp.Len())
	}
	a, b := fp.Points[0], fp.Points[1]
	if !reflect.DeepEqual(a.X, []float64{0.5, -0.25}) || !reflect.DeepEqual(a.U, []float64{1}) || a.Q != 1.25e-13 ||
		a.Iters != 812 || !math.IsNaN(a.DQ) || a.XInit != nil {
		t.Errorf("point 0: %+v", a)
	}
	wantJ := []float64{0.9, 0.1, -0.2, 1.1}
	if !reflect.DeepEqual(a.Jacobian, wantJ) || !reflect.DeepEqual(a.InputJacobian, []float64{0.3, -0.4}) {
		t.Errorf("point 0 Jacobians %v %v", a.Jacobian, a.InputJacobian)
	}
	if len(a.Modes) != 2 || a.Modes[0].Value != complex(1.05, 0.1) || a.Modes[1].Right != nil {
		t.Errorf("point 0 modes %+v", a.Modes)
	}
	if s := a.Stability; !s.Analyzed || s.Stable || s.NUnstable != 2 || s.Marginal {
		t.Errorf("point 0 stability %+v, want analyzed (inferred from stable), 2 unstable", s)
	}
	if !math.IsInf(b.Q, 1) || b.Stability.Analyzed || b.Jacobian != nil || b.Modes != nil {
		t.Errorf("point 1: %+v", b)
	}
}

func TestReadJSONErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := goldenSet().WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	full := buf.String()
	const head = `{"format":"fixedpoints/v1","n_states":2,"n_inputs":1,"dtype":"float64","fixed_points":[`
	point := func(s string) string { return head + s + "]}" }
	for _, c := range []struct {
		name, in, msg string
	}{
		{"truncated", full[:len(full)/2], "file ends early"},
		{"empty", "", "file ends early"},
		{"garbage", "{nope", "invalid JSON at byte 2"},
		{"trailing", point("") + "{}", "invalid JSON"},
		{"wrong version", `{"format":"fixedpoints/v2","fixed_points":{}}`, `format "fixedpoints/v2", want "fixedpoints/v1"`},
		{"no version", `{"n_states":2}`, `no "format" field, want "fixedpoints/v1"`},
		{"not an object", `[1,2]`, "cannot unmarshal array"},
		{"zero states", `{"format":"fixedpoints/v1","n_states":0,"dtype":"float64"}`, "n_states 0"},
		{"dtype", `{"format":"fixedpoints/v1","n_states":1,"dtype":"int8"}`, `dtype "int8"`},
		{"short x", point(`{"x":[1,2],"u":[0],"q":0,"residual":0},{"x":[1],"u":[0],"q":0,"residual":0}`), "point 1: x has 1 values, want 2"},
		{"long u", point(`{"x":[1,2],"u":[0,0],"q":0,"residual":0}`), "point 0: u has 2 values, want 1"},
		{"NaN x", point(`{"x":[1,"NaN"],"u":[0],"q":0,"residual":0}`), "point 0: x[1] is NaN"},
		{"no q", point(`{"x":[1,2],"u":[0],"residual":0}`), "point 0: q or residual missing"},
		{"null q", point(`{"x":[1,2],"u":[0],"q":null,"residual":0}`), "point 0: q or residual missing"},
		{"bad string", point(`{"x":[1,"inf"],"u":[0],"q":0,"residual":0}`), `number as string "inf"`},
		{"jacobian rows", point(`{"x":[1,2],"u":[0],"q":0,"residual":0,"jacobian":[[1,2]]}`), "point 0: jacobian has 1 rows, want N=2"},
		{"jacobian row", point(`{"x":[1,2],"u":[0],"q":0,"residual":0,"jacobian":[[1,2],[3]]}`), "point 0: jacobian row 1 has 1 values, want 2"},
		{"input jacobian row", point(`{"x":[1,2],"u":[0],"q":0,"residual":0,"input_jacobian":[[1],[2,3]]}`), "point 0: input_jacobian row 1 has 2 values, want 1"},
		{"complex", point(`{"x":[1,2],"u":[0],"q":0,"residual":0,"eigenvalues":[[1,2,3]]}`), "want [re, im]"},
		{"too many modes", point(`{"x":[1,2],"u":[0],"q":0,"residual":0,"eigenvalues":[[1,0],[1,0],[1,0]]}`), "eigenvalues has 3 values, want at most N=2"},
		{"vectors", point(`{"x":[1,2],"u":[0],"q":0,"residual":0,"eigenvalues":[[1,0]],"eigenvectors_right":[[[1,0]]]}`), "eigenvectors_right[0] has 1 values, want N=2"},
		{"saddle index", point(`{"x":[1,2],"u":[0],"q":0,"residual":0,"stable":false,"n_unstable":3}`), "point 0: n_unstable 3"},
		{"overflow", point(`{"x":[1,1e999],"u":[0],"q":0,"residual":0}`), "out of range"},
	} {
		_, err := ReadJSON(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "finder: read json: ") {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.msg)
		}
	}
}

// A diverged candidate (q NaN, state NaN or infinite), as Result.All can
// hold, is saved and read back as it was.
func TestJSONKeepsDivergedCandidates(t *testing.T) {
	fp := goldenSet()
	d := &fp.Points[1]
	d.X = []float64{math.NaN(), math.Inf(1), 2}
	d.Q, d.Residual = math.NaN(), math.NaN()
	var buf bytes.Buffer
	if err := fp.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	x := got.Points[1].X
	if !math.IsNaN(x[0]) || !math.IsInf(x[1], 1) || x[2] != 2 || !math.IsNaN(got.Points[1].Q) {
		t.Errorf("diverged candidate came back as x %v, q %v", x, got.Points[1].Q)
	}
	d.Q = 1 // with a finite q the state must be finite
	if err := fp.WriteJSON(io.Discard); err == nil || !strings.Contains(err.Error(), "point 1: x[0] is NaN") {
		t.Errorf("NaN x with a finite q: %v", err)
	}
}

func TestWriteJSONRefusesInvalid(t *testing.T) {
	fp := goldenSet()
	fp.Points[1].X[0] = math.NaN()
	if err := fp.WriteJSON(io.Discard); err == nil || !strings.Contains(err.Error(), "point 1: x[0] is NaN") {
		t.Errorf("NaN x: %v", err)
	}
	fp = goldenSet()
	fp.Points[0].Jacobian = fp.Points[0].Jacobian[:8]
	if err := fp.WriteJSON(io.Discard); err == nil || !strings.Contains(err.Error(), "point 0: jacobian has 8 values, want 9") {
		t.Errorf("short Jacobian: %v", err)
	}
	if err := goldenSet().WriteJSON(failWriter{}); err == nil {
		t.Error("a failing writer gave no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fp.json")
	first := goldenSet()
	if err := first.Save(path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)

	// A write that fails halfway, and a set that fails validation, leave the
	// earlier file as it was and no temporary file behind.
	err := atomicWriteFile(path, func(w io.Writer) error {
		w.Write([]byte(`{"format":"fixedpoints/v1","n_st`))
		return errors.New("disk full")
	})
	if err == nil || err.Error() != "disk full" {
		t.Errorf("failed write: %v", err)
	}
	bad := goldenSet()
	bad.Points[0].X = bad.Points[0].X[:1]
	if err := bad.Save(path); err == nil || !strings.HasPrefix(err.Error(), "finder: save "+path+": point 0: x has 1") {
		t.Errorf("invalid set: %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed save changed the earlier file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the directory after failed saves, want 1", len(entries))
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}

	// A successful save replaces the file.
	second := &FixedPoints{N: 1, Dtype: "float64", Points: []Point{{X: []float64{7}, Q: 1}}}
	if err := second.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil || !reflect.DeepEqual(got, second) {
		t.Errorf("load after second save: %+v, %v", got, err)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.HasPrefix(err.Error(), "finder: load: ") {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(path, before[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "finder: load "+path+": invalid JSON: file ends early") {
		t.Errorf("truncated file: %v", err)
	}
}

// FuzzReadJSON: ReadJSON never panics, and what it accepts writes and reads
// back to the same bytes.
func FuzzReadJSON(f *testing.F) {
	var buf bytes.Buffer
	goldenSet().WriteJSON(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte(`{"format":"fixedpoints/v1","n_states":1,"n_inputs":0,"dtype":"float64","fixed_points":[{"x":[1],"u":[],"q":"Infinity","residual":0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fp, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var a, b bytes.Buffer
		if err := fp.WriteJSON(&a); err != nil {
			t.Fatalf("a set ReadJSON accepted does not write: %v", err)
		}
		fp2, err := ReadJSON(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatalf("WriteJSON output does not read: %v\n%s", err, a.Bytes())
		}
		if err := fp2.WriteJSON(&b); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("second round trip differs (%v):\n%s\n%s", err, a.Bytes(), b.Bytes())
		}
	})
}

func BenchmarkJSONWrite1024x32(b *testing.B) {
	fp := benchSet(1024, 32, 3)
	var buf bytes.Buffer
	fp.WriteJSON(&buf)
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		buf.Reset()
		if err := fp.WriteJSON(&buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONRead1024x32(b *testing.B) {
	var buf bytes.Buffer
	benchSet(1024, 32, 3).WriteJSON(&buf)
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := ReadJSON(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSet is n analyzed points of N states and M inputs with full modes.
func benchSet(n, N, M int) *FixedPoints {
	r := rand.New(rand.NewPCG(1, 2))
	fp := &FixedPoints{N: N, M: M, Dtype: "float64"}
	for range n {
		p := Point{X: randVecT(r, N, 1), XInit: randVecT(r, N, 1), U: randVecT(r, M, 1), F: randVecT(r, N, 1),
			Q: 1e-20, Residual: 1e-10, Jacobian: randVecT(r, N*N, 1), InputJacobian: randVecT(r, N*M, 1)}
		for range N {
			m := Mode{Value: complex(r.NormFloat64(), r.NormFloat64()), Right: make([]complex128, N), Left: make([]complex128, N)}
			for i := range N {
				m.Right[i] = complex(r.NormFloat64(), r.NormFloat64())
				m.Left[i] = complex(r.NormFloat64(), r.NormFloat64())
			}
			p.Modes = append(p.Modes, m)
		}
		p.Stability = Stability{Analyzed: true, NUnstable: 1, MaxAbs: 1.2}
		fp.Points = append(fp.Points, p)
	}
	return fp
}
