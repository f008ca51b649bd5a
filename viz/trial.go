package viz

import (
	"fmt"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
)

// Layout of the trial panel: one grid per channel, stacked.
const (
	trialTop    = 80  // title and legend
	trialRow    = 110 // pixels per channel
	trialBottom = 50  // time axis
)

// chartTrial draws an example trial: for each channel c, in a grid of its
// own, input c, target c and output c over time, as steps: the network
// runs in discrete time, so a value holds until the next step. The legend names the
// three roles, so one click hides, say, all outputs.
func (r *Report) chartTrial() chart {
	t := r.Trial
	width := func(v [][]float64) int {
		if len(v) == 0 {
			return 0
		}
		return len(v[0])
	}
	rows := max(width(t.Inputs), width(t.Targets), width(t.Outputs), 1)
	steps := max(len(t.Inputs), len(t.Targets), len(t.Outputs))

	c := charts.NewLine()
	c.XAxisList = nil
	c.YAxisList = nil
	var grids []opts.Grid
	for row := range rows {
		grids = append(grids, opts.Grid{Left: "90", Right: "30",
			Top: strconv.Itoa(trialTop + row*trialRow), Height: strconv.Itoa(trialRow - 25)})
		c.XAxisList = append(c.XAxisList, opts.XAxis{GridIndex: row, Type: "value",
			Min: 0, Max: max(steps-1, 1),
			Name: "time step", NameLocation: "middle", NameGap: 25,
			AxisLabel: &opts.AxisLabel{Show: opts.Bool(row == rows-1)}})
		name := fmt.Sprintf("channel %d", row+1)
		if row < len(t.Channels) {
			name = t.Channels[row]
		}
		if row != rows-1 {
			c.XAxisList[row].Name = ""
		}
		c.YAxisList = append(c.YAxisList, opts.YAxis{GridIndex: row, Type: "value", Scale: opts.Bool(true),
			Name: name, NameLocation: "middle", NameGap: 50, SplitNumber: 2})
	}
	add := func(name, color, dash string, v [][]float64) {
		for row := range width(v) {
			data := make([][]num, len(v))
			for ti := range v {
				data[ti] = nums(float64(ti), v[ti][row])
			}
			s := charts.SingleSeries{Name: name, Type: types.ChartLine, Data: data,
				XAxisIndex: row, YAxisIndex: row, ShowSymbol: opts.Bool(false),
				LineStyle: &opts.LineStyle{Color: color, Width: 1.5, Type: dash},
				ItemStyle: &opts.ItemStyle{Color: color}}
			s.Step = "end" // a value holds for its whole time step
			c.MultiSeries = append(c.MultiSeries, s)
		}
	}
	// Greys and dashes, not hues: every hue means a class of fixed point.
	add("input", "#b0b0b0", "", t.Inputs)
	add("target", "#000000", "dashed", t.Targets)
	add("output", "#555555", "", t.Outputs)

	c.SetGlobalOptions(heading(idTrial, "Example trial", "inputs, targets and outputs", "52", "axis",
		charts.WithGridOpts(grids...),
	)...)
	c.Validate()
	return chart{ID: idTrial, Width: 900, Height: trialTop + rows*trialRow + trialBottom, Option: c.JSON()}
}
