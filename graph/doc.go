// Package graph builds, compiles and runs the gorgonia graphs of the toolkit:
// the batched fixed-point objective over B candidate states,
//
//	F(X, U),  q_b = 0.5*||F(x_b, u_b) - x_b||^2,  loss = sum_b q_b,  dloss/dX,
//
// dF/dx and dF/du for a whole batch (in closed form, one forward pass, for
// cells that know theirs, cells.Linearized; else by seeded vector-Jacobian
// passes, N of them), and plain forward simulation of a cell.
//
// It is the only public package that touches gorgonia machines (training's
// unrolled graph lives in internal/unroll, for package tasks), and it steps
// around gorgonia's traps: every output is read through G.Read, only the
// needed outputs are compiled (CompileFunction + WithPrecompiled), every node
// is named, one graph and machine belong to one goroutine, and gorgonia
// panics come back as errors where they can: those raised while a graph is
// built or compiled, and in the calling goroutine. gorgonia's RunAll runs a
// program's ops on a goroutine of its own, where a panic inside an op cannot
// be recovered and ends the process; the tape machines built here run their
// programs on the caller's goroutine instead (runInline, which also saves
// RunAll's thread handoff), and the graphs are checked before they run
// (shapes, dtypes, buffer lengths) so that their ops do not panic. A
// user-written gorgonia.Op still must not panic in Do: a machine runInline
// does not take runs by RunAll.
package graph

// The BLAS behind gorgonia's and gonum's products is chosen here for every
// user of the package: gonum's pure Go, or OpenBLAS with the build tag
// openblas (see internal/blasuse).
import _ "github.com/rnnfp/fixedpoints/internal/blasuse"
