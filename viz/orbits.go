package viz

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/orbits"
)

// orbitClass is how a periodic orbit is drawn and counted, from its
// multipliers' classes as orbits set them: the class of a fixed point with
// the same counts (stable, saddle of index NUnstable, undecided), or
// "labels disagree" when its counts contradict its multipliers.
func orbitClass(o *orbits.Orbit) class {
	var unstable, nUndecided int
	for _, m := range o.Floquet {
		switch m.Class {
		case finder.ModeUnstable:
			unstable++
		case finder.ModeUndecided:
			nUndecided++
		}
	}
	switch {
	case len(o.Floquet) == 0:
		return class{kind: unknown}
	case unstable != o.NUnstable || nUndecided != o.NUndecided || o.Stable != (unstable == 0 && nUndecided == 0):
		return class{kind: disagree}
	case nUndecided > 0:
		return class{kind: undecided, index: unstable, more: nUndecided}
	case o.Stable:
		return class{kind: stable}
	}
	return class{kind: saddle, index: unstable}
}

// orbitName is an orbit's legend entry: "period-3 orbit 2: saddle index 1".
func orbitName(i int, o *orbits.Orbit) string {
	return fmt.Sprintf("period-%d orbit %d: %s", o.Period, i, orbitClass(o))
}

// orbitSeries draws each orbit as a closed polyline through its points,
// with its points as markers (a click selects its multipliers in the
// spectra, entry first+i), both under the orbit's own legend entry.
func (r *Report) orbitSeries(pr *projection, snap func([3]float64) []num, first int) []charts.SingleSeries {
	var out []charts.SingleSeries
	for i := range r.Orbits {
		o := &r.Orbits[i]
		name, color := orbitName(i, o), orbitClass(o).color()
		proved := "not proved"
		if o.Proof != nil {
			proved = "proved within " + fmtG(o.Proof.Radius, 2)
		} else if o.ProofReason != "" {
			proved += ": " + o.ProofReason
		}
		line := make([][]num, 0, len(o.Points)+1)
		items := make([]item3D, 0, len(o.Points))
		for j, p := range o.Points {
			at := pr.apply(p)
			line = append(line, snap(at))
			items = append(items, item3D{name: fmt.Sprintf("%s, point %d", name, j), at: at, fp: first + i,
				tip: fmt.Sprintf("%s\npoint %d of %d, residual %s, %s", name, j, o.Period, fmtG(o.Residual, 3), proved)})
		}
		if len(line) > 0 {
			line = append(line, line[0]) // closed
		}
		out = append(out,
			charts.SingleSeries{Name: name, Type: types.ChartLine3D, CoordSystem: types.ChartCartesian3D,
				Data: line, LineStyle: &opts.LineStyle{Color: color, Width: 3}},
			scatter3DSeries(name, color, 7, items, snap))
	}
	return out
}

// orbitPoints3D lists the projected points of every orbit (for the axes).
func (r *Report) orbitPoints3D(pr *projection) [][3]float64 {
	var out [][3]float64
	for _, o := range r.Orbits {
		for _, p := range o.Points {
			out = append(out, pr.apply(p))
		}
	}
	return out
}

// orbitSpectra are the spectra entries of the orbits: their Floquet
// multipliers, classed as the orbits classed them.
func (r *Report) orbitSpectra() []spectrumPoint {
	var out []spectrumPoint
	for i := range r.Orbits {
		o := &r.Orbits[i]
		sp := spectrumPoint{Label: orbitName(i, o) + " (Floquet multipliers)", Modes: [][5]num{}}
		for _, m := range o.Floquet {
			c := modeUndecided
			switch m.Class {
			case finder.ModeStable:
				c = modeStable
			case finder.ModeUnstable:
				c = modeUnstable
			}
			sp.Modes = append(sp.Modes, [5]num{num(real(m.Value)), num(imag(m.Value)), num(c), num(m.Bound), num(growth(m.Value, false))})
		}
		out = append(out, sp)
	}
	return out
}

// orbitRows counts the orbits by period and class.
func (r *Report) orbitRows() []Row {
	type key struct {
		period int
		c      class
	}
	n := map[key]int{}
	for i := range r.Orbits {
		n[key{r.Orbits[i].Period, orbitClass(&r.Orbits[i])}]++
	}
	keys := make([]key, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].period != keys[j].period {
			return keys[i].period < keys[j].period
		}
		return keys[i].c.less(keys[j].c)
	})
	var rows []Row
	for _, k := range keys {
		rows = append(rows, Row{fmt.Sprintf("period-%d orbits, %s", k.period, k.c), strconv.Itoa(n[k])})
	}
	if len(r.Orbits) > 0 {
		rows = append(rows, Row{"periodic orbits", strconv.Itoa(len(r.Orbits))})
	}
	return rows
}
