package viz

import (
	"fmt"
	"math"
	"math/cmplx"
)

// Names of the stability boundary in the spectra.
const (
	nameUnitCircle  = "|λ| = 1"
	nameReZero      = "Re μ = 0"
	nameOtherPoints = "other fixed points"
)

// circlePoints is how many segments draw the unit circle.
const circlePoints = 128

// spectra is the eigenvalues of every fixed point, for the page's script:
// the complex-plane and magnitude charts show the selected point's modes
// (or all points' when Selected is -1), coloured by mode class. The script
// draws both charts from it, at first for Selected and again whenever the
// reader picks another point, in the selector or by a click in the 3-D
// view.
type spectra struct {
	Continuous bool `json:"continuous"`
	Selected   int  `json:"selected"`
	// Alpha is dt/τ when the map is the Euler step of a flow
	// (finder.FixedPoints.Alpha, a CTRNN): each point then carries its
	// flow's eigenvalues, which the tooltip shows beside the map's.
	Alpha float64 `json:"alpha,omitempty"`
	// Classes are the mode classes drawn, in the order of the charts'
	// series (see modeClass): certainly stable, undecided and unstable
	// whenever some point has error bounds, and the classes by the
	// eigenvalue alone when some point has none.
	Classes []modeClass     `json:"classes"`
	Points  []spectrumPoint `json:"points"` // indexed as Report.Fixed, then Report.Orbits (map only)
}

type spectrumPoint struct {
	Label string `json:"label"` // "fixed point 3: saddle index 1"
	// Modes are [Re, Im, class, bound, growth] (class: a modeClass, 0
	// certainly stable, 1 undecided, 2 unstable, 3-5 stable, marginal and
	// unstable by the eigenvalue alone; bound: finder's bound on the
	// eigenvalue's error, null when infinite, 0 when unknown; growth:
	// |lambda| - 1, or Re mu for a flow, to 6 digits of its own, since
	// near the boundary Re and Im to 6 digits do not tell it), fastest-
	// growing first as finder sorts them.
	Modes [][5]num `json:"modes"`
	// Flow is [Re, Im] of the flow's eigenvalue λ = (μ - 1)/α of each mode,
	// per unit of τ (finder.Point.FlowEigenvalues), when Alpha is known.
	Flow [][2]num `json:"flow,omitempty"`
}

// spectraOf gathers the spectra and picks the first linearized point.
func (r *Report) spectraOf() spectra {
	s := spectra{Selected: -1, Classes: []modeClass{modeStable, modeUndecided, modeUnstable}, Points: []spectrumPoint{}}
	if r.Fixed == nil {
		s.addOrbits(r)
		return s
	}
	var bounded, unbounded bool
	for i := range r.Fixed.Points {
		p := &r.Fixed.Points[i]
		sp := spectrumPoint{Label: fmt.Sprintf("fixed point %d: %s", i, classify(p)), Modes: [][5]num{}}
		classes := modeClassesOf(p)
		for k, m := range p.Modes {
			sp.Modes = append(sp.Modes, [5]num{num(real(m.Value)), num(imag(m.Value)), num(classes[k]), num(m.Bound),
				num(growth(m.Value, p.Stability.Continuous))})
		}
		for _, l := range p.FlowEigenvalues(r.Fixed.Alpha) {
			sp.Flow = append(sp.Flow, [2]num{num(real(l)), num(imag(l))})
		}
		for _, c := range classes {
			if c >= modeStableAbs {
				unbounded = true
			} else {
				bounded = true
			}
		}
		if len(p.Modes) > 0 {
			s.Continuous = s.Continuous || p.Stability.Continuous
			if s.Selected < 0 {
				s.Selected = i
			}
		}
		s.Points = append(s.Points, sp)
	}
	if r.Fixed.Alpha > 0 && r.Fixed.Alpha <= 1 {
		s.Alpha = r.Fixed.Alpha
	}
	s.addOrbits(r)
	if unbounded {
		abs := []modeClass{modeStableAbs, modeMarginalAbs, modeUnstableAbs}
		if bounded {
			s.Classes = append(s.Classes, abs...)
		} else {
			s.Classes = abs
		}
	}
	return s
}

// addOrbits appends the orbits' multipliers, unless the fixed points were
// judged as a flow (their modes are then mu = lambda - 1, on another
// boundary than the map's multipliers).
func (s *spectra) addOrbits(r *Report) {
	if s.Continuous {
		return
	}
	for _, sp := range r.orbitSpectra() {
		if s.Selected < 0 && len(sp.Modes) > 0 {
			s.Selected = len(s.Points)
		}
		s.Points = append(s.Points, sp)
	}
}

// reach is the largest |value| of any mode, at least 1.
func (s spectra) reach() float64 {
	reach := 1.0
	for _, p := range s.Points {
		for _, m := range p.Modes {
			if v := complex(float64(m[0]), float64(m[1])); finite(v) {
				reach = math.Max(reach, cmplx.Abs(v))
			}
		}
	}
	return reach
}

// symbol is the eigenvalue's letter: λ for the map, μ = λ - 1 in
// continuous time.
func (s spectra) symbol() string {
	if s.Continuous {
		return "μ"
	}
	return "λ"
}

// chartSpectra shows the eigenvalues of the selected fixed point in the
// complex plane, coloured by mode class, over the other points' in grey,
// with the stability boundary: the unit circle for the map's eigenvalues
// lambda, or Re(mu) = 0 when stability was judged in continuous time and
// the modes hold mu = lambda - 1.
func (r *Report) chartSpectra(s spectra) chart {
	sym := s.symbol()
	// The page's script fills in the data from the spectra (select()), so
	// that the eigenvalues are in the page once.
	series := []interface{}{map[string]interface{}{
		"name": nameOtherPoints, "type": "scatter", "data": [][]num{}, "symbolSize": 5,
		"itemStyle": map[string]interface{}{"color": colorContext},
	}}
	for _, c := range s.Classes {
		mc := c.info(s.Continuous)
		series = append(series, map[string]interface{}{
			"name": mc.name, "type": "scatter", "data": [][]num{}, "symbolSize": 9,
			"itemStyle": map[string]interface{}{"color": mc.color, "opacity": 0.85},
		})
	}
	lim := niceCeil(1.1 * s.reach())
	var boundary [][]num
	boundaryName := nameUnitCircle
	if s.Continuous {
		boundaryName = nameReZero
		boundary = [][]num{nums(0, -lim), nums(0, lim)}
	} else {
		for k := 0; k <= circlePoints; k++ {
			a := 2 * math.Pi * float64(k) / circlePoints
			boundary = append(boundary, nums(math.Cos(a), math.Sin(a)))
		}
	}
	series = append(series, map[string]interface{}{
		"name": boundaryName, "type": "line", "data": boundary, "showSymbol": false, "silent": true,
		"lineStyle": map[string]interface{}{"color": "#888888", "width": 1, "type": "dashed"},
		"itemStyle": map[string]interface{}{"color": "#888888"}, // the legend's icon
	})

	sub, tips := "eigenvalues λ of the Jacobian at the selected fixed point", "eig"
	if s.Continuous {
		sub, tips = "μ = λ - 1 for the eigenvalues λ of the Jacobian (continuous time)", "eigmu"
	}
	if s.Alpha > 0 {
		flow := "(λ - 1)/α"
		if s.Continuous {
			flow = "μ/α"
		}
		sub += fmt.Sprintf("; the flow τ dh/dt's eigenvalues are %s, α = dt/τ = %s", flow, fmtG(s.Alpha, 6))
	}
	if s.Selected < 0 {
		sub = "no linearized fixed points"
	}
	opt := base("Eigenvalues", sub, 58, "item")
	opt["grid"] = map[string]interface{}{"left": 70, "top": 110, "width": 400, "height": 400}
	axis := func(name string, gap int) map[string]interface{} {
		return map[string]interface{}{"type": "value", "name": name, "nameLocation": "middle", "nameGap": gap,
			"min": num(-lim), "max": num(lim)}
	}
	opt["xAxis"] = axis("Re "+sym, 28)
	opt["yAxis"] = axis("Im "+sym, 40)
	opt["series"] = series
	return chart{ID: idSpectra, Width: 520, Height: 580, Tips: tips, Option: opt}
}

// chartMagnitudes shows the selected point's modes as bars, in finder's
// order (fastest-growing first), with the boundary as a line: |lambda| and
// 1 for a map, Re(mu) and 0 in continuous time. With hundreds of modes it
// is the view that still tells them apart.
func (r *Report) chartMagnitudes(s spectra) chart {
	value, bound := "|λ|", 1.0
	if s.Continuous {
		value, bound = "Re μ", 0
	}
	var series []interface{}
	for c, cl := range s.Classes {
		mc := cl.info(s.Continuous)
		sr := map[string]interface{}{
			"name": mc.name, "type": "bar", "data": []num{}, "barGap": "-100%", "barCategoryGap": "20%",
			"itemStyle": map[string]interface{}{"color": mc.color},
		}
		if c == 0 {
			sr["markLine"] = map[string]interface{}{
				"silent": true, "symbol": "none", "label": map[string]interface{}{"formatter": value + " = " + fmtG(bound, 3), "position": "insideEndTop"},
				"lineStyle": map[string]interface{}{"color": "#888888", "type": "dashed"},
				"data":      []interface{}{map[string]interface{}{"yAxis": num(bound)}},
			}
		}
		series = append(series, sr)
	}
	opt := base("Modes by size", value+" of each mode of the selected fixed point, largest first", 58, "axis")
	opt["grid"] = map[string]interface{}{"left": 60, "top": 110, "right": 30, "bottom": 60}
	opt["xAxis"] = map[string]interface{}{"type": "category", "data": []string{}, "name": "mode", "nameLocation": "middle", "nameGap": 30}
	opt["yAxis"] = map[string]interface{}{"type": "value", "name": value, "nameLocation": "middle", "nameGap": 40}
	opt["series"] = series
	return chart{ID: idMagnitudes, Width: 520, Height: 580, Option: opt}
}
