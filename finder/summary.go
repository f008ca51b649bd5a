package finder

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// countProofs counts the points proved by Krawczyk's operator, those
// certified by residual only, and the proved points marked far.
func (fp *FixedPoints) countProofs() (proved, residual, far int) {
	for i := range fp.Points {
		switch p := &fp.Points[i]; p.Proof.Method {
		case ProofKrawczyk:
			proved++
			if p.Far {
				far++
			}
		case ProofResidual:
			residual++
		}
	}
	return proved, residual, far
}

// Summary describes fp in a few lines: its size, how its points are
// certified (when they say: proved, residual only, far), the counts of stable
// points (every mode certainly decays), unstable ones (some mode certainly
// grows), undecided ones (neither: some mode's error bound straddles the
// boundary) and marginal ones (some mode within MarginalTol of the boundary,
// whatever its class), the count of analyzed points by saddle index (number
// of certainly unstable modes), and the ranges of q and of the residual.
// Points whose labels rest on |lambda| alone (read from a file written
// before the error bounds; see Point.HasBounds) are counted as their file
// says, and their number is given. The text depends only on fp, e.g.
//
//	6 points, N=2, M=1, float64
//	analyzed 5: stable 2, unstable 3, undecided 0, marginal 1
//	not analyzed 1
//	saddle index  count
//	0             2
//	1             2
//	3             1
//	          min  max
//	q         0    0.0025  (1 NaN)
//	residual  0    +Inf
func (fp *FixedPoints) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d points, N=%d, M=%d, %s\n", len(fp.Points), fp.N, fp.M, fp.Dtype)
	if proved, residual, far := fp.countProofs(); proved+residual > 0 {
		fmt.Fprintf(&b, "proved %d (krawczyk), residual only %d, far %d\n", proved, residual, far)
	}
	analyzed, stable, unstable, marginal, byAbs := 0, 0, 0, 0, 0
	for i := range fp.Points {
		s := fp.Points[i].Stability
		if !s.Analyzed {
			continue
		}
		analyzed++
		if p := &fp.Points[i]; len(p.Modes) > 0 && !p.HasBounds() {
			byAbs++
		}
		switch {
		case s.Stable:
			stable++
		case s.NUnstable > 0:
			unstable++
		}
		if s.Marginal {
			marginal++
		}
	}
	fmt.Fprintf(&b, "analyzed %d: stable %d, unstable %d, undecided %d, marginal %d\n", analyzed, stable, unstable, analyzed-stable-unstable, marginal)
	if byAbs > 0 {
		fmt.Fprintf(&b, "of which labelled by |lambda| alone, without error bounds (a file written before them): %d\n", byAbs)
	}
	if analyzed < len(fp.Points) {
		fmt.Fprintf(&b, "not analyzed %d\n", len(fp.Points)-analyzed)
	}

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	if counts := fp.CountBySaddleIndex(); len(counts) > 0 {
		fmt.Fprintln(tw, "saddle index\tcount")
		keys := make([]int, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(tw, "%d\t%d\n", k, counts[k])
		}
		tw.Flush()
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	}
	if len(fp.Points) > 0 {
		fmt.Fprintln(tw, "\tmin\tmax")
		for _, r := range []struct {
			name string
			val  func(p *Point) float64
		}{
			{"q", func(p *Point) float64 { return p.Q }},
			{"residual", func(p *Point) float64 { return p.Residual }},
		} {
			lo, hi, nan := math.Inf(1), math.Inf(-1), 0
			for i := range fp.Points {
				v := r.val(&fp.Points[i])
				if math.IsNaN(v) {
					nan++
					continue
				}
				lo, hi = min(lo, v), max(hi, v)
			}
			if nan == len(fp.Points) {
				fmt.Fprintf(tw, "%s\tNaN\tNaN\n", r.name)
				continue
			}
			fmt.Fprintf(tw, "%s\t%.3g\t%.3g", r.name, lo, hi)
			if nan > 0 {
				fmt.Fprintf(tw, "\t(%d NaN)", nan)
			}
			fmt.Fprintln(tw)
		}
	}
	tw.Flush()
	if fp.Coverage != nil {
		fmt.Fprintf(&b, "coverage: %v\n", fp.Coverage)
	}
	if len(fp.Connections) > 0 {
		fmt.Fprintf(&b, "connections: %s\n", ConnectionCounts(fp.Connections))
	}
	return b.String()
}
