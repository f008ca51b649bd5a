package cells

import "io"

// Internals for the external tests (package cells_test).

// WriteNPZWith writes an npz with the given zip method (zip.Deflate gives
// what numpy.savez_compressed writes), for fixtures.
func WriteNPZWith(path string, sd StateDict, f32 bool, method uint16) error {
	return writeAtomic(path, func(w io.Writer) error { return encodeNPZ(w, sd, f32, method) })
}

// DecodeStateDict decodes the bytes of a weight file named name.
func DecodeStateDict(name string, b []byte) (StateDict, error) { return decodeStateDict(name, b) }
