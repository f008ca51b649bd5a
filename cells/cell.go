package cells

import (
	"errors"
	"fmt"
	"math"
	"sync"

	G "gorgonia.org/gorgonia"
)

// Cell is one step of a recurrent network, F(X, U), built as gorgonia nodes.
//
// Step receives the batch of states x (B x N), inputs u (B x M) and one node
// per entry of Params, in the same order and of the same shapes. The caller
// decides whether those nodes are constants (finding fixed points) or
// learnable (training); the cell must not care. Step must give every node it
// creates a name unique within the graph (G.WithName): gorgonia silently
// merges unnamed equal constants.
type Cell interface {
	// StateSize is N, the length of the state vector.
	StateSize() int
	// InputSize is M, the length of the input vector (0 for autonomous cells).
	InputSize() int
	// Params lists the cell's weights in the layout Step expects. The
	// returned Params share storage with the cell: writing Data changes it.
	Params() []*Param
	// Step builds F(x, u) and returns a B x N node.
	Step(x, u *G.Node, p []*G.Node) (*G.Node, error)
}

// Driven is an optional interface for cells whose input enters only
// through affine terms, the drives D(U): F(x, u) = G(x, D(u)). While fixed
// points are sought U is constant, so the objective computes the drives
// once per input instead of on every iteration. Step must equal
// StepDriven(x, Drives(u, p), p). The built-in cells implement it.
type Driven interface {
	Cell
	// Drives builds the drive nodes from U (B x M) and the weights.
	Drives(u *G.Node, p []*G.Node) ([]*G.Node, error)
	// StepDriven builds F from X and the drives (each B rows, or one row
	// to broadcast).
	StepDriven(x *G.Node, d []*G.Node, p []*G.Node) (*G.Node, error)
}

// Param is one named weight matrix of a cell, row-major. Vectors such as
// biases are 1 x n rows so that they broadcast over the batch.
type Param struct {
	Name       string
	Rows, Cols int
	Data       []float64
}

// NewParam returns a zero Param of the given shape.
func NewParam(name string, rows, cols int) *Param {
	return &Param{Name: name, Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
}

// At returns element (i, j).
func (p *Param) At(i, j int) float64 { return p.Data[i*p.Cols+j] }

// Set sets element (i, j).
func (p *Param) Set(i, j int, v float64) { p.Data[i*p.Cols+j] = v }

// CheckFinite returns an error naming the first weight that is NaN or Inf.
func CheckFinite(c Cell) error {
	for _, p := range c.Params() {
		if len(p.Data) != p.Rows*p.Cols {
			return fmt.Errorf("cells: %w: param %s has %d values, want %dx%d", ErrShape, p.Name, len(p.Data), p.Rows, p.Cols)
		}
		for k, v := range p.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("cells: %w: param %s[%d,%d] is %v", ErrNotFinite, p.Name, k/p.Cols, k%p.Cols, v)
			}
		}
	}
	return nil
}

// Linearized is an optional interface for Driven cells that know their
// Jacobians in closed form, as a sum of terms diag(l) W diag(r): a weight
// block W (or an identity block) scaled row by row and column by column
// with coefficients computed from the state. For a tanh RNN
// dF/dx = diag(1 − F²) W_hh, one term; a GRU has four, an LSTM ten. One
// forward pass then gives every point's Jacobian, where the seeded
// vector-Jacobian passes take N of them (package graph assembles the terms).
type Linearized interface {
	Driven
	// StepJacobian builds F from X and the drives, as StepDriven does (the
	// same nodes, so the same values), and the terms of dF/dx and dF/du.
	// A cell whose form has no closed Jacobian (a GRU with
	// ResetBeforeLinear) returns an error wrapping ErrNoClosedForm.
	StepJacobian(x *G.Node, d, p []*G.Node) (*G.Node, []JacobianTerm, error)
}

// QHessian is an optional interface for cells that compute in plain Go, at
// one state x under input u, the Jacobian J of F and the Hessian of
// q = ½‖F(x) − x‖² with its second-order term, both in closed form:
//
//	(J − I)ᵀ(J − I) + Σ_i (F_i(x) − x_i) ∇²F_i(x)
//
// (N×N each, row-major; the Hessian symmetric). ok is false where the
// cell's form has no closed form (a GRU with ResetBeforeLinear). It costs
// O(N³) multiply-adds, where central differences of the gradient take 2N
// gradient passes. The GRU (PyTorch's form) and the LSTM implement it.
type QHessian interface {
	// QHessian returns J and the Hessian of q at (x, u), or ok false.
	QHessian(x, u []float64) (jac, hess []float64, ok bool)
}

// QHessianInto is QHessian writing J and the Hessian of q into the
// caller's jac and hess (N×N each, overwritten) instead of new slices, for
// callers that evaluate many; it reports ok. The values are QHessian's, bit
// for bit. The GRU and the LSTM implement it.
type QHessianInto interface {
	// QHessianInto writes J and the Hessian of q at (x, u) into jac and
	// hess, or reports false.
	QHessianInto(x, u, jac, hess []float64) bool
}

// Tangent is an optional interface for cells that compute in plain Go the
// products of their Jacobian dF/dx with vectors, from coefficients of the
// point (Linearized's terms, evaluated without a graph): TangentAt gives
// a batch of points' coefficients once, and each ApplyTangent then costs a
// matrix product per weight block and no transcendental function, where a
// difference of F evaluates the whole step again (and carries a relative
// error of about sqrt(eps)). The GRU (PyTorch's form) implements it.
type Tangent interface {
	// TangentSize is the number of coefficients per point.
	TangentSize() int
	// TangentAt writes the coefficients of dF/dx at the n points x (n×N)
	// under the inputs u (n×M) into coef (n×TangentSize()), or reports
	// false where the cell's form has none (a GRU with
	// ResetBeforeLinear).
	TangentAt(n int, x, u, coef []float64) bool
	// ApplyTangent sets out[r] = dF/dx v[r] (N values a row) for the
	// len(rows) rows, row r's Jacobian given by the coefficients of point
	// rows[r] in coef (TangentSize() values a point). A row's values do
	// not depend on the other rows'.
	ApplyTangent(coef []float64, rows []int, v, out []float64)
}

// QHessianVec is an optional interface for cells that compute in plain Go
// the products of the Hessian of q = ½‖F(x) − x‖² (with its second-order
// term, as QHessian's) with vectors, from coefficients of the point:
// QHessianVecAt gives a batch of points' coefficients once, and each
// ApplyQHessianVec then costs a few matrix products per batch of vectors,
// where central differences of the gradient take two gradient rows (a
// forward and a backward pass each). The GRU (PyTorch's form) implements
// it.
type QHessianVec interface {
	// QHessianVecSize is the number of coefficients per point.
	QHessianVecSize() int
	// QHessianVecAt writes the coefficients of the Hessian of q at the n
	// points x (n×N) under the inputs u (n×M) into coef
	// (n×QHessianVecSize()), or reports false where the cell's form has
	// none (a GRU with ResetBeforeLinear).
	QHessianVecAt(n int, x, u, coef []float64) bool
	// ApplyQHessianVec sets out[r] = H_r v[r] (N values a row) for the
	// len(rows) rows, row r's Hessian given by the coefficients of point
	// rows[r] in coef (QHessianVecSize() values a point). Each row's
	// product is its own.
	ApplyQHessianVec(coef []float64, rows []int, v, out []float64)
}

// scratch holds the closed-form Hessians' working vectors between calls.
var scratch sync.Pool

// getScratch returns a buffer of n values (not cleared) from scratch.
func getScratch(n int) *[]float64 {
	if b, ok := scratch.Get().(*[]float64); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]float64, n)
	return &b
}

// putScratch hands a buffer back to scratch.
func putScratch(b *[]float64) { scratch.Put(b) }

// ErrNoClosedForm marks a cell whose Jacobian StepJacobian cannot give in
// closed form; callers fall back to vector-Jacobian passes.
var ErrNoClosedForm = errors.New("no closed-form jacobian")

// JacobianTerm is one term diag(Left) B diag(Right) of a closed-form
// Jacobian: the block B sits at rows Row.., columns Col.. of dF/dx (of
// dF/du when Input is set) and is Params()[Param] transposed (the weights
// are stored transposed: a K x H param gives an H x K block), or the
// identity of Size rows when Param is negative. Left (B x rows) and Right
// (B x columns) are coefficient nodes of the batch; nil stands for ones.
type JacobianTerm struct {
	Input       bool
	Row, Col    int
	Param, Size int
	Left, Right *G.Node
}
