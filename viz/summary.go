package viz

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/rnnfp/fixedpoints/finder"
)

// countRows counts the fixed points by class, then the slow points and
// candidates.
func (r *Report) countRows() []Row {
	var rows []Row
	if r.Fixed != nil {
		n := map[class]int{}
		for i := range r.Fixed.Points {
			n[classify(&r.Fixed.Points[i])]++
		}
		classes := make([]class, 0, len(n))
		for c := range n {
			classes = append(classes, c)
		}
		sort.Slice(classes, func(i, j int) bool { return classes[i].less(classes[j]) })
		for _, c := range classes {
			rows = append(rows, Row{c.String(), strconv.Itoa(n[c])})
		}
		rows = append(rows, Row{"fixed points", strconv.Itoa(r.Fixed.Len())})
	}
	if r.Slow != nil {
		rows = append(rows, Row{"slow points", strconv.Itoa(r.Slow.Len())})
	}
	if r.All != nil {
		rows = append(rows, Row{"candidates", strconv.Itoa(r.All.Len())})
	}
	return rows
}

// SummaryRows lists a search's settings and what it did, for
// Report.Summary. res may be nil.
func SummaryRows(s finder.Settings, res *finder.Result) []Row {
	g := func(v float64) string { return fmtG(v, 4) }
	d := func(v int) string { return strconv.Itoa(v) }
	method := map[finder.Method]string{finder.Joint: "joint", finder.Sequential: "sequential"}[s.Method]
	opt := map[finder.Optimizer]string{finder.PerCandidate: "per-candidate Adam", finder.ReferenceAdam: "reference Adam"}[s.Optimizer]
	rows := []Row{
		{"method", method},
		{"optimizer", opt},
		{"dtype", s.Dtype.String()},
		{"TolQ", g(s.TolQ)},
		{"TolDQ", g(s.TolDQ)},
		{"MaxIters", d(s.MaxIters)},
		{"LearningRate", g(s.LearningRate)},
		{"refine", strconv.FormatBool(!s.NoRefine)},
		{"TolResidual", g(s.TolResidual)},
		{"TolUnique", g(s.TolUnique)},
		{"MaxUnique", d(s.MaxUnique)},
		{"Seed", strconv.FormatUint(s.Seed, 10)},
	}
	if res == nil {
		return rows
	}
	st := res.Stats
	ms := func(t time.Duration) string { return t.Round(time.Millisecond).String() }
	rows = append(rows,
		Row{"status", res.Status.String()},
		Row{"iterations", d(st.Iters)},
		Row{"gradient evaluations", d(st.GradEvals)},
		Row{"Jacobian evaluations", d(st.JacobianEvals)},
		Row{"refinement iterations", d(st.RefineIters)},
		Row{"certified before uniqueness", d(st.Certified)},
		Row{"distance outliers dropped", d(st.DistanceOutliers)},
		Row{"search time", ms(st.SearchTime)},
		Row{"refinement time", ms(st.RefineTime)},
		Row{"linearization time", ms(st.LinearizeTime)},
		Row{"run time", ms(st.Runtime)},
	)
	for i, w := range st.Warnings {
		rows = append(rows, Row{fmt.Sprintf("warning %d", i+1), w})
	}
	return rows
}
