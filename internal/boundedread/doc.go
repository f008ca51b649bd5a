// Package boundedread reads input files that may be hostile: regular files
// only (a FIFO would block forever, /dev/zero never ends, a directory is a
// mistake), refused at once by their type before any blocking read, and
// never more than a limit, checked against the size the file system
// reports before anything is allocated and again while reading (a file
// that grows).
package boundedread
