package dense

import (
	"reflect"
	"testing"

	"gorgonia.org/tensor"
)

type scalar struct{ v interface{} }

func (s scalar) Data() interface{} { return s.v }

func TestNewPadsAndConverts(t *testing.T) {
	d32 := New(Dtype(true), 2, 2, []float64{1.5, -2})
	if got, want := d32.Data(), []float32{1.5, -2, 0, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("float32 backing = %v, want %v", got, want)
	}
	d64 := New(Dtype(false), 1, 3, []float64{0.1, 0.2})
	if got, want := d64.Data(), []float64{0.1, 0.2, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("float64 backing = %v, want %v", got, want)
	}
	if !d64.Shape().Eq(tensor.Shape{1, 3}) {
		t.Errorf("shape = %v, want (1, 3)", d64.Shape())
	}
}

func TestCopyInOutRoundTrip(t *testing.T) {
	d := New(tensor.Float32, 1, 3, nil)
	// 0.1 is not a float32: the round trip keeps float32's nearest value.
	CopyIn(d, []float64{0.1, 2, -3})
	out := make([]float64, 3)
	if err := CopyOut(out, d); err != nil {
		t.Fatal(err)
	}
	if want := []float64{0.10000000149011612, 2, -3}; !reflect.DeepEqual(out, want) {
		t.Errorf("float32 round trip = %v, want %v", out, want)
	}
	one := make([]float64, 1)
	if err := CopyOut(one, scalar{float32(0.5)}); err != nil || one[0] != 0.5 {
		t.Errorf("float32 scalar: %v, %v", one, err)
	}
}

func TestCopyOutErrors(t *testing.T) {
	d := New(tensor.Float64, 2, 2, nil)
	if err := CopyOut(make([]float64, 3), d); err == nil || err.Error() != "read 4 values, want 3" {
		t.Errorf("length mismatch: err = %v", err)
	}
	if err := CopyOut(make([]float64, 1), scalar{1}); err == nil || err.Error() != "unexpected value type int" {
		t.Errorf("int value: err = %v", err)
	}
}
