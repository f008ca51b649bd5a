package finder

import (
	"errors"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
)

// Sentinel errors of Find, for errors.Is. Bad shapes and NaN/Inf values
// wrap cells.ErrShape and cells.ErrNotFinite, the same errors the weight
// readers return.
var (
	// ErrSettings: a setting is out of range (negative tolerance, ...).
	ErrSettings = errors.New("invalid setting")
	// ErrEmpty: there are no initial states.
	ErrEmpty = errors.New("no initial states")
)

// checkFinite returns an error wrapping cells.ErrNotFinite that names the
// first NaN or Inf in v, read as rows of width cols.
func checkFinite(what string, v []float64, cols int) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("finder: %w: %s row %d, column %d is %v", cells.ErrNotFinite, what, i/max(cols, 1), i%max(cols, 1), x)
		}
	}
	return nil
}
