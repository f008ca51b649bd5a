//go:build !unix

package boundedread

import "os"

// openNonBlocking opens path read-only (the systems without O_NONBLOCK
// rely on the type check before the open).
func openNonBlocking(path string) (*os.File, error) {
	return os.Open(path)
}
