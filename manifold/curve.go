package manifold

// Curve is a traced 1-D slow manifold: points ordered by arclength.
type Curve struct {
	N      int          `json:"-"`
	M      int          `json:"-"`
	U      []float64    `json:"u"` // the constant input
	Points []CurvePoint `json:"points"`
	// Closed: the curve returned to its start (a ring); its last point is
	// then one step short of the first.
	Closed bool `json:"closed"`
	// Ends says why the curve stopped at its first and its last point
	// (both EndClosed for a ring).
	Ends [2]End `json:"ends"`
	// Corrections counts the corrector's Jacobian evaluations.
	Corrections int `json:"corrections"`
}

// CurvePoint is one point of a traced manifold. The marginal mode is the
// real eigenvalue of dF/dx the manifold runs along, with unit right vector
// Right (oriented along increasing S) and unit left vector Left.
type CurvePoint struct {
	S          float64   `json:"s"`          // arclength from the first point
	X          []float64 `json:"x"`          // the state
	Q          float64   `json:"q"`          // ½‖F(x) − x‖²: 0 on a manifold of fixed points
	Residual   float64   `json:"residual"`   // max|F(x) − x|
	Eigenvalue float64   `json:"eigenvalue"` // the marginal mode's eigenvalue
	Right      []float64 `json:"right"`      // its right eigenvector: the tangent
	Left       []float64 `json:"left"`       // its left eigenvector
	// Selection holds, per input j, yᵀB_j / yᵀv: how far one step moves the
	// state along Right per unit of input j (B = dF/du).
	Selection []float64 `json:"selection"`
	// Encoded is the readout W x + b, and EncodedSlope = W v its rate of
	// change along the curve, when the problem has a readout.
	Encoded      []float64 `json:"encoded,omitempty"`
	EncodedSlope []float64 `json:"encoded_slope,omitempty"`
}

// End says why a curve stopped.
type End string

const (
	// EndQ: the corrector could not bring q below Settings.QMax: the
	// manifold ends (or the step could not shrink further).
	EndQ End = "q above bound"
	// EndBand: the marginal mode left the slow band (||lambda| - 1| > Band),
	// where the manifold meets a stable fixed point or turns fast.
	EndBand End = "left the slow band"
	// EndArclength: Settings.MaxArclength was reached.
	EndArclength End = "arclength limit"
	// EndPoints: Settings.MaxPoints were traced.
	EndPoints End = "point limit"
	// EndRegion: the curve left Problem.Region.
	EndRegion End = "left the region"
	// EndStep: the step fell below Settings.MinStep without a good point.
	EndStep End = "step below minimum"
	// EndClosed: the curve closed on itself (a ring).
	EndClosed End = "closed"
	// EndNoMode: no real mode to follow.
	EndNoMode End = "no real slow mode"
	// EndCanceled: the context was canceled.
	EndCanceled End = "canceled"
)

// Summary condenses a curve: its length, q range, marginal eigenvalue range
// and the mean |selection| per input.
type Summary struct {
	Length               float64
	MaxQ                 float64
	MinLambda, MaxLambda float64
	MeanAbsSelection     []float64 // per input
	EncodedMin           []float64 // per readout output, when there is one
	EncodedMax           []float64
}

// Summarize returns the curve's Summary.
func (c *Curve) Summarize() Summary {
	s := Summary{MinLambda: 0, MaxLambda: 0}
	if len(c.Points) == 0 {
		return s
	}
	s.Length = c.Points[len(c.Points)-1].S
	s.MinLambda, s.MaxLambda = c.Points[0].Eigenvalue, c.Points[0].Eigenvalue
	s.MeanAbsSelection = make([]float64, c.M)
	no := len(c.Points[0].Encoded)
	if no > 0 {
		s.EncodedMin = append([]float64(nil), c.Points[0].Encoded...)
		s.EncodedMax = append([]float64(nil), c.Points[0].Encoded...)
	}
	for _, p := range c.Points {
		s.MaxQ = max(s.MaxQ, p.Q)
		s.MinLambda = min(s.MinLambda, p.Eigenvalue)
		s.MaxLambda = max(s.MaxLambda, p.Eigenvalue)
		for j, v := range p.Selection {
			s.MeanAbsSelection[j] += abs(v) / float64(len(c.Points))
		}
		for o := 0; o < no && o < len(p.Encoded); o++ {
			s.EncodedMin[o] = min(s.EncodedMin[o], p.Encoded[o])
			s.EncodedMax[o] = max(s.EncodedMax[o], p.Encoded[o])
		}
	}
	return s
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
