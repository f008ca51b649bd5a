package cells

import (
	"errors"
	"fmt"

	"github.com/rnnfp/fixedpoints/internal/boundedread"
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
		// The runtime's text ("slice bounds out of range [:7] with
		// capacity 3") says nothing to the user; what failed does.
		*err = fmt.Errorf("%w: the %s decoder stopped on an inconsistency in the file (malformed or cut short)", ErrFormat, what)
	}
}

// ErrTooLarge: a file, or what a zip archive inside it declares, is over
// the size limit (Options.MaxBytes, DefaultMaxBytes).
var ErrTooLarge = boundedread.ErrTooLarge
