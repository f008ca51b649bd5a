package viz

import "strconv"

// The colours of the classes, the same in every chart of every page (the
// 3-D view, the saddle-attractor graph, the spectra, the bifurcation
// diagram), from Okabe and Ito's palette for colour-blind readers: each
// colour means one class and no chart gives it another meaning.
const (
	colorStable    = "#000000" // stable points, certainly decaying modes
	colorIndex1    = "#D55E00" // saddle index 1 (vermillion); certainly growing modes
	colorIndex2    = "#0072B2" // saddle index 2 (blue)
	colorIndex3    = "#009E73" // saddle index 3 (bluish green)
	colorIndex4    = "#CC79A7" // saddle index 4 and more (reddish purple)
	colorUndecided = "#E69F00" // undecided (orange): an error bound straddles the boundary
	colorSlow      = "#56B4E9" // slow points and slow manifolds (sky blue)
	colorFar       = "#999999" // far, not analyzed, or labels that disagree (grey)

	// Not classes: drawn faint and neutral so they never read as one.
	colorTrajectory = "#9a9a9a"
	colorContext    = "#c8c8c8" // other points' modes, the unit circle's neighbours

	// Points analyzed before finder bounded eigenvalues, classed by the
	// eigenvalue alone: pale versions of their classes.
	colorStableAbs   = "#777777"
	colorUnstableAbs = "#F0A980"
	colorMarginalAbs = "#F3D08A"

	// colorUnstable is a growing mode's colour: index 1's, the class it
	// makes alone.
	colorUnstable = colorIndex1
)

// saddleColor is the colour of saddle index k (0: stable).
func saddleColor(k int) string {
	switch {
	case k <= 0:
		return colorStable
	case k == 1:
		return colorIndex1
	case k == 2:
		return colorIndex2
	case k == 3:
		return colorIndex3
	}
	return colorIndex4
}

// saddleName names the class of saddle index k as every legend does:
// "stable", "saddle index 1" ... "saddle index ≥ 4" (the classes share
// the colours of saddleColor).
func saddleName(k int) string {
	switch {
	case k <= 0:
		return "stable"
	case k >= 4:
		return "saddle index ≥ 4"
	}
	return "saddle index " + strconv.Itoa(k)
}
