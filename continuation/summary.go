package continuation

import (
	"fmt"
	"math/cmplx"
	"strings"

	"github.com/rnnfp/fixedpoints/internal/plural"
)

// Summary is a short text account of the result: the branches, how each
// ended, and every bifurcation with its input and critical eigenvalue.
func (res *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s along a path of length %.6g (%d steps, %d retried; %d Jacobian evaluations)\n",
		plural.Of(len(res.Branches), "branch"), res.Path.Length(), res.Stats.Steps, res.Stats.Rejected, res.Stats.JacobianEvals)
	ends := map[End]int{}
	for _, br := range res.Branches {
		ends[br.End]++
	}
	var parts []string
	for e := PathEnd; e <= Canceled; e++ {
		if ends[e] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", ends[e], e))
		}
	}
	fmt.Fprintf(&b, "branch ends: %s\n", strings.Join(parts, ", "))
	if len(res.Bifurcations) == 0 {
		b.WriteString("no bifurcation\n")
	}
	for _, e := range res.Bifurcations {
		fmt.Fprintf(&b, "%-14s branch %-3d u = %s  eigenvalue %.6g (|λ| = %.6g)\n",
			e.Kind, e.Branch, fmtFloats(e.U), e.Eigenvalue, cmplx.Abs(e.Eigenvalue))
	}
	return b.String()
}

func fmtFloats(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%.10g", x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
