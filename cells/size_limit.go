package cells

import (
	"fmt"

	"github.com/rnnfp/fixedpoints/internal/memlimit"
)

// checkWeightMemory refuses a cell of G gates whose float64 weights (G x
// hidden x (hidden + inputs + 2) values) would not fit in the machine's
// memory: "flipflop -hidden 100000000" asked for 10^17 bytes and ended in a
// makeslice panic.
func checkWeightMemory(kind string, G, hidden, inputs int) error {
	h, m := float64(hidden), float64(inputs)
	need := 8 * float64(G) * h * (h + m + 2)
	if limit := memlimit.Machine(); need > float64(limit) || hidden > 1<<24 || inputs > 1<<30 {
		return fmt.Errorf("cells: %w: %s with hidden size %d and %d inputs: its weights alone need %s, more than this machine's %s",
			ErrTooLarge, kind, hidden, inputs, memlimit.Bytes(need), memlimit.Bytes(float64(limit)))
	}
	return nil
}
