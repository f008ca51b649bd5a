package viz

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/rnnfp/fixedpoints/finder"
)

// countRows counts the fixed points by class, then the slow points and
// candidates, and what of them the 3-D view leaves out.
func (r *Report) countRows(out notDrawn) []Row {
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
		if out.fixed > 0 {
			rows = append(rows, Row{"fixed points not drawn in 3-D (far outside the trajectories)", strconv.Itoa(out.fixed)})
		}
	}
	if r.Slow != nil {
		rows = append(rows, Row{"slow points", strconv.Itoa(r.Slow.Len())})
		if out.slow > 0 {
			rows = append(rows, Row{"slow points not drawn in 3-D (far outside the trajectories)", strconv.Itoa(out.slow)})
		}
	}
	if r.SlowRegions != nil {
		rows = append(rows, Row{"slow regions (unique candidates on them)", strconv.Itoa(r.SlowRegions.Len())})
	}
	rows = append(rows, r.orbitRows()...)
	if r.All != nil {
		rows = append(rows, Row{"candidates", strconv.Itoa(r.All.Len())})
		rows = append(rows, outcomeRows(r.All)...)
	}
	return rows
}

// outcomeRows counts the candidates of all by outcome, every outcome listed
// (zero too), and the unconverged ones by reason.
func outcomeRows(all *finder.FixedPoints) []Row {
	n := map[finder.Outcome]int{}
	why := map[finder.Reason]int{}
	for i := range all.Points {
		p := &all.Points[i]
		n[p.Outcome]++
		if p.Outcome == finder.OutcomeUnconverged {
			why[p.Reason]++
		}
	}
	rows := []Row{
		{"candidates ending at a certified fixed point (outcome fixed)", strconv.Itoa(n[finder.OutcomeFixed])},
		{"candidates ending at a slow point, a local minimum of q > 0 (slow)", strconv.Itoa(n[finder.OutcomeSlow])},
		{"candidates ending on a slow region (slow region)", strconv.Itoa(n[finder.OutcomeSlowRegion])},
		{"candidates ending unconverged (unconverged)", strconv.Itoa(n[finder.OutcomeUnconverged])},
	}
	reasons := make([]finder.Reason, 0, len(why))
	for r := range why {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool { return reasons[i] < reasons[j] })
	for _, r := range reasons {
		rows = append(rows, Row{"... unconverged: " + r.String(), strconv.Itoa(why[r])})
	}
	if k := n[finder.OutcomeUnknown]; k > 0 {
		rows = append(rows, Row{"candidates without an outcome (unknown)", strconv.Itoa(k)})
	}
	return rows
}

// SummaryRows lists a search's effective settings (res.Settings when res
// has them, else s with its defaults resolved) and what it did, for
// Report.Summary, in plain words (each names the finder.Settings or
// finder.Stats field it shows, in parentheses). res may be nil; a res that
// no search filled (Status NotTerminated, e.g. built by hand to hold a set)
// adds no rows of what the search did, as it would say only zeros.
func SummaryRows(s finder.Settings, res *finder.Result) []Row {
	// The settings the search ran with: every default resolved.
	s = s.Effective()
	if res != nil && res.Settings.MaxIters != 0 {
		s = res.Settings
	}
	g := func(v float64) string { return fmtG(v, 4) }
	d := func(v int) string { return strconv.Itoa(v) }
	method := map[finder.Batching]string{finder.Joint: "all candidates together, batched", finder.Sequential: "one candidate at a time"}[s.Batching]
	opt := map[finder.Optimizer]string{
		finder.PerCandidate:  "Adam, with step size and stopping kept per candidate",
		finder.ReferenceAdam: "Adam as the Python reference (one step size for all)",
	}[s.Optimizer]
	on := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	unique := "no limit"
	if s.MaxUnique > 0 {
		unique = d(s.MaxUnique) + " (a random subset)"
	}
	rows := []Row{
		{"search (Batching)", method},
		{"first-order optimizer (Optimizer)", opt},
		{"number type (Dtype)", s.Dtype.String()},
		{"a candidate stops when its speed q is below (TolQ)", g(s.TolQ)},
		{"... or q changes by less than this times the step size (TolDQ)", g(s.TolDQ)},
		{"first-order iterations at most (MaxIters)", d(s.MaxIters)},
		{"initial step size (LearningRate)", g(s.LearningRate)},
		{"Levenberg-Marquardt refinement (off with NoRefine)", on(!s.NoRefine)},
		{"completion rounds after the search (off with NoComplete)", on(!s.NoComplete && !s.NoRefine)},
		{"stability judged for (ContinuousTime)", map[bool]string{false: "the map x -> F(x)", true: "the flow dx/dt = F(x) - x"}[s.ContinuousTime]},
		{"certified fixed point when max|F(x)-x| is at most (TolResidual)", g(s.TolResidual)},
		{"slow region when slower than this times the network's speed (SlowRegionSpeed)", g(s.SlowRegionSpeed)},
		{"points closer than this are one (TolUnique)", g(s.TolUnique)},
		{"fixed points kept at most (MaxUnique)", unique},
		{"random seed (Seed)", strconv.FormatUint(s.Seed, 10)},
	}
	if res == nil || res.Status == finder.NotTerminated {
		return rows
	}
	st := res.Stats
	ms := func(t time.Duration) string { return t.Round(time.Millisecond).String() }
	rows = append(rows,
		Row{"how the search ended (Status)", res.Status.String()},
		Row{"first-order iterations (Iters)", d(st.Iters)},
		Row{"batched gradient evaluations (GradEvals)", d(st.GradEvals)},
		Row{"batched Jacobian evaluations (JacobianEvals)", d(st.JacobianEvals)},
		Row{"refinement iterations (RefineIters)", d(st.RefineIters)},
		Row{"candidates certified, before removing duplicates (Certified)", d(st.Certified)},
		Row{"candidates at slow points (Slow)", d(st.Slow)},
		Row{"candidates on slow regions (SlowRegions)", d(st.SlowRegions)},
		Row{"candidates unconverged (Unconverged)", d(st.Unconverged)},
		Row{"unique points dropped as far from the initial states (DistanceOutliers)", d(st.DistanceOutliers)},
		Row{"search time", ms(st.SearchTime)},
		Row{"refinement time", ms(st.RefineTime)},
		Row{"slow descent time (SlowTime)", ms(st.SlowTime)},
		Row{"completion time", ms(st.CompleteTime)},
		Row{"time to check the outcomes (gradients of uncertified candidates)", ms(st.CheckTime)},
		Row{"linearization time", ms(st.LinearizeTime)},
		Row{"connection time", ms(st.ConnectTime)},
		Row{"total time", ms(st.Runtime)},
	)
	if st.SpeedFrom != "" {
		rows = append(rows, Row{"the network's speed, median step along the " + st.SpeedFrom + " (NetworkSpeed)", g(st.NetworkSpeed)})
	}
	if st.Reference.TolQ > 0 {
		rows = append(rows, Row{"what the reference would call fixed points (Reference)", st.Reference.String()})
	}
	if a := res.Advice(); a != "" {
		rows = append(rows, Row{"what to make of it", a})
	}
	for i, w := range st.Warnings {
		rows = append(rows, Row{fmt.Sprintf("warning %d", i+1), w})
	}
	return rows
}
