package viz

import (
	"fmt"
	"math"
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
	return periodicClass(o.Floquet, -1, o.NUnstable, o.NUndecided, o.Stable)
}

// cycleClass is orbitClass for a limit cycle, its trivial multiplier left out.
func cycleClass(c *orbits.Cycle) class {
	return periodicClass(c.Floquet, c.Trivial, c.NUnstable, c.NUndecided, c.Stable)
}

// periodicClass classes multipliers (but the one at index skip) as a
// fixed point's modes, checked against the counts given.
func periodicClass(fl []orbits.Multiplier, skip, nUnstable, nUndec int, isStable bool) class {
	var unstable, nUndecided int
	for i, m := range fl {
		if i == skip {
			continue
		}
		switch m.Class {
		case finder.ModeUnstable:
			unstable++
		case finder.ModeUndecided:
			nUndecided++
		}
	}
	switch {
	case len(fl) == 0:
		return class{kind: unknown}
	case unstable != nUnstable || nUndecided != nUndec || isStable != (unstable == 0 && nUndecided == 0):
		return class{kind: disagree}
	case nUndecided > 0:
		return class{kind: undecided, index: unstable, more: nUndecided}
	case isStable:
		return class{kind: stable}
	}
	return class{kind: saddle, index: unstable}
}

// cycleName is a limit cycle's legend entry: "limit cycle 0 (T = 4.833): stable".
func cycleName(i int, c *orbits.Cycle) string {
	return fmt.Sprintf("limit cycle %d (T = %s): %s", i, fmtG(c.Period, 4), cycleClass(c))
}

// cycleSeries draws each limit cycle as a closed polyline through its samples.
func (r *Report) cycleSeries(pr *projection, snap func([3]float64) []num) []charts.SingleSeries {
	var out []charts.SingleSeries
	for i := range r.Cycles {
		c := &r.Cycles[i]
		line := make([][]num, 0, len(c.Points)+1)
		for _, p := range c.Points {
			line = append(line, snap(pr.apply(p)))
		}
		if len(line) > 0 {
			line = append(line, line[0])
		}
		out = append(out, charts.SingleSeries{Name: cycleName(i, c), Type: types.ChartLine3D, CoordSystem: types.ChartCartesian3D,
			Data: line, LineStyle: &opts.LineStyle{Color: cycleClass(c).color(), Width: 3}})
	}
	return out
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

// circleSamples is how many points draw an invariant circle.
const circleSamples = 128

// invariantCirclePoints samples an invariant circle at equal angles.
func invariantCirclePoints(c *orbits.Circle) [][]float64 {
	out := make([][]float64, circleSamples)
	for k := range out {
		out[k] = c.At(2 * math.Pi * float64(k) / circleSamples)
	}
	return out
}

// circleSeries draws each invariant circle as a closed curve, named by
// its rotation per step.
func (r *Report) circleSeries(pr *projection, snap func([3]float64) []num) []charts.SingleSeries {
	var out []charts.SingleSeries
	for i := range r.Circles {
		c := &r.Circles[i]
		pts := invariantCirclePoints(c)
		line := make([][]num, 0, len(pts)+1)
		for _, p := range pts {
			line = append(line, snap(pr.apply(p)))
		}
		line = append(line, line[0])
		name := fmt.Sprintf("invariant circle %d (%s rad per step)", i, fmtG(c.Rotation, 4))
		out = append(out, charts.SingleSeries{Name: name, Type: types.ChartLine3D, CoordSystem: types.ChartCartesian3D,
			Data: line, LineStyle: &opts.LineStyle{Color: colorCircle, Width: 3}})
	}
	return out
}

// colorCircle draws invariant circles, whose stability is not known.
const colorCircle = "#9467bd"

// orbitPoints3D lists the projected points of every orbit, limit cycle
// and invariant circle (for the axes).
func (r *Report) orbitPoints3D(pr *projection) [][3]float64 {
	var out [][3]float64
	for _, o := range r.Orbits {
		for _, p := range o.Points {
			out = append(out, pr.apply(p))
		}
	}
	for _, c := range r.Cycles {
		for _, p := range c.Points {
			out = append(out, pr.apply(p))
		}
	}
	for i := range r.Circles {
		for _, p := range invariantCirclePoints(&r.Circles[i]) {
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

// orbitRows counts the orbits by period and class, and where their
// unstable directions lead.
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
	conns := 0
	for i := range r.Orbits {
		conns += len(r.Orbits[i].Connections)
	}
	if conns > 0 {
		rows = append(rows, Row{"orbits' unstable directions followed", finder.OrbitConnectionCounts(r.Orbits)})
	}
	nc := map[class]int{}
	for i := range r.Cycles {
		nc[cycleClass(&r.Cycles[i])]++
	}
	cls := make([]class, 0, len(nc))
	for c := range nc {
		cls = append(cls, c)
	}
	sort.Slice(cls, func(i, j int) bool { return cls[i].less(cls[j]) })
	for _, c := range cls {
		rows = append(rows, Row{"limit cycles, " + c.String(), strconv.Itoa(nc[c])})
	}
	if len(r.Circles) > 0 {
		rows = append(rows, Row{"invariant circles (stability not judged)", strconv.Itoa(len(r.Circles))})
	}
	return rows
}
