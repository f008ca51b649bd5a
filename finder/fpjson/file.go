package fpjson

import (
	"fmt"
	"io"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/atomicfile"
	"github.com/rnnfp/fixedpoints/internal/boundedread"
	"github.com/rnnfp/fixedpoints/orbits"
)

// Format names the layout this package reads and writes (see the package
// documentation); a file of another format is refused by name.
const Format = "fixedpoints/v1"

// File is what a fixedpoints/v1 file holds: the three groups of a search's
// candidates, each nil when the file has no such list (Fixed is never nil).
type File struct {
	Fixed       *finder.FixedPoints // "fixed_points", with the coverage and connections when saved
	Slow        *finder.FixedPoints // "slow_points"
	Unconverged *finder.FixedPoints // "unconverged"
	SlowRegions *finder.FixedPoints // "slow_regions"
	// Reference is "reference_view": what the reference FixedPointFinder
	// would call fixed points among the same candidates; nil when absent.
	Reference *finder.ReferenceView
	Orbits    []orbits.Orbit // "orbits": periodic orbits, nil when none
	Cycles    []orbits.Cycle // "cycles": limit cycles of the flow, nil when none
	// Status is "status": how the search ended (finder.Status's name),
	// "" in a file that does not say.
	Status string
}

// Write writes res's Fixed as "fixed_points", and its Slow, SlowRegions
// and Unconverged as "slow_points", "slow_regions" and "unconverged" when
// they are not nil, one point per line, with Stats.Reference as
// "reference_view" when res comes from Find, its Orbits as "orbits" and
// its Cycles as "cycles".
// A nil Fixed is written as an empty list of the shape of the first
// group present. A group that fails finder.FixedPoints.Validate, or whose
// shape differs from the others', is not written.
func Write(w io.Writer, res *finder.Result) error {
	if err := write(w, res); err != nil {
		return fmt.Errorf("fpjson: write: %w", err)
	}
	return nil
}

// Save writes res (see Write) to path atomically: it writes a temporary
// file in the same directory and renames it over path, so a failed Save
// leaves any earlier file at path intact.
func Save(path string, res *finder.Result) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return write(w, res) }); err != nil {
		return fmt.Errorf("fpjson: save %s: %w", path, err)
	}
	return nil
}

// Read reads a file in Format and validates each of its groups.
func Read(r io.Reader) (*File, error) {
	f, err := read(r)
	if err != nil {
		return nil, fmt.Errorf("fpjson: read: %w", err)
	}
	return f, nil
}

// Load reads the file at path (see Read).
func Load(path string) (*File, error) {
	// A regular file of at most the limit: report -in /dev/zero read
	// without end, a FIFO blocked.
	r, _, err := boundedread.Open(path, boundedread.DefaultLimit)
	if err != nil {
		return nil, fmt.Errorf("fpjson: load: %w", err)
	}
	defer r.Close()
	f, err := read(boundedread.LimitReader(r, boundedread.DefaultLimit, path))
	if err != nil {
		return nil, fmt.Errorf("fpjson: load %s: %w", path, err)
	}
	return f, nil
}

func write(w io.Writer, res *finder.Result) error {
	if res == nil {
		return fmt.Errorf("nil result")
	}
	fixed := res.Fixed
	if fixed == nil {
		for _, g := range []*finder.FixedPoints{res.Slow, res.SlowRegions, res.Unconverged, res.All} {
			if g != nil {
				fixed = &finder.FixedPoints{N: g.N, M: g.M, Dtype: g.Dtype}
				break
			}
		}
	}
	if fixed == nil {
		return fmt.Errorf("result has no points to write")
	}
	var ref *finder.ReferenceView
	if res.Stats.Reference.TolQ > 0 {
		ref = &res.Stats.Reference
	}
	status := "" // a Result not made by Find (the zero Status) says nothing
	if res.Status != finder.NotTerminated {
		status = res.Status.String()
	}
	return writeGroups(w, fixed, res.Slow, res.SlowRegions, res.Unconverged, ref, res.Orbits, res.Cycles, status)
}
