// Package fpjson reads and writes fixed points in the versioned JSON format
// fixedpoints/v1 (Format), which the example programs write and the report,
// the manifold analysis and other tools read back.
//
// Save and Write take a search's finder.Result and write its three groups:
// the certified fixed points, the slow points and the unconverged
// candidates. Load and Read return them as a File, checked by
// finder.FixedPoints.Validate. A file holds what the points are, not how the
// search went: Status, Stats and Settings are not in it.
//
// The layout:
//
//	{"format": "fixedpoints/v1", "n_states": N, "n_inputs": M, "dtype": "float64",
//	 "alpha": a,                                       (dt/tau of a CTRNN's flow, when known)
//	 "coverage": {...}, "connections": [...],          (when Find estimated them)
//	 "fixed_points": [{"x": [N], "u": [M], "q": q, "residual": r, "dq": dq,
//	   "n_iters": i, "n_refine": k,
//	   "condition": c,                                 (the caller's id, when given)
//	   "x_init": [N], "f": [N],                       (when known)
//	   "jacobian": [[N] x N], "input_jacobian": [[M] x N], (rows i: dF_i/dx, dF_i/du)
//	   "eigenvalues": [[re, im] x K],                  (sorted as Point.Modes)
//	   "flow_eigenvalues": [[re, im] x K],             (with "alpha": (mu - 1)/alpha)
//	   "eigenvectors_right": [[[re, im] x N] x K],     (mode k's vector, not a column)
//	   "eigenvectors_left": [[[re, im] x N] x K],
//	   "analyzed": true, "stable": b, "n_unstable": n, "max_abs_eigenvalue": a,
//	   "marginal": b, "n_marginal": n, "flip": b, "oscillatory": b, "continuous": b,
//	   "outcome": o, "reason": r, "gradient": g, "jacobian_error": e,
//	   "n_undecided": n, "eigenvalue_bounds": [b x K], "eigenvalue_conds": [kappa x K],
//	   "mode_classes": [c x K], "stability": "proved", "mode_proved": [b x K],
//	   "proof": {"method": "krawczyk", "radius": r, "unique_radius": R} or {"method": "residual"},
//	   "g_residual": g, "proof_reason": why not proved, "far": true, "far_distance": d}, ...],
//	 "slow_points": [...], "slow_regions": [...], "unconverged": [...]} (when the result has them)
//
// "alpha" is finder.FixedPoints.Alpha: the map is the Euler step, of
// alpha = dt/tau, of the flow tau dh/dt = (F(h) - h)/alpha (a CTRNN). Each
// point then has "flow_eigenvalues", the flow's eigenvalues lambda =
// (mu - 1)/alpha per unit of tau for the map's eigenvalues mu (which
// "eigenvalues" holds, or mu - 1 when "continuous"); a reader checks them
// against both (one per eigenvalue, to a relative 1e-9) and refuses
// flow_eigenvalues without an alpha, or an alpha outside (0, 1].
//
// The labels (optional, absent in files written before them and when
// unknown): "outcome" is "fixed", "slow", "slow region" or "unconverged"
// (Point.Outcome);
// "reason" why an unconverged one stopped ("iteration limit", "refine
// limit", "stall", "diverged", "rise", "tolq without refinement",
// "canceled", "saturated", "unproved"); "gradient" the checked gradient of q over its
// rounding floor (Point.Gradient); "speed" sqrt(2q) of a slow point or
// slow region (written, derived from q on reading); "hessian_min" and
// "hessian_error" the smallest eigenvalue of the Hessian of q and its
// estimated error (Point.HessianMin, Point.HessianError); "relative_speed"
// the speed over the network's (Point.RelativeSpeed); "jacobian_error"
// Point.JacobianError; "n_undecided"
// Stability.NUndecided; per mode, in the order of "eigenvalues":
// "eigenvalue_bounds" (Mode.Bound), "eigenvalue_conds" (Mode.Cond) and
// "mode_classes" ("stable", "unstable", "undecided"; Mode.Class) and
// "mode_proved" (Mode.Proved: the class is proved from an enclosure of the
// Jacobian at the true root; written when some mode is). "stability" is
// "proved" when every mode's class is (Stability.Proved), else "estimated":
// some class rests on the first-order bound. A fixed
// point's "proof" (Point.Proof): "krawczyk" when Krawczyk's operator proved
// a unique root of the cell's G (F − x = D ⊙ G) within "radius" of x and no
// other within "unique_radius" (max-norm, 0 < radius <= unique_radius), or
// "residual" when max|F − x| <= TolResidual is all that is known (a cell
// without interval enclosures); "g_residual" max|G| at x (Point.GResidual;
// "residual" stays max|F − x|); "proof_reason" why a candidate's proof
// failed ("no contraction", "overflow", "singular"); "far" and
// "far_distance" a proved point kept beyond the distance rule
// (Point.Far, Point.FarDistance).
//
// What the reference FixedPointFinder would call fixed points among the same
// candidates (finder.ReferenceView; a file written by Write of a search):
//
//	"reference_view": {"tol_q": 1e-12, "candidates": n, "unique": u, "certified": c, "of": B}
//
// A reader of v1 written before slow regions ignores "slow_regions" and
// "reference_view", as it ignores any unknown field.
//
// The coverage estimate and the saddle-attractor graph of a set found by
// Find (indices are into fixed_points):
//
//	"coverage": {"found": n, "sampled": n, "completed": n, "seen_once": f1, "seen_twice": f2,
//	  "estimated_unseen": e, "method": "chao1", "still_finding": b, "hits": [n, ...]},
//	"connections": [{"from": i, "mode": k, "direction": deg, "to": j, "end": "stable", "steps": t}, ...]
//
// Periodic orbits (package orbits), when a search sought them, follow the
// points, one per line:
//
//	"orbits": [{"period": k, "points": [[N] x k], "u": [M], "residual": r,
//	  "floquet": [[re, im] x N], "floquet_bounds": [b x N], "floquet_conds": [kappa x N],
//	  "floquet_classes": [c x N], "floquet_proved": [b x N] (when some are proved),
//	  "n_unstable": n, "n_undecided": n, "stable": b,
//	  "proof": null or {"method": m, "radius": r, "unique_radius": R, "minimal_period": b},
//	  "proof_reason": why not proved (absent when proved),
//	  "connections": [{"multiplier": k, "direction": deg, "to": j, "end": e, "steps": t}, ...]}, ...]
//
// ("points" x_0 .. x_{k-1} with F(x_j) = x_{j+1}; multipliers largest
// first, each with its bound and class as a mode of a fixed point). A
// reader checks every orbit's sizes and that its counts agree with its
// classes. An unstable orbit's "connections" say where its unstable
// directions lead (the eigenvectors of multiplier k of the monodromy matrix
// at its first point, followed under the map as a fixed point's modes
// are); "to" indexes "fixed_points" for the ends "stable" and "fixed", and
// "orbits" for "stable_orbit" and "orbit", as it does in the top-level
// "connections"; a reader checks the index and that multiplier k is
// unstable. Limit cycles of the flow (Settings.Cycles) follow as
//
//	"cycles": [{"period": T, "x0": [N], "points": [[N] x samples], "u": [M],
//	  "residual": r, "integration_error": e, "floquet": [[re, im] x N],
//	  "floquet_bounds": [...], "floquet_conds": [...], "floquet_classes": [...],
//	  "trivial": i, "n_unstable": n, "n_undecided": n, "stable": b}, ...]
//
// ("trivial" is the index of the multiplier along the flow, left out of the
// counts). Readers older than "orbits" ignore it, as any unknown field.
//
// Fields of a point past "n_refine" are left out when the point has no such
// data (an unanalyzed set stays small); a reader should treat a missing
// field as unknown. "analyzed" defaults to whether "stable" is present.
// Numbers are written in the shortest form that reads back to the same
// float64. As JSON has no NaN or Inf, those are written as the strings
// "NaN", "Infinity" and "-Infinity" (which Python's float() and
// JavaScript's Number() parse). Unknown fields are ignored on reading, so v1
// may gain fields.
package fpjson
