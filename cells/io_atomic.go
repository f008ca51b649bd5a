package cells

import (
	"io"

	"github.com/rnnfp/fixedpoints/internal/atomicfile"
)

// writeAtomic writes path through write without ever leaving a
// half-written file (see package atomicfile).
func writeAtomic(path string, write func(w io.Writer) error) error {
	return atomicfile.Write(path, write)
}
