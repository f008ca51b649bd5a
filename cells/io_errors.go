package cells

import (
	"errors"
	"fmt"
)

// Sentinel errors of the weight and array readers, for errors.Is. The
// returned errors wrap them with the file name and the details.
var (
	// ErrFormat: the file is not of the format its name or content claims.
	ErrFormat = errors.New("wrong or unknown file format")
	// ErrTruncated: the file ends before the data its header announces.
	ErrTruncated = errors.New("truncated file")
	// ErrDtype: a tensor is not stored as a supported floating-point type.
	ErrDtype = errors.New("unsupported dtype")
	// ErrNotFinite: a weight is NaN or Inf.
	ErrNotFinite = errors.New("non-finite value")
)

// recoverDecode turns a panic of a third-party decoder on malformed input
// into an error, so that no input file can crash the caller.
func recoverDecode(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %s decoder failed on malformed input: %v", ErrFormat, what, r)
	}
}
