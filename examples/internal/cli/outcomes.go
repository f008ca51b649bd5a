package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/rnnfp/fixedpoints/finder"
)

// printOutcomes writes how the candidates ended: fixed, slow and
// unconverged (by reason), before uniqueness, and the effective settings
// that decided it.
func printOutcomes(w io.Writer, res *finder.Result) {
	st := res.Stats
	var by []string
	for _, r := range []finder.Reason{finder.ReasonIterationLimit, finder.ReasonRefineLimit, finder.ReasonStall,
		finder.ReasonDiverged, finder.ReasonRise, finder.ReasonTolQ, finder.ReasonCanceled, finder.ReasonSaturated} {
		if n := st.UnconvergedByReason[r]; n > 0 {
			by = append(by, fmt.Sprintf("%d %s", n, r))
		}
	}
	line := fmt.Sprintf("outcomes: %d fixed, %d slow, %d unconverged", st.Certified, st.Slow, st.Unconverged)
	if len(by) > 0 {
		line += " (" + strings.Join(by, ", ") + ")"
	}
	fmt.Fprintln(w, line)
	if s := res.Settings; s.MaxIters > 0 {
		fmt.Fprintf(w, "settings: TolResidual %g, TolGradient %g, AdamEpsilon %g, MaxIters %d, MaxRefineIters %d, %s\n",
			s.TolResidual, s.TolGradient, s.AdamEpsilon, s.MaxIters, s.MaxRefineIters, s.Dtype)
	}
	undecided := 0
	for _, p := range res.Fixed.Points {
		undecided += p.Stability.NUndecided
	}
	if undecided > 0 {
		fmt.Fprintf(w, "%d modes are undecided: their error bound straddles the stability boundary\n", undecided)
	}
}
