package manifold

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/rnnfp/fixedpoints/internal/atomicfile"
	"github.com/rnnfp/fixedpoints/internal/boundedread"
)

// FormatV1 names the JSON format of an Analysis:
//
//	{"format": "manifolds/v1", "n_states": N, "n_inputs": M, "n_fixed": K,
//	 "manifolds": [
//	  {"dim": 1, "fixed": [0, 3], "slow": [2], "slow_regions": [0, 4], "unconverged": [5, 9],
//	   "curve": {"u": [...], "closed": false, "ends": ["left the region", "q above bound"],
//	             "corrections": 412,
//	             "points": [{"s": 0, "x": [...], "q": 1e-9, "residual": 4e-5,
//	                         "eigenvalue": 0.998, "right": [...], "left": [...],
//	                         "selection": [...], "encoded": [...], "encoded_slope": [...]}, ...]},
//	   "trace_error": "...", "encoded_min": [...], "encoded_max": [...]}]}
//
// "fixed", "slow", "slow_regions" and "unconverged" index the fixed_points,
// slow_points, slow_regions and unconverged arrays of the fixedpoints/v1
// file of the same search (Manifold.Fixed, Slow, SlowRegions and
// Unconverged; "slow_regions" is left out when empty). A manifold has a "curve" when it was traced (1-D only) and a
// "trace_error" when tracing it failed. Points are ordered by arclength s;
// "right" is oriented along increasing s, and "selection" is the drift along
// it per unit of each input. "encoded" fields appear with a readout. Unknown
// fields are ignored on reading.
const FormatV1 = "manifolds/v1"

// ErrFormat is wrapped by every error about a malformed manifolds file.
var ErrFormat = errors.New("not a valid manifolds/v1 file")

type fileV1 struct {
	Format    string         `json:"format"`
	N         int            `json:"n_states"`
	M         int            `json:"n_inputs"`
	NFixed    int            `json:"n_fixed"`
	Manifolds []fileManifold `json:"manifolds"`
}

type fileManifold struct {
	Dim         int       `json:"dim"`
	Fixed       []int     `json:"fixed"`
	Slow        []int     `json:"slow"`
	Unconverged []int     `json:"unconverged"`
	SlowRegions []int     `json:"slow_regions,omitempty"`
	Curve       *Curve    `json:"curve,omitempty"`
	TraceError  string    `json:"trace_error,omitempty"`
	EncodedMin  []float64 `json:"encoded_min,omitempty"`
	EncodedMax  []float64 `json:"encoded_max,omitempty"`
}

// WriteJSON writes a in FormatV1.
func (a *Analysis) WriteJSON(w io.Writer) error {
	if a == nil {
		return fmt.Errorf("manifold: write json: empty analysis")
	}
	f := fileV1{Format: FormatV1, N: a.n(), M: a.m(), NFixed: a.NFixed, Manifolds: []fileManifold{}}
	for _, m := range a.Manifolds {
		f.Manifolds = append(f.Manifolds, fileManifold{Dim: m.Dim, Fixed: orEmpty(m.Fixed), Slow: orEmpty(m.Slow),
			Unconverged: orEmpty(m.Unconverged), SlowRegions: m.SlowRegions, Curve: m.Curve, TraceError: m.TraceError,
			EncodedMin: m.EncodedMin, EncodedMax: m.EncodedMax})
	}
	enc := json.NewEncoder(w)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("manifold: write json: %w", err)
	}
	return nil
}

func orEmpty(v []int) []int {
	if v == nil {
		return []int{}
	}
	return v
}

// n and m are the state and input sizes, from the points or, for an
// Analysis read from JSON, as read.
func (a *Analysis) n() int {
	if a.Points != nil {
		return a.Points.N
	}
	return a.fileN
}

func (a *Analysis) m() int {
	if a.Points != nil {
		return a.Points.M
	}
	return a.fileM
}

// Save writes a to path in FormatV1, atomically: a failed write leaves no
// file and any earlier file intact.
func (a *Analysis) Save(path string) error {
	if err := atomicfile.Write(path, a.WriteJSON); err != nil {
		return fmt.Errorf("manifold: save %s: %w", path, err)
	}
	return nil
}

// ReadJSON reads an Analysis in FormatV1. The points themselves live in the
// fixedpoints/v1 file, so Points is nil; NFixed and the members are set.
func ReadJSON(r io.Reader) (*Analysis, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("manifold: read json: %w", err)
	}
	var f fileV1
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("manifold: %w: %v", ErrFormat, err)
	}
	if f.Format != FormatV1 {
		return nil, fmt.Errorf("manifold: %w: format %q, want %q", ErrFormat, f.Format, FormatV1)
	}
	if f.N <= 0 || f.M < 0 || f.NFixed < 0 {
		return nil, fmt.Errorf("manifold: %w: n_states %d, n_inputs %d, n_fixed %d", ErrFormat, f.N, f.M, f.NFixed)
	}
	a := &Analysis{NFixed: f.NFixed, fileN: f.N, fileM: f.M}
	for k, fm := range f.Manifolds {
		m := Manifold{Group: Group{Dim: fm.Dim}, Curve: fm.Curve, TraceError: fm.TraceError,
			EncodedMin: fm.EncodedMin, EncodedMax: fm.EncodedMax,
			Fixed: fm.Fixed, Slow: fm.Slow, SlowRegions: fm.SlowRegions, Unconverged: fm.Unconverged}
		for _, i := range fm.Fixed {
			if i < 0 || i >= f.NFixed {
				return nil, fmt.Errorf("manifold: %w: manifold %d: fixed point %d of %d", ErrFormat, k, i, f.NFixed)
			}
		}
		for _, i := range slices.Concat(fm.Slow, fm.SlowRegions, fm.Unconverged) {
			if i < 0 {
				return nil, fmt.Errorf("manifold: %w: manifold %d: candidate index %d", ErrFormat, k, i)
			}
		}
		if c := m.Curve; c != nil {
			c.N, c.M = f.N, f.M
			if len(c.U) != f.M {
				return nil, fmt.Errorf("manifold: %w: manifold %d: curve input has %d values, want %d", ErrFormat, k, len(c.U), f.M)
			}
			for j, p := range c.Points {
				if len(p.X) != f.N || len(p.Right) != f.N || len(p.Left) != f.N || len(p.Selection) != f.M {
					return nil, fmt.Errorf("manifold: %w: manifold %d: curve point %d has the wrong sizes", ErrFormat, k, j)
				}
				if j > 0 && p.S < c.Points[j-1].S {
					return nil, fmt.Errorf("manifold: %w: manifold %d: arclength decreases at point %d", ErrFormat, k, j)
				}
			}
		}
		a.Manifolds = append(a.Manifolds, m)
	}
	return a, nil
}

// Load reads an Analysis from a FormatV1 file (see ReadJSON).
func Load(path string) (*Analysis, error) {
	// A regular file within the limit: not a FIFO, not /dev/zero.
	f, _, err := boundedread.Open(path, boundedread.DefaultLimit)
	if err != nil {
		return nil, fmt.Errorf("manifold: load: %w", err)
	}
	defer f.Close()
	a, err := ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("manifold: load %s: %w", path, err)
	}
	return a, nil
}
