package stability

// Mode is one eigenvalue of the Jacobian with its right and left eigenvectors
// (J r = lambda r, l^H J = lambda l^H), each of unit 2-norm (nil with
// Settings.NoEigenvectors). In continuous time Value is mu = lambda - 1.
type Mode struct {
	Value complex128
	Right []complex128
	Left  []complex128
	// Cond is the eigenvalue's condition number kappa = 1/|l^H r| (unit
	// vectors), +Inf when unknown (no eigenvectors) or defective.
	Cond float64
	// Bound is the first-order bound Cond * ||E||_2 on |Value - true
	// eigenvalue| for the Jacobian's error E (Point.JacobianError plus the
	// rounding of the eigen-decomposition); see EigenvalueBound.
	Bound float64
	// Class is what the bound lets us say: the mode certainly grows,
	// certainly decays, or cannot be told apart from the boundary.
	Class ModeClass
	// Proved: Class and Bound come from an enclosure of the eigenvalues
	// of the Jacobian at the true root (see Enclose and Prove), not from
	// the first-order estimate. Always false for an undecided mode.
	Proved bool
}

// Stability summarises the linearization of a fixed point. The counts rest
// on each mode's error bound (see Mode.Class): NUnstable, NUndecided and the
// certainly decaying modes add up to the number of modes.
type Stability struct {
	Analyzed    bool    // false until Linearize has run
	Stable      bool    // every mode certainly decays: |lambda| + bound < 1 (discrete) or Re(mu) + bound < 0 (continuous)
	NUnstable   int     // saddle index: number of certainly growing modes (|lambda| - bound > 1, or Re(mu) - bound > 0)
	NUndecided  int     // modes whose bound straddles the boundary: neither certainly growing nor decaying
	MaxAbs      float64 // largest |lambda| (discrete) or largest Re(lambda) (continuous)
	Marginal    bool    // some mode lies within the marginal band (MarginalTol) of the boundary: a description of slow modes only
	NMarginal   int     // how many modes lie in that band (whatever their class)
	Flip        bool    // a certainly unstable mode has a negative real eigenvalue (period-2 flips)
	Oscillatory bool    // a certainly unstable mode is a complex pair (rotation)
	Continuous  bool    // judged for dx/dt = F(x) - x rather than the map x -> F(x)
	// Leading: Modes hold only the leading modes (Settings.Eigen); every
	// other mode is proven to have |lambda| <= RemainderBound < 1 - MarginalTol,
	// so it is stable and not marginal, and the counts above are complete.
	Leading        bool
	RemainderBound float64
	// Proved: every mode's class is proved (Mode.Proved), so Stable and
	// NUnstable are proved facts about the true fixed point; false when
	// some class rests on the first-order estimate (the JSON's
	// "stability": "estimated").
	Proved bool
}

// ModeClass is what an eigenvalue's error bound lets us say about its mode.
type ModeClass int

const (
	// ModeUndecided: the eigenvalue's bound straddles the stability
	// boundary (|lambda| = 1 for a map, Re(mu) = 0 for a flow), or no bound
	// is known. The zero value, so that an unanalyzed mode claims nothing.
	ModeUndecided ModeClass = iota
	// ModeStable: the mode certainly decays, |lambda| + bound < 1
	// (Re(mu) + bound < 0 for a flow).
	ModeStable
	// ModeUnstable: the mode certainly grows, |lambda| - bound > 1
	// (Re(mu) - bound > 0 for a flow).
	ModeUnstable
)

// String is "undecided", "stable" or "unstable".
func (c ModeClass) String() string {
	switch c {
	case ModeUndecided:
		return "undecided"
	case ModeStable:
		return "stable"
	case ModeUnstable:
		return "unstable"
	}
	return "unknown"
}

// ParseModeClass returns the ModeClass whose String is s.
func ParseModeClass(s string) (ModeClass, bool) {
	for _, c := range []ModeClass{ModeUndecided, ModeStable, ModeUnstable} {
		if c.String() == s {
			return c, true
		}
	}
	return ModeUndecided, false
}
