// Package continuation follows the fixed points of a recurrent network as its
// constant input changes, and finds where they bifurcate.
//
// Given a cell, fixed points found at an input u0 (finder.Find's result) and
// a path of inputs u(s) (a segment or a polyline, s the arc length along it),
// Continue follows every branch x(s) of F(x, u(s)) = x by pseudo-arclength
// continuation in (x, s): a predictor along the tangent, the null vector of
// [J - I, dF/du du/ds], then a corrector of chord-Newton steps on the
// bordered system (each corrected point then checked, and if need be moved,
// by Newton steps with its own bordered matrix to within TolLocate: near a
// branch point a small residual alone does not put a point on the curve),
// with an adaptive step up to a maximum. All branches are
// stepped together: F and the Jacobians of every branch come from one
// batched graph (package graph). A branch is followed around folds, so the
// stable point and the saddle it annihilates with are one branch; it ends
// where the path ends (either end), when it leaves a bounding box, when its
// step budget is spent, or when it meets a branch already followed.
//
// Along each branch bifurcations are detected from the tangent and the
// eigenvalues of J at consecutive points, and located by regula falsi
// (Illinois) on a test function along the branch, to 1e-10 in s:
//
//   - fold: a real eigenvalue crosses +1 and the branch turns back in s
//     (test function: the s-component of the tangent);
//   - flip (period doubling): a real eigenvalue crosses -1 (test function:
//     that eigenvalue + 1);
//   - Neimark-Sacker: a complex pair crosses the unit circle (|lambda| - 1);
//   - branch point: a real eigenvalue crosses +1 while the branch goes on
//     in s without turning, where another branch of fixed points crosses
//     this one: a pitchfork or transcritical point (test function: the
//     real eigenvalue nearest +1, minus 1). It is told from a fold by the
//     tangent, whose s-component changes sign at a fold and keeps it here;
//     a turn in s where the eigenvalue touches +1 without crossing (a
//     pitchfork seen from the branch that bifurcates) is a branch point too,
//     located on the s-component of the tangent. Within TolLocate in s of
//     a branch point the curve is not resolved: folds or a second branch
//     point found there are taken for it.
//     The crossing branch is not followed (no branch switching): it is in
//     the result only if one of its points is a seed.
//
// At a flip FollowFlip switches onto the period-2 branch that the flip
// gives birth to and follows it along the path: pseudo-arclength
// continuation of the multiple-shooting system F(x_0, u(s)) = x_1,
// F(x_1, u(s)) = x_0 in (x_0, x_1, s), each point with its Floquet
// multipliers classified by package orbits. At a Hopf point of the flow
// FollowHopf finds the limit cycle born there (on the side where one
// exists) and follows it along the path, each cycle refined by
// orbits.RefineCycle from a secant prediction of the last two. At a
// Neimark-Sacker point of the map FollowNeimarkSacker computes the normal
// form's first Lyapunov coefficient (second and third derivatives from
// central differences of the Jacobian) and d|lambda|/ds, hence the side
// where the invariant circle exists and its first-order amplitude, seeds
// orbits.RefineCircle with that circle and follows it along the path.
//
// With Settings.ContinuousTime the flow dx/dt = F(x) - x is judged instead:
// folds and branch points as before (eigenvalue 0 of J - I) and Hopf
// points where a complex pair of J - I crosses the imaginary axis.
//
// Each point's modes are counted with stability.ClassifyMode, finder's rule;
// its eigenvalues are finder.Decompose's up to Settings.DenseEigenMax states
// and Ritz values (linalg.RitzValues) above, and its bordered systems are
// solved by LU or, above 400 states, by linalg.GMRES, the solvers finder uses.
//
// Each bifurcation carries the critical eigenvalue and its unit right
// eigenvector. Results are saved in the versioned JSON layout FormatV1
// ("branches/v1"); package viz draws them as a bifurcation diagram.
package continuation
