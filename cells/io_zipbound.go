package cells

import (
	"archive/zip"
	"fmt"
)

// maxDeflateRatio bounds what deflate can give from a compressed byte
// (1032 at best, on runs of one byte); an entry declaring more lies.
const maxDeflateRatio = 1100

// checkZipSizes checks the inflated sizes a zip archive declares, before
// any entry is inflated: together at most limit bytes, each possible for
// its compressed size. readZipEntry reads no further than the declared
// size, so a lying entry is caught there: a 2 MB archive declaring
// terabytes (a zip bomb) costs nothing.
func checkZipSizes(zr *zip.Reader, limit int64) error {
	var total uint64
	for _, f := range zr.File {
		if f.Method == zip.Deflate && f.UncompressedSize64 > maxDeflateRatio*f.CompressedSize64+1<<16 {
			return fmt.Errorf("%w: zip entry %s declares %d bytes from %d compressed, more than deflate can give",
				ErrFormat, quoted(f.Name), f.UncompressedSize64, f.CompressedSize64)
		}
		total += f.UncompressedSize64
		if total > uint64(limit) || f.UncompressedSize64 > uint64(limit) {
			return fmt.Errorf("%w: the zip archive's entries declare more than %d bytes (the limit) when inflated",
				ErrTooLarge, limit)
		}
	}
	return nil
}
