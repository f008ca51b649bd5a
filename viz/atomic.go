package viz

import "github.com/rnnfp/fixedpoints/internal/atomicfile"

// writeAtomic writes data to path without ever leaving a half-written
// report (see package atomicfile).
func writeAtomic(path string, data []byte) error {
	return atomicfile.WriteBytes(path, data)
}
