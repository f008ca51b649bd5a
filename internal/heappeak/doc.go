// Package heappeak measures the peak of the Go heap while a function runs,
// for the memory figures of tests and benchmarks (runtime/metrics' live
// and unswept heap objects, sampled on a ticker beside the function).
package heappeak
