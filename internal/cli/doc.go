// Package cli holds what the example programs share: the running of a
// program (Main, and its exit status: 0, 2 for a UsageError, 1 for any
// other error), the parsing and checking of flags (ModelFlags for the
// subcommands that load a model, Parse, Positive, NonNegative and their
// kin, whose messages all name the flag), progress bars, the printed
// summary and the writing of the JSON and HTML outputs. It is only glue;
// every computation lives in the library packages.
package cli
