package cells_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// npyBytes builds a version 1.0 .npy file by hand, as numpy.save lays it
// out, independent of the writer under test.
func npyBytes(descr, shape string, fortran bool, data []byte) []byte {
	order := "False"
	if fortran {
		order = "True"
	}
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, order, shape)
	hdr += strings.Repeat(" ", 63-(10+len(hdr))%64) + "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(hdr)), byte(len(hdr)>>8))
	return append(append(b, hdr...), data...)
}

func TestReadNPYKnownBytes(t *testing.T) {
	be := func(vs ...float64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	for _, c := range []struct {
		name string
		b    []byte
		want cells.Tensor
	}{
		{"f8 C 2x3", npyBytes("<f8", "(2, 3)", false, le64(1, 2, 3, 4, 5, 6)),
			cells.Tensor{Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}}},
		// np.asfortranarray([[1, 2, 3], [4, 5, 6]]) stores the columns in turn.
		{"f4 Fortran 2x3", npyBytes("<f4", "(2, 3)", true, le32(1, 4, 2, 5, 3, 6)),
			cells.Tensor{Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}}},
		// a[i,j,k] = 100i + 10j + k for shape (2, 3, 2), column-major: i fastest.
		{"f8 Fortran 2x3x2", npyBytes("<f8", "(2, 3, 2)", true, le64(0, 100, 10, 110, 20, 120, 1, 101, 11, 111, 21, 121)),
			cells.Tensor{Shape: []int{2, 3, 2}, Data: []float64{0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121}}},
		{"f8 big-endian", npyBytes(">f8", "(2,)", false, be(math.Pi, -0.5)),
			cells.Tensor{Shape: []int{2}, Data: []float64{math.Pi, -0.5}}},
		{"f2", npyBytes("<f2", "(3,)", false, le16(0x3c00, 0xc000, 0x7bff)),
			cells.Tensor{Shape: []int{3}, Data: []float64{1, -2, 65504}}},
		{"scalar", npyBytes("<f8", "()", false, le64(2.5)),
			cells.Tensor{Shape: []int{}, Data: []float64{2.5}}},
		{"empty", npyBytes("<f8", "(0, 3)", false, nil),
			cells.Tensor{Shape: []int{0, 3}, Data: []float64{}}},
	} {
		got, err := cells.ReadNPY(writeFile(t, "a.npy", c.b))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !slices.Equal(got.Shape, c.want.Shape) || len(got.Data) != len(c.want.Data) || maxAbsDiff(got.Data, c.want.Data) != 0 {
			t.Errorf("%s: %v %v, want %v %v", c.name, got.Shape, got.Data, c.want.Shape, c.want.Data)
		}
	}
}

func TestWriteNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, a := range []cells.Tensor{
		{Shape: []int{2, 3, 4}, Data: seq(24)},
		{Shape: []int{5}, Data: []float64{math.Inf(1), math.NaN(), math.Copysign(0, -1), 1e-310, math.MaxFloat64}},
		{Shape: []int{}, Data: []float64{42}},
	} {
		path := filepath.Join(dir, "a.npy")
		if err := cells.WriteNPY(path, a); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if want := npyBytes("<f8", shapeTuple(a.Shape), false, le64(a.Data...)); string(b) != string(want) {
			t.Errorf("shape %v: wrote\n%q\nwant numpy's layout\n%q", a.Shape, b, want)
		}
		got, err := cells.ReadNPY(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a.Data { // bitwise: NaN and -0 kept
			if math.Float64bits(got.Data[i]) != math.Float64bits(a.Data[i]) {
				t.Errorf("value %d: %v, want %v", i, got.Data[i], a.Data[i])
			}
		}
	}
	err := cells.WriteNPY(filepath.Join(dir, "bad.npy"), cells.Tensor{Shape: []int{2, 2}, Data: seq(3)})
	wantErr(t, err, "bad.npy", "3 values", "[2 2]")
}

func seq(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(i) + 0.5
	}
	return s
}

func shapeTuple(s []int) string {
	switch len(s) {
	case 0:
		return "()"
	case 1:
		return fmt.Sprintf("(%d,)", s[0])
	}
	d := make([]string, len(s))
	for i, v := range s {
		d[i] = fmt.Sprint(v)
	}
	return "(" + strings.Join(d, ", ") + ")"
}

func TestReadNPYErrors(t *testing.T) {
	good := npyBytes("<f8", "(2, 2)", false, le64(1, 2, 3, 4))
	v3 := append([]byte{}, good...)
	v3[6] = 3
	for _, c := range []struct {
		name     string
		b        []byte
		sentinel error
		parts    []string
	}{
		{"text", []byte("1 2 3\n"), cells.ErrFormat, []string{"not a .npy array"}},
		{"cut data", good[:len(good)-3], cells.ErrTruncated, []string{"29 bytes", "want 32", "[2 2]"}},
		{"cut header", good[:50], cells.ErrTruncated, []string{"header of 118 bytes"}},
		{"long", append(append([]byte{}, good...), 0), cells.ErrFormat, []string{"1 bytes after"}},
		{"int", npyBytes("<i8", "(2,)", false, make([]byte, 16)), cells.ErrDtype, []string{"non-float dtype", "<i8"}},
		{"object", npyBytes("|O", "(2,)", false, make([]byte, 16)), cells.ErrDtype, []string{"non-float dtype"}},
		{"longdouble", npyBytes("<f16", "(1,)", false, make([]byte, 16)), cells.ErrDtype, []string{"float dtype <f16"}},
		{"v3", v3, cells.ErrFormat, []string{"version 3.0"}},
		{"bad order", []byte(strings.Replace(string(good), "False", "Maybe", 1)), cells.ErrFormat, []string{"header"}},
	} {
		path := writeFile(t, "a.npy", c.b)
		_, err := cells.ReadNPY(path)
		t.Logf("%s: %v", c.name, err)
		wantErr(t, err, append(c.parts, path)...)
		if !errors.Is(err, c.sentinel) {
			t.Errorf("%s: error %q does not wrap %q", c.name, err, c.sentinel)
		}
	}
}
