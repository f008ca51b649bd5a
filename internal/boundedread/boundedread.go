package boundedread

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// DefaultLimit is the size limit of an input file where none is given:
// 4 GiB, far above the models and results of the toolkit.
const DefaultLimit int64 = 4 << 30

// ErrTooLarge: a file, or what it declares it holds, is over the limit.
var ErrTooLarge = errors.New("over the size limit")

// ErrNotRegular: the path names a FIFO, a device, a socket or a directory.
var ErrNotRegular = errors.New("not a regular file")

// ReadFile reads the regular file at path whole if it holds at most limit
// bytes. Symbolic links are followed; what they lead to must be a regular
// file.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, size, err := Open(path, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, path, size, limit)
}

// Open opens the regular file at path for reading if it holds at most
// limit bytes, and returns its size. The type is checked by Stat before
// the open (a FIFO's open would block until a writer comes) and again on
// the opened file (the path may have been swapped in between); the open
// itself does not block (O_NONBLOCK where the system has it).
func Open(path string, limit int64) (*os.File, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if err := checkRegular(path, fi, limit); err != nil {
		return nil, 0, err
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err = f.Stat()
	if err == nil {
		err = checkRegular(path, fi, limit)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// checkRegular refuses what is not a regular file of at most limit bytes.
func checkRegular(path string, fi fs.FileInfo, limit int64) error {
	if m := fi.Mode(); !m.IsRegular() {
		return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: %s", ErrNotRegular, kind(m))}
	}
	if fi.Size() > limit {
		return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: the file holds %d bytes, the limit is %d", ErrTooLarge, fi.Size(), limit)}
	}
	return nil
}

// kind names a file mode that is not a regular file's.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

// readAll reads f, announced to hold size bytes, to its end, failing if it
// holds more than limit.
func readAll(f *os.File, path string, size, limit int64) ([]byte, error) {
	b := make([]byte, 0, size+1)
	for {
		if int64(len(b)) > limit {
			return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: the file grew past the limit of %d bytes while read", ErrTooLarge, limit)}
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// LimitReader is io.LimitReader that fails with ErrTooLarge, instead of
// ending quietly, when r holds more than n bytes: for data inflated or
// decoded from a file, whose declared size may lie.
func LimitReader(r io.Reader, n int64, what string) io.Reader {
	return &limitReader{r: r, n: n, limit: n, what: what}
}

type limitReader struct {
	r        io.Reader
	n, limit int64
	what     string
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// One byte more tells a stream at its end from one that goes on.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: %s holds more than %d bytes", ErrTooLarge, l.what, l.limit)
		}
		if err == nil {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
