package cli

import (
	"errors"
	"flag"
	"strconv"

	"github.com/rnnfp/fixedpoints/sweep"
)

// DefaultSeed is the -seed of every command and example when none is
// given: one number, so that the same run can be named without flags.
const DefaultSeed = 1

// RunFlags are the flags every subcommand takes: -seed and -quiet. Where a
// subcommand draws nothing at random or shows no progress, its usage says
// so; they are accepted everywhere so that one command line shape works
// for all of them.
type RunFlags struct {
	Seed  uint64 // -seed: pulses, sampling, search (DefaultSeed)
	Quiet bool   // -quiet: no progress output
}

// Register defines -seed and -quiet on fs; seedUsage and quietUsage say
// what they do in this subcommand.
func (r *RunFlags) Register(fs *flag.FlagSet, seedUsage, quietUsage string) {
	fs.Uint64Var(&r.Seed, "seed", DefaultSeed, seedUsage)
	fs.BoolVar(&r.Quiet, "quiet", false, quietUsage)
}

// OptionalInt is an int flag that may be left unset: its help shows no
// "(default ...)" (the usage says what unset means) and Set tells whether
// it was given.
type OptionalInt struct {
	N     int
	IsSet bool
}

// String returns the value, or "" when unset (so no default is printed).
func (o *OptionalInt) String() string {
	if o == nil || !o.IsSet {
		return ""
	}
	return strconv.Itoa(o.N)
}

// Set parses the value.
func (o *OptionalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("parse error")
	}
	o.N, o.IsSet = n, true
	return nil
}

// FillSeeds gives the jobs of a manifest that name no seed (0) the seed
// seed: the sweep runs them so and merge, checking their records, must
// fill them alike.
func FillSeeds(jobs []sweep.Job, seed uint64) {
	for i := range jobs {
		if jobs[i].Seed == 0 {
			jobs[i].Seed = seed
		}
	}
}
