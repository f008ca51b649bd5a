package main

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/rnnfp/fixedpoints/viz"
)

// printTable writes one line per input: the frequency asked for, the one
// measured from the output, the one predicted by the fixed point's
// eigenvalue, their relative difference, and the circle's rotation.
func printTable(w io.Writer, conds []*condition) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "input = ω asked\ttrained\tfixed pts\tmeasured ω\tpredicted |arg λ|\t|λ|\tdiff\tcircle rotation\tcircle residual\tcircle exponents\t")
	for _, c := range conds {
		tr := "between"
		if c.Trained {
			tr = "yes"
		}
		meas, pred, mod, diff := "-", "-", "-", "-"
		if c.MeasureErr == nil {
			meas = fmt.Sprintf("%.4f", c.Measured)
		}
		if p := c.Predicted; p != nil {
			pred = fmt.Sprintf("%.4f", p.Omega)
			mod = fmt.Sprintf("%.4f", cabs(p.Lambda))
			if c.MeasureErr == nil {
				diff = fmt.Sprintf("%.2f%%", 100*c.RelErr())
			}
		}
		rot, resid, exps := "-", "-", "-"
		if c.Circle != nil {
			rot = fmt.Sprintf("%.4f", c.Circle.Rotation)
			resid = fmt.Sprintf("%.1e", c.Circle.Residual)
			if e := c.Circle.Exponents; len(e) >= 2 {
				exps = fmt.Sprintf("%.1e, %.3f", e[0], e[1])
			}
		}
		fmt.Fprintf(tw, "%.3f\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", c.U, tr, c.Fixed.Len(), meas, pred, mod, diff, rot, resid, exps)
	}
	tw.Flush()
	for _, c := range conds {
		if c.MeasureErr != nil {
			fmt.Fprintf(w, "input %.3f: %v\n", c.U, c.MeasureErr)
		} else if c.CircleErr != nil && c.Predicted != nil && cabs(c.Predicted.Lambda) < 1 {
			fmt.Fprintf(w, "input %.3f: the fixed point is stable (|λ| %.4f < 1): the oscillation decays onto it, no invariant circle (%v)\n", c.U, cabs(c.Predicted.Lambda), c.CircleErr)
		} else if c.CircleErr != nil {
			fmt.Fprintf(w, "input %.3f: no invariant circle: %v\n", c.U, c.CircleErr)
		}
	}
}

// tableRows is the table as the report's summary rows.
func tableRows(conds []*condition) []viz.Row {
	rows := []viz.Row{{Key: "input (= asked ω, rad/step)", Value: "measured ω from the output · predicted |arg λ| at the fixed point · difference · invariant circle's rotation and leading Lyapunov exponents per step"}}
	for _, c := range conds {
		v := "no oscillation"
		if c.MeasureErr == nil {
			v = fmt.Sprintf("measured %.4f", c.Measured)
		}
		if p := c.Predicted; p != nil {
			v += fmt.Sprintf(" · predicted %.4f (|λ| %.4f)", p.Omega, cabs(p.Lambda))
			if c.MeasureErr == nil {
				v += fmt.Sprintf(" · %.2f%%", 100*c.RelErr())
			}
		} else {
			v += " · no oscillatory fixed point"
		}
		if c.Circle != nil {
			v += fmt.Sprintf(" · circle rotation %.4f", c.Circle.Rotation)
			if e := c.Circle.Exponents; len(e) >= 2 {
				v += fmt.Sprintf(" (Lyapunov exponents %.1e, %.3f, ...)", e[0], e[1])
			}
		}
		k := fmt.Sprintf("%.3f", c.U)
		if c.Trained {
			k += " (trained)"
		}
		rows = append(rows, viz.Row{Key: k, Value: v})
	}
	return rows
}

// frequencyChart is predicted against measured frequency at each input,
// trained and in between, with the line where they are equal.
func frequencyChart(conds []*condition) viz.XY {
	var trained, between [][2]float64
	lo, hi, worst := math.Inf(1), math.Inf(-1), 0.0
	for _, c := range conds {
		if c.Predicted == nil || c.MeasureErr != nil {
			continue
		}
		p := [2]float64{c.Measured, c.Predicted.Omega}
		if c.Trained {
			trained = append(trained, p)
		} else {
			between = append(between, p)
		}
		lo, hi, worst = min(lo, p[0], p[1]), max(hi, p[0], p[1]), max(worst, c.RelErr())
	}
	return viz.XY{
		Title:    "Predicted against measured frequency",
		Subtitle: fmt.Sprintf("|arg λ| of the fixed point's oscillatory pair vs the output's crossings (rad/step); at most %.1f%% apart", 100*worst),
		XName:    "measured ω (output crossings)", YName: "predicted |arg λ|",
		Series: []viz.XYSeries{
			{Name: "trained inputs", Points: trained},
			{Name: "inputs between", Points: between},
			{Name: "predicted = measured", Points: [][2]float64{{lo, lo}, {hi, hi}}, Line: true},
		},
	}
}
