package cells_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// safetensorsFile builds a safetensors file by hand: 8-byte length, JSON
// header, data; independent of the writer under test.
func safetensorsFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func le32(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func le64(vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

func le16(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	return b
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(fixturePath(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReadSafetensorsKnownBytes decodes hand-built files of every float
// dtype to values known exactly.
func TestReadSafetensorsKnownBytes(t *testing.T) {
	header := `{"__metadata__":{"format":"pt"},` +
		`"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},` +
		`"b":{"dtype":"F64","shape":[1,2],"data_offsets":[8,24]},` +
		`"h":{"dtype":"F16","shape":[4],"data_offsets":[24,32]},` +
		`"s":{"dtype":"BF16","shape":[],"data_offsets":[32,34]}}`
	data := append(le32(1.5, -2.25), le64(math.Pi, -1e300)...)
	data = append(data, le16(0x3c00, 0xc000, 0x3555, 0x0001)...) // 1, -2, 0.333251953125, 2^-24
	data = append(data, le16(0xc040)...)                         // bfloat16 -3
	sd, err := cells.ReadStateDict(writeFile(t, "known.safetensors", safetensorsFile(header, data)))
	if err != nil {
		t.Fatal(err)
	}
	want := cells.StateDict{
		"a": {Shape: []int{2}, Data: []float64{1.5, -2.25}},
		"b": {Shape: []int{1, 2}, Data: []float64{math.Pi, -1e300}},
		"h": {Shape: []int{4}, Data: []float64{1, -2, 0.333251953125, math.Ldexp(1, -24)}},
		"s": {Shape: []int{}, Data: []float64{-3}},
	}
	assertStateDict(t, sd, want)
}

func assertStateDict(t *testing.T, got, want cells.StateDict) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("tensors %v, want %v", got.Names(), want.Names())
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok || !slices.Equal(g.Shape, w.Shape) || len(g.Data) != len(w.Data) || maxAbsDiff(g.Data, w.Data) != 0 {
			t.Errorf("%s = %v %v, want %v %v", name, g.Shape, g.Data, w.Shape, w.Data)
		}
	}
}

// testStateDict has a scalar, an empty tensor and values that float32
// rounds, to see what each writer keeps.
func testStateDict() cells.StateDict {
	return cells.StateDict{
		"rnn.weight_hh_l0": {Shape: []int{2, 3}, Data: []float64{0.1, -0.2, 1e-30, 3, math.MaxFloat32, -5}},
		"rnn.bias":         {Shape: []int{3}, Data: []float64{1, 2, 3}},
		"scalar":           {Shape: []int{}, Data: []float64{7.25}},
		"empty":            {Shape: []int{0, 4}, Data: []float64{}},
	}
}

func roundF32(sd cells.StateDict) cells.StateDict {
	out := cells.StateDict{}
	for k, t := range sd {
		d := make([]float64, len(t.Data))
		for i, v := range t.Data {
			d[i] = float64(float32(v))
		}
		out[k] = cells.Tensor{Shape: t.Shape, Data: d}
	}
	return out
}

func TestWriteReadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	sd := testStateDict()
	for _, c := range []struct {
		file  string
		write func(string) error
		want  cells.StateDict
	}{
		{"f64.safetensors", func(p string) error { return cells.WriteSafetensors(p, sd, "F64", map[string]string{"k": "v"}) }, sd},
		{"f32.safetensors", func(p string) error { return cells.WriteSafetensors(p, sd, "f32", nil) }, roundF32(sd)},
		{"f64.npz", func(p string) error { return cells.WriteNPZ(p, sd, false) }, sd},
		{"f32.npz", func(p string) error { return cells.WriteNPZ(p, sd, true) }, roundF32(sd)},
		{"any.safetensors", func(p string) error { return cells.WriteStateDict(p, sd) }, sd},
		{"any.npz", func(p string) error { return cells.WriteStateDict(p, sd) }, sd},
	} {
		path := filepath.Join(dir, c.file)
		if err := c.write(path); err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		got, err := cells.ReadStateDict(path)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		assertStateDict(t, got, c.want)
		// Same input, same bytes.
		b1, _ := os.ReadFile(path)
		if err := c.write(path); err != nil {
			t.Fatal(err)
		}
		if b2, _ := os.ReadFile(path); !bytes.Equal(b1, b2) {
			t.Errorf("%s: writing twice gave different bytes", c.file)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestSafetensorsHeaderAsPyTorchReadsIt(t *testing.T) {
	// safetensors.torch.load_file keeps names as written and requires the
	// header to start with '{' and the offsets to tile the data exactly.
	path := filepath.Join(t.TempDir(), "w.safetensors")
	sd := cells.StateDict{"rnn.weight_hh_l0": {Shape: []int{1, 2}, Data: []float64{1, 2}}}
	if err := cells.WriteSafetensors(path, sd, "F32", map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	n := binary.LittleEndian.Uint64(b)
	hdr := string(b[8 : 8+n])
	want := `{"__metadata__":{"format":"pt"},"rnn.weight_hh_l0":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}`
	if hdr[:len(want)] != want || n%8 != 0 {
		t.Errorf("header %q (%d bytes), want %q padded to a multiple of 8", hdr, n, want)
	}
	if !bytes.Equal(b[8+n:], le32(1, 2)) {
		t.Errorf("data % x", b[8+n:])
	}
}

func TestWriteRefusesBrokenModels(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	good := cells.StateDict{"w": {Shape: []int{2}, Data: []float64{1, 2}}}
	if err := cells.WriteSafetensors(path, good, "F64", nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sd    cells.StateDict
		dtype string
		parts []string
	}{
		{cells.StateDict{"bias_hh_l0": {Shape: []int{2}, Data: []float64{1, math.NaN()}}}, "F64", []string{`"bias_hh_l0"`, "NaN", "[1]"}},
		{cells.StateDict{"w": {Shape: []int{2, 2}, Data: []float64{1}}}, "F64", []string{`"w"`, "1 values", "[2 2]"}},
		{cells.StateDict{"w": {Shape: []int{1}, Data: []float64{1e39}}}, "F32", []string{`"w"`, "overflows float32"}},
		{good, "F16", []string{`"F16"`, "F64 or F32"}},
		{cells.StateDict{}, "F64", []string{"empty"}},
	} {
		err := cells.WriteSafetensors(path, c.sd, c.dtype, nil)
		wantErr(t, err, append(c.parts, path)...)
	}
	// The good file is untouched and no temporary file is left.
	if sd, err := cells.ReadStateDict(path); err != nil || sd["w"].Data[1] != 2 {
		t.Errorf("earlier file damaged: %v %v", sd, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries, want 1", len(ents))
	}
	err := cells.WriteNPZ(filepath.Join(dir, "no", "such", "dir.npz"), good, false)
	wantErr(t, err, "dir.npz")
	err = cells.WriteStateDict(filepath.Join(dir, "w.pt"), good)
	wantErr(t, err, ".pt", ".safetensors or .npz")
}

// TestReadErrorsNameTheProblem feeds broken files and checks that the error
// names the file, the problem and, where there is one, the tensor.
func TestReadErrorsNameTheProblem(t *testing.T) {
	st := readFixture(t, "rnn.f64.safetensors")
	npz := readFixture(t, "gru.f32.npz")
	nanHeader := `{"rnn.bias_hh_l0":{"dtype":"F64","shape":[2,2],"data_offsets":[0,32]}}`
	var nanNPZ bytes.Buffer
	{
		p := filepath.Join(t.TempDir(), "nan.npz")
		sd := cells.StateDict{"bias_ih_l0": {Shape: []int{3}, Data: []float64{0, math.Inf(-1), 0}}}
		if err := cells.WriteNPZWith(p, sd, true, zip.Deflate); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		nanNPZ.Write(b)
	}
	torchZip := zipOf(t, map[string][]byte{"archive/data.pkl": {0x80, 2}, "archive/version": []byte("3\n")})
	// The pickle need not come first: here ".data/version" precedes it.
	torchZipLate := zipOf(t, map[string][]byte{"archive/.data/version": []byte("3\n"), "archive/data.pkl": {0x80, 2}})
	intNPZ := zipOf(t, map[string][]byte{"steps.npy": npyBytes("<i8", "(2,)", false, make([]byte, 16))})
	for _, c := range []struct {
		name     string
		b        []byte
		sentinel error
		parts    []string
	}{
		{"text.safetensors", []byte("hello, these are not weights\n"), cells.ErrFormat, []string{"not a safetensors file"}},
		{"cut.safetensors", st[:len(st)-5], cells.ErrTruncated, []string{"truncated", "only"}},
		{"cut-header.safetensors", st[:40], cells.ErrTruncated, []string{"truncated", "header of"}},
		{"tiny.safetensors", st[:5], cells.ErrTruncated, []string{"truncated", "5 bytes"}},
		{"long.safetensors", append(append([]byte{}, st...), 0, 0, 0), cells.ErrFormat, []string{"3 bytes after the end"}},
		{"cut.npz", npz[:len(npz)/2], cells.ErrTruncated, []string{"truncated", "zip"}},
		{"nan.safetensors", safetensorsFile(nanHeader, le64(0, 0, 1, math.NaN())), cells.ErrNotFinite, []string{`"rnn.bias_hh_l0"`, "NaN", "[1 1]"}},
		{"nan.npz", nanNPZ.Bytes(), cells.ErrNotFinite, []string{`"bias_ih_l0"`, "-Inf", "[1]"}},
		{"int.safetensors", safetensorsFile(`{"step":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, make([]byte, 8)), cells.ErrDtype, []string{`"step"`, "non-float dtype I64"}},
		{"fp8.safetensors", safetensorsFile(`{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}`, []byte{0}), cells.ErrDtype, []string{`"w"`, `"F8_E4M3"`}},
		{"int.npz", intNPZ, cells.ErrDtype, []string{`"steps"`, "non-float dtype", "<i8"}},
		{"model.pt", []byte{0x80, 2, 'c', 'x'}, cells.ErrNotStateDict, []string{"not a torch.save file", "torch.save(model.state_dict()"}},
		{"model.zip", torchZip, cells.ErrTruncated, []string{"data.pkl", "STOP"}},
		{"late.zip", torchZipLate, cells.ErrTruncated, []string{"data.pkl", "STOP"}},
		{"weights.dat", []byte("plain text"), cells.ErrFormat, []string{`".dat"`, "none of"}},
		{"x0.npy", npyBytes("<f8", "(1,)", false, le64(1)), cells.ErrFormat, []string{"single .npy array"}},
		{"other.npz", zipOf(t, map[string][]byte{"readme.txt": []byte("hi")}), cells.ErrFormat, []string{`"readme.txt"`, "not a .npy"}},
	} {
		path := writeFile(t, c.name, c.b)
		_, err := cells.ReadStateDict(path)
		t.Logf("%s: %v", c.name, err)
		wantErr(t, err, append(c.parts, path)...)
		if !errors.Is(err, c.sentinel) {
			t.Errorf("%s: error %q does not wrap %q", c.name, err, c.sentinel)
		}
	}
	_, err := cells.ReadStateDict(filepath.Join(t.TempDir(), "absent.safetensors"))
	wantErr(t, err, "absent.safetensors", "no such file")
}

func TestReadSniffsUnknownExtension(t *testing.T) {
	for _, c := range []struct{ f, as string }{
		{"lstm.f32.safetensors", "weights.dat"}, {"lstm.f32.npz", "weights"}, {"lstm.f64.safetensors", "pytorch_model.bin"},
		{"lstm.f32.npz", "weights.safetensors"}, {"lstm.f64.safetensors", "weights.npz"}, {"lstm.f64.pt", "weights.npz"},
	} {
		f := c.f
		path := writeFile(t, c.as, readFixture(t, f))
		sd, err := cells.ReadStateDict(path)
		if err != nil {
			t.Fatalf("%s as .dat: %v", f, err)
		}
		if s := sd["weight_hh_l0"].Shape; !slices.Equal(s, []int{16, 4}) {
			t.Errorf("%s as .dat: weight_hh_l0 shape %v", f, s)
		}
	}
}

func TestLoadErrorsNameTensors(t *testing.T) {
	sd := cells.NewLSTM(4, 3).StateDict()
	delete(sd, "bias_hh_l0")
	path := filepath.Join(t.TempDir(), "w.npz")
	if err := cells.WriteNPZ(path, sd, false); err != nil {
		t.Fatal(err)
	}
	err := cells.LoadWeights(path, cells.NewLSTM(4, 3), "")
	wantErr(t, err, path, `missing tensor "bias_hh_l0"`)
	_, err = cells.LoadTorchCell(path, "lstm", cells.AutoPrefix)
	wantErr(t, err, path, `missing tensor "bias_hh_l0"`)
	_, err = cells.LoadTorchCell(path, "gru", cells.AutoPrefix)
	wantErr(t, err, path, `"weight_hh_l0"`, "[16 4]", "fits lstm")
	_, err = cells.LoadTorchCell(path, "lsmt", cells.AutoPrefix)
	wantErr(t, err, `unknown cell kind "lsmt"`, "lstm")
}

// zipOf builds a stored zip archive.
func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) { // entries in name order
		b := files[name]
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
