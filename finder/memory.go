package finder

// memoryVectorsPerCandidate is how many vectors of N + M values Find holds
// per candidate during the search: the state, the input, the gradient, the
// solver's moments, the graph's intermediates and the refinement's work
// vectors, rounded up.
const memoryVectorsPerCandidate = 32

// MemoryNeed estimates the bytes Find needs for B initial states of a cell
// with N states and M inputs under s (zero fields at their defaults): the
// batch, about 32 vectors of N + M values per candidate, and the N x N
// Jacobians held at once (Settings.JacobianBudget, or all B of them when
// that is less). It is in float64 so that absurd sizes do not overflow. It
// is a floor, not a measurement: commands compare it with the memory they
// may use before they allocate anything, and refuse sizes that cannot fit.
func MemoryNeed(N, M, B int, s Settings) float64 {
	s.fill()
	n, m, b := float64(N), float64(M), float64(B)
	batch := 8 * b * (n + m) * memoryVectorsPerCandidate
	jac := min(float64(s.JacobianBudget), 8*b*n*(n+m))
	return batch + jac
}
