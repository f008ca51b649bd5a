// Package cli holds what the example programs share: progress bars, the
// printed summary and the writing of the JSON and HTML outputs. It is only
// glue; every computation lives in the library packages.
package cli
