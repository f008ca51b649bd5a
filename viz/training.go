package viz

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Training is how the network was trained, for the report's training
// panel: the loss over epochs and what training reached.
type Training struct {
	Task string // what it was trained on, e.g. "3-bit flip-flop"
	// Loss and ValMSE hold, per epoch, the mean training loss and the
	// mean squared error on the validation trials after the epoch.
	Loss, ValMSE []float64
	TargetMSE    float64 // training stopped once ValMSE reached it; 0: none
	Reached      bool    // ValMSE reached TargetMSE
	Epochs       int     // epochs trained
	MSE          float64 // final validation MSE
	// Accuracy is the fraction of output entries with a nonzero target
	// whose sign is right, on the validation trials.
	Accuracy float64
	Elapsed  time.Duration
}

// rows are the training facts for the page's table; none without training.
func (t *Training) rows() []Row {
	if t == nil {
		return nil
	}
	var rows []Row
	if t.Task != "" {
		rows = append(rows, Row{"task", t.Task})
	}
	rows = append(rows,
		Row{"epochs trained", strconv.Itoa(t.Epochs)},
		Row{"final validation MSE", fmtG(t.MSE, 3)},
	)
	if t.TargetMSE > 0 {
		reached := "reached"
		if !t.Reached {
			reached = "not reached"
		}
		rows = append(rows, Row{"target validation MSE", fmtG(t.TargetMSE, 3) + " (" + reached + ")"})
	}
	rows = append(rows, Row{"outputs with the right sign", fmt.Sprintf("%.2f%%", 100*t.Accuracy)})
	if t.Elapsed > 0 {
		rows = append(rows, Row{"training time", t.Elapsed.Round(time.Millisecond).String()})
	}
	return rows
}

// chartTraining draws the training loss and the validation MSE over
// epochs on a log scale, with the target as a dashed line.
func (r *Report) chartTraining() chart {
	t := r.Training
	points := func(v []float64) [][]num {
		out := [][]num{}
		for i, x := range v {
			if x > 0 && !math.IsInf(x, 0) { // a log axis shows positive values only
				out = append(out, nums(float64(i+1), x))
			}
		}
		return out
	}
	val := map[string]interface{}{
		"name": "validation MSE", "type": "line", "data": points(t.ValMSE), "showSymbol": false,
		"lineStyle": map[string]interface{}{"color": colorTrajectory, "width": 2},
		"itemStyle": map[string]interface{}{"color": colorTrajectory},
	}
	if t.TargetMSE > 0 {
		val["markLine"] = map[string]interface{}{
			"silent": true, "symbol": "none",
			"label":     map[string]interface{}{"formatter": "target " + fmtG(t.TargetMSE, 3), "position": "insideEndTop"},
			"lineStyle": map[string]interface{}{"color": "#888888", "type": "dashed"},
			"data":      []interface{}{map[string]interface{}{"yAxis": num(t.TargetMSE)}},
		}
	}
	series := []interface{}{
		map[string]interface{}{
			"name": "training loss", "type": "line", "data": points(t.Loss), "showSymbol": false,
			"lineStyle": map[string]interface{}{"color": "#7f7f7f", "width": 1.5},
			"itemStyle": map[string]interface{}{"color": "#7f7f7f"},
		},
		val,
	}
	sub := fmt.Sprintf("%d epochs; final validation MSE %s, outputs with the right sign %.2f%%",
		t.Epochs, fmtG(t.MSE, 3), 100*t.Accuracy)
	opt := base("Training", sub, 50, "axis")
	opt["grid"] = map[string]interface{}{"left": 70, "top": 100, "right": 30, "bottom": 50}
	opt["xAxis"] = map[string]interface{}{"type": "value", "name": "epoch", "nameLocation": "middle", "nameGap": 28,
		"min": 1, "max": max(len(t.ValMSE), len(t.Loss), 2), "minInterval": 1}
	opt["yAxis"] = map[string]interface{}{"type": "log", "name": "mean squared error", "nameLocation": "middle", "nameGap": 50,
		"axisLabel": map[string]interface{}{"formatter": "{value}"}}
	opt["series"] = series
	return chart{ID: idTraining, Width: 520, Height: 400, Option: opt}
}
