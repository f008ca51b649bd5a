package cells

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/internal/memlimit"
)

// layerWeights is the number of float64 weights of a layer of G gates.
func layerWeights(G, hidden, inputs int) float64 {
	h, m := float64(hidden), float64(inputs)
	return float64(G) * h * (h + m + 2)
}

// checkWeightMemory refuses a cell of G gates whose float64 weights (G x
// hidden x (hidden + inputs + 2) values, in each of layers layers) would
// not fit in the machine's memory: "flipflop -hidden 100000000" asked for
// 10^17 bytes and ended in a makeslice panic.
func checkWeightMemory(kind string, G, hidden, inputs, layers int) error {
	need := 8 * (layerWeights(G, hidden, inputs) + float64(layers-1)*layerWeights(G, hidden, hidden))
	if limit := memlimit.Machine(); need > float64(limit) || hidden > 1<<24 || inputs > 1<<30 {
		what := fmt.Sprintf("%s with hidden size %d and %d inputs", kind, hidden, inputs)
		if layers > 1 {
			what = fmt.Sprintf("%s stack of %d layers of hidden size %d and %d inputs", kind, layers, hidden, inputs)
		}
		return fmt.Errorf("cells: %w: %s: its weights alone need %s, more than this machine's %s",
			ErrTooLarge, what, memlimit.Bytes(need), memlimit.Bytes(float64(limit)))
	}
	return nil
}
