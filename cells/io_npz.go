package cells

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
)

// decodeNPZ decodes a whole .npz archive (stored or deflated entries), one
// tensor per "<name>.npy" entry.
func decodeNPZ(b []byte, limit int64) (sd StateDict, err error) {
	defer recoverDecode("npz", &err)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
			return nil, fmt.Errorf("%w: zip archive without its directory (cut short?): %v", ErrTruncated, err)
		}
		return nil, fmt.Errorf("%w: not an .npz (zip) archive: %v", ErrFormat, err)
	}
	if err := checkZipSizes(zr, limit); err != nil {
		return nil, err
	}
	for _, f := range zr.File { // a torch.save zip, whatever its entries' order
		if strings.HasSuffix(f.Name, ".pkl") {
			return nil, fmt.Errorf("%w: a torch.save zip archive (it holds %s), not an .npz", ErrFormat, f.Name)
		}
	}
	sd = make(StateDict, len(zr.File))
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			return nil, fmt.Errorf("%w: npz entry %q is not a .npy array", ErrFormat, f.Name)
		}
		if _, dup := sd[name]; dup {
			return nil, fmt.Errorf("%w: npz holds tensor %q twice", ErrFormat, name)
		}
		raw, err := readZipEntry(f)
		if err != nil {
			return nil, fmt.Errorf("npz entry %q: %w", f.Name, err)
		}
		t, err := decodeNPY(raw)
		if err != nil && name == "dale_ratio" && errors.Is(err, ErrDtype) {
			// PsychRNN saves dale_ratio = None as a pickled object array;
			// None means no Dale's law, as if it were absent.
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		sd[name] = t
	}
	return sd, nil
}

// readZipEntry reads an entry whole, no further than its declared size.
func readZipEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, int64(min(f.UncompressedSize64, 1<<40))+1))
	switch {
	case err == io.ErrUnexpectedEOF:
		return nil, fmt.Errorf("%w: %v", ErrTruncated, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	case uint64(len(raw)) != f.UncompressedSize64:
		return nil, fmt.Errorf("%w: %d bytes, the archive declares %d", ErrFormat, len(raw), f.UncompressedSize64)
	}
	return raw, nil
}

// WriteNPZ writes sd as an uncompressed .npz archive, as numpy.savez does:
// one "<name>.npy" entry per tensor, float32 when float32 is true or else
// float64. numpy.load reads it back as {name: array}; the file is written
// atomically.
func WriteNPZ(path string, sd StateDict, float32 bool) error {
	if err := checkWritable(sd, float32); err != nil {
		return fmt.Errorf("cells: write %s: %w", path, err)
	}
	if err := writeAtomic(path, func(w io.Writer) error { return encodeNPZ(w, sd, float32, zip.Store) }); err != nil {
		return fmt.Errorf("cells: write %s: %w", path, err)
	}
	return nil
}

// encodeNPZ writes the archive, entries in name order, with a fixed time
// stamp so that equal state_dicts give equal bytes. method is zip.Store
// (numpy.savez) or zip.Deflate (numpy.savez_compressed).
func encodeNPZ(w io.Writer, sd StateDict, f32 bool, method uint16) error {
	zw := zip.NewWriter(w)
	for _, name := range sd.Names() {
		var buf bytes.Buffer
		if err := encodeNPY(&buf, sd[name], f32); err != nil {
			return fmt.Errorf("tensor %q: %w", name, err)
		}
		// The DOS date field, 1980-01-01, not Modified: that adds an extended
		// timestamp field numpy does not write, and the bytes should not vary.
		//lint:ignore SA1019 the deprecated field is the one that writes no extra field
		fh := &zip.FileHeader{Name: name + ".npy", Method: method, ModifiedDate: 1<<5 | 1}
		var ew io.Writer
		var err error
		if method == zip.Store {
			// Sizes and CRC up front: no data descriptor, the plainest zip.
			fh.CRC32 = crc32.ChecksumIEEE(buf.Bytes())
			fh.CompressedSize64 = uint64(buf.Len())
			fh.UncompressedSize64 = uint64(buf.Len())
			ew, err = zw.CreateRaw(fh)
		} else {
			ew, err = zw.CreateHeader(fh)
		}
		if err != nil {
			return err
		}
		if _, err := ew.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	return zw.Close()
}

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
