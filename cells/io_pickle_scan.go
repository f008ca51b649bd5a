package cells

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Argument encodings of the pickle opcodes (protocols 0-5, as Python's
// pickletools lists them).
const (
	argNone  = iota
	argLine  // one newline-terminated line
	argLine2 // two lines (GLOBAL, INST)
	argFixed // a fixed number of bytes
	argLen   // a little-endian length of n bytes, then that many bytes
	argFrame // FRAME: an 8-byte length of the frame that follows (not skipped)
)

type pickleArg struct{ kind, n int }

var pickleArgs = func() map[byte]pickleArg {
	m := map[byte]pickleArg{}
	for _, op := range []byte("(.012NQRab}de]lo)stu\x81\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94\x97\x98") {
		m[byte(op)] = pickleArg{argNone, 0}
	}
	for _, op := range "FILPSVgp" {
		m[byte(op)] = pickleArg{argLine, 0}
	}
	m['c'], m['i'] = pickleArg{argLine2, 0}, pickleArg{argLine2, 0}
	for op, n := range map[byte]int{'J': 4, 'K': 1, 'M': 2, 'h': 1, 'j': 4, 'q': 1, 'r': 4, 'G': 8, 0x80: 1, 0x82: 1, 0x83: 2, 0x84: 4} {
		m[op] = pickleArg{argFixed, n}
	}
	for op, n := range map[byte]int{'T': 4, 'U': 1, 'X': 4, 0x8c: 1, 0x8d: 8, 'B': 4, 'C': 1, 0x8e: 8, 0x96: 8, 0x8a: 1, 0x8b: 4} {
		m[op] = pickleArg{argLen, n}
	}
	m[0x95] = pickleArg{argFrame, 8}
	return m
}()

// scanPickle walks the opcodes of the pickle at the start of b up to its
// STOP and checks that every length the pickle announces fits in what is
// left of b, so that the unpickler never allocates more than the file
// holds. It returns the pickle's length.
func scanPickle(b []byte) (int, error) {
	i := 0
	for i < len(b) {
		op := b[i]
		i++
		if op == '.' {
			return i, nil
		}
		a, ok := pickleArgs[op]
		if !ok {
			return 0, fmt.Errorf("%w: unknown pickle opcode 0x%02x at byte %d", ErrFormat, op, i-1)
		}
		switch a.kind {
		case argLine, argLine2:
			for l := 0; l < 1+btoi(a.kind == argLine2); l++ {
				j := bytes.IndexByte(b[i:], '\n')
				if j < 0 {
					return 0, fmt.Errorf("%w: pickle ends inside the argument of opcode %q", ErrTruncated, op)
				}
				i += j + 1
			}
		case argFixed:
			i += a.n
		case argLen, argFrame:
			if len(b)-i < a.n {
				return 0, fmt.Errorf("%w: pickle ends inside the length of opcode %q", ErrTruncated, op)
			}
			var n uint64
			switch a.n {
			case 1:
				n = uint64(b[i])
			case 4:
				n = uint64(binary.LittleEndian.Uint32(b[i:]))
			case 8:
				n = binary.LittleEndian.Uint64(b[i:])
			}
			i += a.n
			if n > uint64(len(b)-i) {
				return 0, fmt.Errorf("%w: pickle opcode %q announces %d bytes, %d are left", ErrTruncated, op, n, len(b)-i)
			}
			if a.kind == argLen {
				i += int(n)
			}
		}
		if i > len(b) {
			return 0, fmt.Errorf("%w: pickle ends inside the argument of opcode %q", ErrTruncated, op)
		}
	}
	return 0, fmt.Errorf("%w: pickle without its STOP opcode", ErrTruncated)
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}
