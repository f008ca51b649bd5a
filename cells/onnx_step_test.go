package cells_test

import (
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// TestONNXStepFixturesMatchTorch reads every ONNX step gen_ctrnn.py
// exported with torch.onnx.export (each CTRNN form and activation, the
// low-rank RNN, a custom gated cell in float64 and float32, a step using
// every translated operator) with no options but the state input where
// its name says nothing, and checks F and dF/dx against the torch
// module's autograd to 1e-12.
func TestONNXStepFixturesMatchTorch(t *testing.T) {
	n := 0
	for _, f := range readCTRNNManifest(t) {
		if f.ONNX == "" || f.Newton != "" {
			continue
		}
		t.Run(f.ONNX, func(t *testing.T) {
			cell, info, err := cells.LoadModel(fixturePath(f.ONNX), cells.Options{StateInput: f.StateInput})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := cell.(*cells.ONNXStep); !ok {
				t.Fatalf("read as %T, want *cells.ONNXStep", cell)
			}
			df, dj := compareFJ(t, cell, f.Ref, 1e-12)
			t.Logf("%s: max |F - torch| %.2g, |J - torch| %.2g", info, df, dj)
		})
		n++
	}
	if n < 19 {
		t.Errorf("%d ONNX steps compared, want 19", n)
	}
}
