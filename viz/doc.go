// Package viz writes the report of a fixed-point analysis: one HTML file
// that opens offline (the echarts and echarts-gl scripts are inlined), with
//
//   - a 3-D view of the fixed points in the space of the top three principal
//     components of the trajectories, stable points black, saddles red,
//     undecided points orange, each saddle's unstable modes drawn as red
//     segments and example trajectories as thin blue lines, as in the
//     figures of Golub & Sussillo (2018). Every class comes from finder's
//     per-mode classes (finder.Mode.Class, from each eigenvalue's error
//     bound); points saved before those existed are drawn by the old rule
//     on the eigenvalue alone, paler and named "by |λ| only" (unbounded.go). Its axes are fitted to the
//     trajectories and the points near them; points far out are left out
//     and counted (see frame3d.go). A click on a fixed point shows its
//     spectrum;
//   - the eigenvalues of the chosen fixed point's Jacobian in the complex
//     plane, with the unit circle, each mode coloured by what is certain
//     about it, and the same modes as bars by size;
//   - a histogram of log10 q over all candidates of the search;
//   - optionally an example trial of the task (inputs, targets and outputs)
//     and the training run (loss and validation MSE over epochs);
//   - tables: counts by saddle index, training, settings and timings.
//
// Every chart saves itself as PNG or SVG from the page, and the page has a
// print layout (one narrow column, no buttons) that printing selects.
//
// viz sees only results (finder.FixedPoints sets, finder.Trajectories and
// manifold curves), never a cell or a graph. The same Report gives the same
// bytes: chart ids are fixed and every number keeps 6 significant digits. Text from the caller (title,
// channel names, summary rows) is escaped wherever it lands.
//
// A typical report of a search:
//
//	r := &viz.Report{
//		Title: "GRU, 3-bit flip-flop",
//		Fixed: res.Fixed, Slow: res.Slow, All: res.All,
//		Trajectories: &finder.Trajectories{Trials: B, Time: T, N: N, States: states},
//		Summary: viz.SummaryRows(settings, res),
//	}
//	err := r.WriteFile("report.html")
//
// To look at a report as a reader would, the package's browser test saves
// screenshots and SVGs of every chart of its sample report in a temporary
// folder it logs: go test ./viz -run TestBrowser -v (needs Chromium).
package viz
