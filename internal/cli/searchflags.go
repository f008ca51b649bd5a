package cli

import (
	"flag"
	"strconv"
	"strings"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/sweep"
)

// SearchFlags are the key search settings of find and continue. They fill
// a sweep.Settings, the manifest's "settings", so that a flag and the
// manifest key of the same name (-max-iters, "max_iters") mean one thing
// and are checked by one function (sweep.Settings.Finder).
type SearchFlags struct {
	sweep.Settings
}

// Register defines the search flags on fs, showing the finder's defaults.
func (s *SearchFlags) Register(fs *flag.FlagSet) {
	d := finder.DefaultSettings()
	fs.StringVar(&s.Dtype, "dtype", "float64", "number type of the search: float64 or float32 (manifest: dtype)")
	fs.IntVar(&s.MaxIters, "max-iters", d.MaxIters, "first-order iterations at most (manifest: max_iters)")
	fs.Float64Var(&s.TolQ, "tol-q", d.TolQ, "a candidate stops when its speed q is below this (manifest: tol_q)")
	fs.Float64Var(&s.TolResidual, "tol-residual", 0, "certified fixed point when max|F(x)-x| is at most this; 0: 1e-10 (float64), 1e-5 (float32) (manifest: tol_residual)")
	fs.IntVar(&s.MaxRefineIters, "max-refine-iters", d.MaxRefineIters, "Levenberg-Marquardt iterations at most (manifest: max_refine_iters)")
	fs.Float64Var(&s.TolUnique, "tol-unique", d.TolUnique, "points closer than this are one (manifest: tol_unique)")
	fs.IntVar(&s.MaxUnique, "max-unique", 0, "keep at most this many fixed points, a seeded random subset; 0: all (manifest: max_unique)")
	fs.BoolVar(&s.NoRefine, "no-refine", false, "no Levenberg-Marquardt refinement (and so no completion) (manifest: no_refine)")
	fs.BoolVar(&s.NoComplete, "no-complete", false, "no completion rounds after the search (manifest: no_complete)")
	fs.BoolVar(&s.NoConnections, "no-connections", false, "do not follow the unstable modes to where they settle (manifest: no_connections)")
	fs.BoolVar(&s.NoEigenvectors, "no-eigenvectors", false, "eigenvalues only: faster at large N, no modes drawn (manifest: no_eigenvectors)")
	fs.IntVar(&s.MaxPeriod, "max-period", 0, "also seek the periodic orbits of the map of period 2 to this from the same initial states, with their Floquet multipliers; 0: none (manifest: max_period)")
	fs.BoolVar(&s.Cycles, "cycles", false, "with -continuous: also seek the limit cycles of the flow from the same initial states, with their Floquet multipliers (manifest: cycles)")
	fs.Var(optionalBool{&s.ContinuousTime}, "continuous", "judge stability for the flow dx/dt = F(x) - x (Re(lambda) < 1) instead of the map; default for -cell ctrnn, whose map is the Euler step of tau dh/dt = -h + f(...) (manifest: continuous_time)")
}

// Finder returns the finder settings of the flags with seed, or a
// UsageError naming the flag of a bad value.
func (s *SearchFlags) Finder(seed uint64) (finder.Settings, error) {
	f, err := s.Settings.Finder(seed)
	if err != nil {
		// The manifest's key leads the message: say the flag instead.
		msg := err.Error()
		key, rest, _ := strings.Cut(msg, " ")
		if strings.Trim(key, "abcdefghijklmnopqrstuvwxyz_") == "" {
			msg = "-" + strings.ReplaceAll(key, "_", "-") + " " + rest
		}
		return f, Usagef("%s", msg)
	}
	return f, nil
}

// optionalBool is a boolean flag that stays nil until it is given, so that
// a default can depend on other flags (-continuous on for -cell ctrnn).
type optionalBool struct{ p **bool }

func (b optionalBool) String() string {
	if b.p == nil || *b.p == nil {
		return "false"
	}
	return strconv.FormatBool(**b.p)
}

func (b optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*b.p = &v
	return nil
}

func (b optionalBool) IsBoolFlag() bool { return true }
