package fpjson

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

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/fptest"
	"github.com/rnnfp/fixedpoints/internal/torchref"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// writeSet writes fp alone, as the fixed points of a result.
func writeSet(w io.Writer, fp *finder.FixedPoints) error {
	return Write(w, &finder.Result{Fixed: fp})
}

// readSet reads a file's fixed points; it fails when the file has more.
func readSet(r io.Reader) (*finder.FixedPoints, error) {
	f, err := Read(r)
	if err != nil {
		return nil, err
	}
	if f.Slow != nil || f.Unconverged != nil {
		return nil, errors.New("the file has slow or unconverged points")
	}
	return f.Fixed, nil
}

// loadSet is readSet of the file at path.
func loadSet(path string) (*finder.FixedPoints, error) {
	f, err := Load(path)
	if err != nil {
		return nil, err
	}
	return f.Fixed, nil
}

func roundTrip(t *testing.T, fp *finder.FixedPoints) (*finder.FixedPoints, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := writeSet(&buf, fp); err != nil {
		t.Fatal(err)
	}
	got, err := readSet(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	return got, buf.Bytes()
}

func TestRoundTripExact(t *testing.T) {
	fp := fptest.FullSet()
	got, _ := roundTrip(t, fp)
	if !reflect.DeepEqual(got, fp) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got.Points[0], fp.Points[0])
	}
	if !math.Signbit(got.Points[0].X[2]) {
		t.Error("-0 lost its sign")
	}

	// Random bit patterns: every finite float64 comes back bit for bit.
	r := rand.New(rand.NewPCG(1, 1))
	big := &finder.FixedPoints{N: 100, M: 0, Dtype: "float32"}
	for range 50 {
		x := make([]float64, 100)
		for i := range x {
			for x[i] = math.NaN(); math.IsNaN(x[i]) || math.IsInf(x[i], 0); {
				x[i] = math.Float64frombits(r.Uint64())
			}
		}
		big.Points = append(big.Points, finder.Point{X: x, Q: math.NaN(), Residual: x[0]})
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
	for _, fp := range []*finder.FixedPoints{{N: 4, Dtype: "float64"}, {N: 1, Dtype: "float64", Points: []finder.Point{{X: []float64{1}}}}} {
		if got, _ := roundTrip(t, fp); !reflect.DeepEqual(got, fp) {
			t.Errorf("round trip of %+v gave %+v", fp, got)
		}
	}
}

// The golden file pins the layout that other languages read.
func TestGolden(t *testing.T) {
	path := filepath.Join("testdata", "fixedpoints_v1.json")
	var buf bytes.Buffer
	if err := writeSet(&buf, fptest.FullSet()); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := Save(path, &finder.Result{Fixed: fptest.FullSet()}); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("Write differs from %s (run go test -update if the change is meant):\n%s", path, buf.Bytes())
	}
	fp, err := loadSet(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fp, fptest.FullSet()) {
		t.Error("the golden file loads as a different set")
	}
}

// A file as another program writes it: indented, core fields only, Inf as a
// string, no "analyzed" field.
func TestForeignMinimal(t *testing.T) {
	fp, err := loadSet(filepath.Join("testdata", "minimal_v1.json"))
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

func TestReadErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := writeSet(&buf, fptest.FullSet()); err != nil {
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
		_, err := readSet(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "fpjson: read: ") {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.msg)
		}
	}
}

// A diverged candidate (q NaN, state NaN or infinite), as Result.All can
// hold, is saved and read back as it was.
func TestKeepsDivergedCandidates(t *testing.T) {
	fp := fptest.FullSet()
	d := &fp.Points[1]
	d.X = []float64{math.NaN(), math.Inf(1), 2}
	d.Q, d.Residual = math.NaN(), math.NaN()
	var buf bytes.Buffer
	if err := writeSet(&buf, fp); err != nil {
		t.Fatal(err)
	}
	got, err := readSet(&buf)
	if err != nil {
		t.Fatal(err)
	}
	x := got.Points[1].X
	if !math.IsNaN(x[0]) || !math.IsInf(x[1], 1) || x[2] != 2 || !math.IsNaN(got.Points[1].Q) {
		t.Errorf("diverged candidate came back as x %v, q %v", x, got.Points[1].Q)
	}
	d.Q = 1 // with a finite q the state must be finite
	if err := writeSet(io.Discard, fp); err == nil || !strings.Contains(err.Error(), "point 1: x[0] is NaN") {
		t.Errorf("NaN x with a finite q: %v", err)
	}
}

func TestWriteRefusesInvalid(t *testing.T) {
	fp := fptest.FullSet()
	fp.Points[1].X[0] = math.NaN()
	if err := writeSet(io.Discard, fp); err == nil || !strings.Contains(err.Error(), "point 1: x[0] is NaN") {
		t.Errorf("NaN x: %v", err)
	}
	fp = fptest.FullSet()
	fp.Points[0].Jacobian = fp.Points[0].Jacobian[:8]
	if err := writeSet(io.Discard, fp); err == nil || !strings.Contains(err.Error(), "point 0: jacobian has 8 values, want 9") {
		t.Errorf("short Jacobian: %v", err)
	}
	if err := writeSet(failWriter{}, fptest.FullSet()); err == nil {
		t.Error("a failing writer gave no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fp.json")
	first := fptest.FullSet()
	if err := Save(path, &finder.Result{Fixed: first}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)

	// A set that fails validation leaves the earlier file as it was and no
	// temporary file behind.
	bad := fptest.FullSet()
	bad.Points[0].X = bad.Points[0].X[:1]
	if err := Save(path, &finder.Result{Fixed: bad}); err == nil || !strings.HasPrefix(err.Error(), "fpjson: save "+path+": point 0: x has 1") {
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
	second := &finder.FixedPoints{N: 1, Dtype: "float64", Points: []finder.Point{{X: []float64{7}, Q: 1}}}
	if err := Save(path, &finder.Result{Fixed: second}); err != nil {
		t.Fatal(err)
	}
	got, err := loadSet(path)
	if err != nil || !reflect.DeepEqual(got, second) {
		t.Errorf("load after second save: %+v, %v", got, err)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.HasPrefix(err.Error(), "fpjson: load: ") {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(path, before[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "fpjson: load "+path+": invalid JSON: file ends early") {
		t.Errorf("truncated file: %v", err)
	}
}

// FuzzRead: Read never panics, and what it accepts writes and reads back
// to the same bytes.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	writeSet(&buf, fptest.FullSet())
	f.Add(buf.Bytes())
	f.Add([]byte(`{"format":"fixedpoints/v1","n_states":1,"n_inputs":0,"dtype":"float64","fixed_points":[{"x":[1],"u":[],"q":"Infinity","residual":0}]}`))
	f.Add([]byte(`{"format":"fixedpoints/v1","n_states":1,"n_inputs":0,"dtype":"float64","fixed_points":[],"slow_points":[{"x":[1],"u":[],"q":0.5,"residual":1,"outcome":"slow"}],"unconverged":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		var a, b bytes.Buffer
		if err := Write(&a, file.result()); err != nil {
			t.Fatalf("a file Read accepted does not write: %v", err)
		}
		file2, err := Read(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatalf("Write's output does not read: %v\n%s", err, a.Bytes())
		}
		if err := Write(&b, file2.result()); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("second round trip differs (%v):\n%s\n%s", err, a.Bytes(), b.Bytes())
		}
	})
}

// result is the Result whose groups f holds.
func (f *File) result() *finder.Result {
	return &finder.Result{Fixed: f.Fixed, Slow: f.Slow, Unconverged: f.Unconverged}
}

func BenchmarkWrite1024x32(b *testing.B) {
	fp := benchSet(1024, 32, 3)
	var buf bytes.Buffer
	writeSet(&buf, fp)
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		buf.Reset()
		if err := writeSet(&buf, fp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead1024x32(b *testing.B) {
	var buf bytes.Buffer
	writeSet(&buf, benchSet(1024, 32, 3))
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := readSet(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSet is n analyzed points of N states and M inputs with full modes.
func benchSet(n, N, M int) *finder.FixedPoints {
	r := rand.New(rand.NewPCG(1, 2))
	fp := &finder.FixedPoints{N: N, M: M, Dtype: "float64"}
	for range n {
		p := finder.Point{X: torchref.RandVec(r, N), XInit: torchref.RandVec(r, N), U: torchref.RandVec(r, M), F: torchref.RandVec(r, N),
			Q: 1e-20, Residual: 1e-10, Jacobian: torchref.RandVec(r, N*N), InputJacobian: torchref.RandVec(r, N*M)}
		for range N {
			m := finder.Mode{Value: complex(r.NormFloat64(), r.NormFloat64()), Right: make([]complex128, N), Left: make([]complex128, N)}
			for i := range N {
				m.Right[i] = complex(r.NormFloat64(), r.NormFloat64())
				m.Left[i] = complex(r.NormFloat64(), r.NormFloat64())
			}
			p.Modes = append(p.Modes, m)
		}
		p.Stability = finder.Stability{Analyzed: true, NUnstable: 1, MaxAbs: 1.2}
		fp.Points = append(fp.Points, p)
	}
	return fp
}
