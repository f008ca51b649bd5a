package cells

import (
	"errors"
	"fmt"
)

// Sentinel errors of the cells, weight and array readers, for errors.Is.
// The returned errors wrap them with the file name and the details; the
// finder wraps ErrShape and ErrNotFinite for bad states and inputs too.
var (
	// ErrFormat: the file is not of the format its name or content claims.
	ErrFormat = errors.New("wrong or unknown file format")
	// ErrTruncated: the file ends before the data its header announces.
	ErrTruncated = errors.New("truncated file")
	// ErrDtype: a tensor is not stored as a supported floating-point type.
	ErrDtype = errors.New("unsupported dtype")
	// ErrNotFinite: a weight, state or input is NaN or Inf.
	ErrNotFinite = errors.New("non-finite value")
	// ErrShape: an array or tensor does not have the shape the cell needs.
	ErrShape = errors.New("shape mismatch")
	// ErrMissing: a tensor the cell needs is not in the state_dict.
	ErrMissing = errors.New("missing tensor")
	// ErrUnknownCell: a cell kind name that is not rnn, rnn_relu, gru or lstm.
	ErrUnknownCell = errors.New("unknown cell kind")
)

// recoverDecode turns a panic of a third-party decoder on malformed input
// into an error, so that no input file can crash the caller.
func recoverDecode(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %s decoder failed on malformed input: %v", ErrFormat, what, r)
	}
}
