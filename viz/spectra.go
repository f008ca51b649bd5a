package viz

import (
	"math"
	"math/cmplx"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
)

// Names of the stability boundary in the spectra.
const (
	nameUnitCircle = "|λ| = 1"
	nameReZero     = "Re μ = 0"
)

// circlePoints is how many segments draw the unit circle.
const circlePoints = 128

// chartSpectra shows every eigenvalue of every analyzed fixed point in the
// complex plane, one series per class, with the stability boundary: the
// unit circle for the map's eigenvalues lambda, or Re(mu) = 0 when
// stability was judged in continuous time and the modes hold
// mu = lambda - 1. Each datum is [Re, Im, index of the fixed point].
func (r *Report) chartSpectra() chart {
	byClass := map[class][][]num{}
	reach := 1.0
	continuous := false
	if r.Fixed != nil {
		for i := range r.Fixed.Points {
			p := &r.Fixed.Points[i]
			if len(p.Modes) == 0 {
				continue
			}
			c := classify(p)
			continuous = continuous || p.Stability.Continuous
			for _, m := range p.Modes {
				v := m.Value
				byClass[c] = append(byClass[c], nums(real(v), imag(v), float64(i)))
				if a := cmplx.Abs(v); !math.IsInf(a, 0) && !math.IsNaN(a) {
					reach = math.Max(reach, a)
				}
			}
		}
	}
	classes := make([]class, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	sort.Slice(classes, func(i, j int) bool { return classes[i].less(classes[j]) })

	c := charts.NewScatter()
	for _, cl := range classes {
		c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
			Name: cl.String(), Type: types.ChartScatter,
			Data:       byClass[cl],
			SymbolSize: 7,
			ItemStyle:  &opts.ItemStyle{Color: cl.spectrumColor(), Opacity: opts.Float(0.8)},
		})
	}
	lim := niceCeil(1.1 * reach)
	var boundary [][]num
	boundaryName := nameUnitCircle
	if continuous {
		boundaryName = nameReZero
		boundary = [][]num{nums(0, -lim), nums(0, lim)}
	} else {
		for k := 0; k <= circlePoints; k++ {
			a := 2 * math.Pi * float64(k) / circlePoints
			boundary = append(boundary, nums(math.Cos(a), math.Sin(a)))
		}
	}
	c.MultiSeries = append(c.MultiSeries, charts.SingleSeries{
		Name: boundaryName, Type: types.ChartLine,
		Data:       boundary,
		ShowSymbol: opts.Bool(false),
		LineStyle:  &opts.LineStyle{Color: "#888888", Width: 1, Type: "dashed"},
	})

	sub, sym, tips := "eigenvalues λ of the Jacobians at the fixed points", "λ", "eig"
	if continuous {
		sub, sym, tips = "μ = λ - 1 for the eigenvalues λ of the Jacobians (continuous time)", "μ", "eigmu"
	}
	if len(classes) == 0 {
		sub = "no linearized fixed points"
	}
	c.SetGlobalOptions(heading(idSpectra, "Eigenvalues", sub, "50", "item",
		charts.WithGridOpts(opts.Grid{Left: "70", Top: "100", Width: "400", Height: "400"}),
		charts.WithXAxisOpts(opts.XAxis{Name: "Re " + sym, NameLocation: "middle", NameGap: 28,
			Type: "value", Min: num(-lim), Max: num(lim)}),
		charts.WithYAxisOpts(opts.YAxis{Name: "Im " + sym, NameLocation: "middle", NameGap: 40,
			Type: "value", Min: num(-lim), Max: num(lim)}),
	)...)
	c.Accept(extras{silent: map[string]bool{nameUnitCircle: true, nameReZero: true}})
	c.Validate()
	return chart{ID: idSpectra, Width: 520, Height: 560, Tips: tips, Option: c.JSON()}
}

// niceCeil rounds x > 0 up to 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a
// power of ten, so that axis ends are round numbers.
func niceCeil(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*p >= x*(1-1e-12) {
			return round(m * p)
		}
	}
	return round(10 * p)
}
