// Package viz writes the report of a fixed-point analysis: one HTML file
// that opens offline (the echarts and echarts-gl scripts are inlined), with
//
//   - a 3-D view of the fixed points in the space of the top three principal
//     components of the trajectories, stable points black, saddles red,
//     marginal points orange, each saddle's unstable modes drawn as red
//     segments and example trajectories as thin blue lines, as in the
//     figures of Golub & Sussillo (2018);
//   - the eigenvalues of every fixed point's Jacobian in the complex plane,
//     with the unit circle;
//   - a histogram of log10 q over all candidates of the search;
//   - optionally an example trial of the task: inputs, targets and outputs;
//   - a summary table: counts by saddle index, settings and timings.
//
// viz sees only finder.FixedPoints sets and plain trajectories, never a cell
// or a graph. The same Report gives the same bytes: chart ids are fixed and
// every number keeps 6 significant digits. Text from the caller (title,
// channel names, summary rows) is escaped wherever it lands.
//
// A typical report of a search:
//
//	r := &viz.Report{
//		Title: "GRU, 3-bit flip-flop",
//		Fixed: res.Fixed, Slow: res.Slow, All: res.All,
//		Trajectories: &viz.Trajectories{Trials: B, Time: T, N: N, States: states},
//		Summary: viz.SummaryRows(settings, res),
//	}
//	err := r.WriteFile("report.html")
//
// To look at a report as a reader would, the package's browser test saves a
// PNG of its sample report: go test ./viz -run TestBrowser -screenshot out.png
// (needs Chromium).
package viz
