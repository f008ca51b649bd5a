// Package cli holds what the example programs share: progress bars, the
// printed summary and the writing of the JSON and HTML outputs. It is only
// glue; every computation lives in the library packages.
package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
	"github.com/rnnfp/fixedpoints/viz"
)

// PrintSummary writes the counts by saddle index, residuals and timings.
func PrintSummary(w io.Writer, res *finder.Result) {
	st := res.Stats
	fmt.Fprintf(w, "\n%d candidates: %d certified fixed points (unique), %d slow points (unique); status %v\n",
		st.Candidates, res.Fixed.Len(), res.Slow.Len(), res.Status)
	printOutcomes(w, res)
	// Points with an undecided mode (whose error bound straddles
	// |lambda| = 1) are listed apart: their saddle index is not known.
	counts := map[int]int{}
	marginal := 0
	for _, p := range res.Fixed.Points {
		if p.Stability.NUndecided > 0 {
			marginal++
			continue
		}
		counts[p.Stability.NUnstable]++
	}
	keys := make([]int, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	fmt.Fprintln(w, "unstable modes  fixed points")
	for _, k := range keys {
		label := fmt.Sprint(k)
		if k == 0 {
			label = "0 (stable)"
		}
		fmt.Fprintf(w, "  %-13s %d\n", label, counts[k])
	}
	if marginal > 0 {
		fmt.Fprintf(w, "  %-13s %d\n", "undecided", marginal)
	}
	for i, r := range st.Completion {
		fmt.Fprintf(w, "completion round %d: %d midpoints, %d deflated starts: %d new (%d by deflation)\n", i+1, r.Midpoints, r.Deflated, r.New, r.Deflation)
	}
	if c := res.Fixed.Coverage; c != nil {
		fmt.Fprintf(w, "coverage: %v\n", c)
	}
	if len(res.Fixed.Connections) > 0 {
		fmt.Fprintf(w, "unstable modes followed: %s\n", finder.ConnectionCounts(res.Fixed.Connections))
	}
	maxRes, maxQ := 0.0, 0.0
	for _, p := range res.Fixed.Points {
		maxRes = math.Max(maxRes, p.Residual)
		maxQ = math.Max(maxQ, p.Q)
	}
	fmt.Fprintf(w, "largest residual max|F(x*)-x*| = %.3g, largest q = %.3g\n", maxRes, maxQ)
	fmt.Fprintf(w, "iterations: %d first-order, %d Levenberg-Marquardt; %d gradient and %d Jacobian evaluations\n",
		st.Iters, st.RefineIters, st.GradEvals, st.JacobianEvals)
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	fmt.Fprintf(w, "time: search %s, refine %s, complete %s, linearize %s, connect %s, total %s\n", ms(st.SearchTime), ms(st.RefineTime), ms(st.CompleteTime), ms(st.LinearizeTime), ms(st.ConnectTime), ms(st.Runtime))
	for _, warn := range st.Warnings {
		fmt.Fprintln(w, "warning:", warn)
	}
}

// WriteOutputs writes DIR/NAME-fixedpoints.json (format fixedpoints/v1,
// with the slow points and the unconverged candidates beside the fixed ones)
// and DIR/NAME-report.html, each atomically, and returns their paths.
func WriteOutputs(dir, name string, res *finder.Result, rep *viz.Report) (jsonPath, htmlPath string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("create output directory: %w", err)
	}
	jsonPath = filepath.Join(dir, name+"-fixedpoints.json")
	htmlPath = filepath.Join(dir, name+"-report.html")
	if err := fpjson.Save(jsonPath, res); err != nil { // fixed, slow and unconverged
		return "", "", err
	}
	if err := rep.WriteFile(htmlPath); err != nil {
		return "", "", err
	}
	return jsonPath, htmlPath, nil
}
