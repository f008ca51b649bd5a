package main

import (
	"fmt"
	"io"
	"math"
	"math/cmplx"

	"github.com/rnnfp/fixedpoints/finder"
)

// maxFlowLines bounds the per-point lines of printFlow.
const maxFlowLines = 32

// printFlow says for which dynamics stability was judged and, in continuous
// time, shows for each fixed point both the map's leading eigenvalue μ and
// the flow's λ = (μ - 1)/α (Point.FlowEigenvalues; α = 1 unless the cell
// is a CTRNN, whose map is the Euler step of τ dh/dt = -h + f(...) with
// α = dt/τ, FixedPoints.Alpha). It returns the line for the report.
func printFlow(w io.Writer, res *finder.Result, continuous bool) string {
	if !continuous {
		return "the map h -> F(h): stable when every |mu| < 1"
	}
	alpha, what := 1.0, "the flow dh/dt = F(h) - h: lambda = mu - 1"
	if a := res.Fixed.Alpha; a > 0 {
		alpha = a
		what = fmt.Sprintf("the flow tau dh/dt = -h + f(...): lambda = (mu - 1)/alpha, alpha = %g", alpha)
	}
	line := what + "; stable when every Re(lambda) < 0"
	fmt.Fprintf(w, "stability judged for %s\n", line)
	for k, p := range res.Fixed.Points {
		if k == maxFlowLines {
			fmt.Fprintf(w, "  ... %d more points\n", res.Fixed.Len()-k)
			break
		}
		if len(p.Modes) == 0 {
			continue
		}
		// In continuous time a mode's Value is mu - 1.
		flow := p.FlowEigenvalues(alpha)
		lead, maxMu := 0, 0.0
		for i, m := range p.Modes {
			if real(m.Value) > real(p.Modes[lead].Value) {
				lead = i
			}
			maxMu = math.Max(maxMu, cmplx.Abs(m.Value+1))
		}
		fmt.Fprintf(w, "  point %d: %d unstable; leading mu = %s, lambda = %s; max |mu| = %.6g\n",
			k, p.Stability.NUnstable, fmtComplex(p.Modes[lead].Value+1), fmtComplex(flow[lead]), maxMu)
	}
	return line
}

func fmtComplex(z complex128) string {
	if imag(z) == 0 {
		return fmt.Sprintf("%.6g", real(z))
	}
	return fmt.Sprintf("%.6g%+.6gi", real(z), imag(z))
}
