package cells_test

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
)

// A model file is read by its content: here a 2-layer nn.GRU saved by
// torch.save(model.state_dict()), then the same module exported by
// torch.onnx.export, and an LSTM inside a training checkpoint.
func ExampleLoadModel() {
	for _, f := range []string{"testdata/gru2.f64.pt", "testdata/gru2.f64.onnx", "testdata/lstm.ckpt.pt"} {
		cell, info, err := cells.LoadModel(f, cells.Options{})
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: %s\n  N = %d, key %q, nodes %q\n", info.Format, info, cell.StateSize(), info.Key, info.Nodes)
	}
	// Output:
	// torch.save zip: GRU, 2 layers of hidden size 4 (state [h_0; h_1], N = 8), 3 inputs
	//   N = 8, key "", nodes []
	// ONNX: GRU, 2 layers of hidden size 4 (state [h_0; h_1], N = 8), 3 inputs
	//   N = 8, key "", nodes ["/GRU" "/GRU_1"]
	// torch.save zip: LSTM, hidden size 4 (state [h; c], N = 8), 3 inputs
	//   N = 8, key "model_state_dict", nodes []
}
