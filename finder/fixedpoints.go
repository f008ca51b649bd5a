package finder

import (
	"fmt"
	"math"
)

// Point is one candidate or fixed point with everything known about it.
// Vectors are float64 whatever the dtype of the search.
type Point struct {
	X         []float64 // the state x* (N)
	XInit     []float64 // where the search started (N)
	U         []float64 // the constant input (M)
	F         []float64 // F(x*, u) (N)
	Q         float64   // 0.5*||F(x*) - x*||^2
	Residual  float64   // max_i |F_i(x*) - x*_i|
	DQ        float64   // |q(t) - q(t-1)| at the last first-order step
	Iters     int       // first-order iterations spent on this candidate
	Refines   int       // refinement steps taken (Levenberg-Marquardt and quasi-Newton)
	Condition *int      // the caller's condition id (Problem.Conditions); nil when none

	// How the candidate's search ended (set by Find; see Outcome).
	Outcome Outcome
	Reason  Reason // why it ended unconverged (ReasonNone otherwise)
	// Gradient is ||grad q|| at X over the size rounding alone can give it
	// there (its floor: the rounding of (J - I)^T (F - x) and of X times the
	// Hessian, with a factor 64), checked for every candidate that was not
	// certified: at most 1 at a slow point. 0 when not checked (certified
	// points).
	Gradient float64
	// HessianMin is the smallest eigenvalue of the Hessian of q at X, and
	// HessianError the estimated bound of its error: a slow point has
	// HessianMin > HessianError. RelativeSpeed is Speed over the network's
	// own speed (Stats.NetworkSpeed). All three 0 when not checked.
	HessianMin, HessianError float64
	RelativeSpeed            float64

	// Proof says how the point is certified (see Proof): for a cell whose
	// residual factors as F − x = D ⊙ G, method "krawczyk" with the radius
	// holding the unique root and the uniqueness radius. GResidual is
	// max|G| at X (0 when not evaluated; Residual is max|F − x|).
	// ProofReason says why a tried proof failed ("no contraction",
	// "overflow", "singular"), "" otherwise.
	Proof       Proof
	GResidual   float64
	ProofReason string
	// Far marks a proved point beyond the reference's distance rule (see
	// ExcludeDistanceOutliers): kept, as a proved root is no junk, with
	// FarDistance its distance to the initial states' centroid over their
	// mean distance.
	Far         bool
	FarDistance float64

	// Filled by Linearize. Find keeps Jacobian, InputJacobian and the
	// modes' vectors up to Settings.KeepMatricesMaxN states; above it they
	// are nil (but the right vectors of the unstable modes the connections
	// may start from) and LinearizePoints fills them again.
	Jacobian      []float64 // dF/dx at x*, N x N row-major: J[i*N+k] = dF_i/dx_k
	InputJacobian []float64 // dF/du at x*, N x M row-major
	Modes         []Mode    // eigen-decomposition of Jacobian, fastest-growing first (see Decompose)
	Stability     Stability
	// JacobianError bounds ||J(x*) - Jacobian||_2, the error of the stored
	// Jacobian as the Jacobian at the true fixed point near X, from the
	// rounding of its evaluation and the distance the residual implies (see
	// JacobianErrorBound). Decompose turns it into each mode's Bound. 0 when
	// unknown (then only the rounding of the Jacobian is counted).
	JacobianError float64
}

// Speed is sqrt(2q) = ||F(x) - x||_2, the length of one step of the map at X.
func (p *Point) Speed() float64 { return math.Sqrt(2 * p.Q) }

// FixedPoints is an ordered set of points of one network: N states,
// M inputs, found in Dtype ("float64" or "float32").
type FixedPoints struct {
	N, M   int
	Dtype  string
	Points []Point

	// Set by Find on Result.Fixed, nil otherwise: the coverage estimate and
	// where the unstable modes lead. Both refer to Points by index, so a
	// subset or a concatenation does not carry them.
	Coverage    *Coverage
	Connections []Connection

	// Alpha is dt/τ, in (0, 1], when the cell's map is the Euler step of a
	// flow τ dh/dt = (F(h) - h)/α (cells.EulerStep: a CTRNN), set by Find
	// on every group; 0 when there is no such flow or it is not known. The
	// map's eigenvalues μ and the flow's λ are then related by μ = 1 + αλ
	// (see Point.FlowEigenvalues).
	Alpha float64
}

// FlowEigenvalues are the eigenvalues λ = (μ - 1)/α of the flow
// τ dh/dt = (F(h) - h)/α, per unit of τ, for the map's eigenvalues μ of
// p.Modes (whose Value is μ, or μ - 1 when judged in continuous time), in
// the order of p.Modes; nil without modes or when alpha is not in (0, 1].
func (p *Point) FlowEigenvalues(alpha float64) []complex128 {
	if len(p.Modes) == 0 || !(alpha > 0 && alpha <= 1) {
		return nil
	}
	out := make([]complex128, len(p.Modes))
	a := complex(alpha, 0)
	for k, m := range p.Modes {
		v := m.Value // μ - 1 in continuous time
		if !p.Stability.Continuous {
			v -= 1
		}
		out[k] = v / a
	}
	return out
}

// Len is the number of points.
func (fp *FixedPoints) Len() int { return len(fp.Points) }

// Predict returns the linearized one-step prediction of the map at p,
//
//	F(x, u) ~ F(x*, u*) + J (x - x*) + B (u - u*),
//
// with J = p.Jacobian and B = p.InputJacobian. F(x*, u*) is p.F when it is
// stored and p.X otherwise (equal at a fixed point, up to its residual); the
// Taylor expansion of F about x* is the right one for slow points too. A nil
// u means u = u*. Predict needs the Jacobians (Linearize; Find drops them
// above Settings.KeepMatricesMaxN, and LinearizePoints fills them again)
// and returns an error for vectors of the wrong length.
func (p *Point) Predict(x, u []float64) ([]float64, error) {
	N, M := len(p.X), len(p.U)
	if len(p.Jacobian) != N*N {
		return nil, fmt.Errorf("finder: predict: point has %d Jacobian values, want %d x %d (run Linearize, or LinearizePoints for the points of a Find above Settings.KeepMatricesMaxN)", len(p.Jacobian), N, N)
	}
	if len(x) != N {
		return nil, fmt.Errorf("finder: predict: %d state values, want %d", len(x), N)
	}
	if u != nil && len(u) != M {
		return nil, fmt.Errorf("finder: predict: %d input values, want %d", len(u), M)
	}
	useU := u != nil && M > 0
	if useU && len(p.InputJacobian) != N*M {
		return nil, fmt.Errorf("finder: predict: point has %d input Jacobian values, want %d x %d", len(p.InputJacobian), N, M)
	}
	base := p.X
	if len(p.F) == N {
		base = p.F
	}
	dx := make([]float64, N)
	for k := range dx {
		dx[k] = x[k] - p.X[k]
	}
	var du []float64
	if useU {
		du = make([]float64, M)
		for k := range du {
			du[k] = u[k] - p.U[k]
		}
	}
	out := make([]float64, N)
	for i := range out {
		s := base[i]
		row := p.Jacobian[i*N : (i+1)*N]
		for k, d := range dx {
			s += row[k] * d
		}
		if useU {
			row := p.InputJacobian[i*M : (i+1)*M]
			for k, d := range du {
				s += row[k] * d
			}
		}
		out[i] = s
	}
	return out, nil
}
