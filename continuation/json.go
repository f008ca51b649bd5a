package continuation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/rnnfp/fixedpoints/internal/atomicfile"
	"github.com/rnnfp/fixedpoints/internal/boundedread"
)

// FormatV1 names the JSON layout written by WriteJSON:
//
//	{"format": "branches/v1", "n_states": N, "n_inputs": M, "continuous_time": b,
//	 "path": [[M] x K],                                     (the path's vertices)
//	 "branches": [{"seeds": [k, ...], "end": "path-end", "steps": n,
//	   "points": [{"s": s, "u": [M], "x": [N], "n_unstable": n, "n_undecided": n,
//	               "stable": b, "residual": r}, ...]}, ...],
//	 "bifurcations": [{"kind": "fold"|"flip"|"neimark-sacker"|"hopf"|"branch point",
//	   "branch": i, "after": j, "s": s, "u": [M], "x": [N], "eigenvalue": [re, im],
//	   "eigenvector": [[re, im] x N], "test_value": v, "bracket": w}, ...]}
//
// "end" is one of End's names. Numbers are written in the shortest form that
// reads back to the same float64; every number is finite. Unknown fields are
// ignored on reading, so v1 may gain fields; an unknown "kind" or "end" is
// refused (ErrFormat), so a reader never mislabels a point it does not know.
// "branch point" was added within v1: older files still read.
const FormatV1 = "branches/v1"

// ErrFormat is wrapped by the errors of files that are not valid FormatV1.
var ErrFormat = errors.New("continuation: not a valid branches/v1 file")

type jsonResult struct {
	Format         string       `json:"format"`
	N              int          `json:"n_states"`
	M              int          `json:"n_inputs"`
	ContinuousTime bool         `json:"continuous_time"`
	Path           [][]float64  `json:"path"`
	Branches       []jsonBranch `json:"branches"`
	Bifurcations   []jsonBif    `json:"bifurcations"`
}

type jsonBranch struct {
	Seeds  []int       `json:"seeds"`
	End    string      `json:"end"`
	Steps  int         `json:"steps"`
	Points []jsonPoint `json:"points"`
}

type jsonPoint struct {
	S          float64   `json:"s"`
	U          []float64 `json:"u"`
	X          []float64 `json:"x"`
	NUnstable  int       `json:"n_unstable"`
	NUndecided int       `json:"n_undecided"`
	Stable     bool      `json:"stable"`
	Residual   float64   `json:"residual"`
	Proved     bool      `json:"stability_proved,omitempty"`
}

type jsonBif struct {
	Kind        string       `json:"kind"`
	Branch      int          `json:"branch"`
	After       int          `json:"after"`
	S           float64      `json:"s"`
	U           []float64    `json:"u"`
	X           []float64    `json:"x"`
	Eigenvalue  [2]float64   `json:"eigenvalue"`
	Eigenvector [][2]float64 `json:"eigenvector,omitempty"`
	TestValue   float64      `json:"test_value"`
	Bracket     float64      `json:"bracket"`
}

// WriteJSON writes res in the FormatV1 layout. A result that fails Validate
// is not written.
func (res *Result) WriteJSON(w io.Writer) error {
	if err := res.Validate(); err != nil {
		return err
	}
	j := jsonResult{Format: FormatV1, N: res.N, M: res.M, ContinuousTime: res.ContinuousTime, Path: res.Path,
		Branches: []jsonBranch{}, Bifurcations: []jsonBif{}}
	for _, b := range res.Branches {
		jb := jsonBranch{Seeds: b.Seeds, End: b.End.String(), Steps: b.Steps}
		for _, p := range b.Points {
			jb.Points = append(jb.Points, jsonPoint(p))
		}
		j.Branches = append(j.Branches, jb)
	}
	for _, e := range res.Bifurcations {
		jb := jsonBif{Kind: e.Kind.String(), Branch: e.Branch, After: e.After, S: e.S, U: e.U, X: e.X,
			Eigenvalue: [2]float64{real(e.Eigenvalue), imag(e.Eigenvalue)}, TestValue: e.TestValue, Bracket: e.Bracket}
		for _, z := range e.Vector {
			jb.Eigenvector = append(jb.Eigenvector, [2]float64{real(z), imag(z)})
		}
		j.Bifurcations = append(j.Bifurcations, jb)
	}
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("continuation: encode: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("continuation: write: %w", err)
	}
	return nil
}

// ReadJSON reads a FormatV1 result and validates it.
func ReadJSON(r io.Reader) (*Result, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("continuation: read: %w", err)
	}
	var j jsonResult
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&j); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if j.Format != FormatV1 {
		return nil, fmt.Errorf("%w: format %q", ErrFormat, j.Format)
	}
	res := &Result{N: j.N, M: j.M, ContinuousTime: j.ContinuousTime, Path: j.Path}
	for i, jb := range j.Branches {
		end, ok := parseName(endNames[:], jb.End)
		if !ok {
			return nil, fmt.Errorf("%w: branch %d: end %q", ErrFormat, i, jb.End)
		}
		b := Branch{Seeds: jb.Seeds, End: End(end), Steps: jb.Steps}
		for _, p := range jb.Points {
			b.Points = append(b.Points, Point(p))
		}
		res.Branches = append(res.Branches, b)
	}
	for i, jb := range j.Bifurcations {
		k, ok := parseName(kindNames[:], jb.Kind)
		if !ok {
			return nil, fmt.Errorf("%w: bifurcation %d: kind %q", ErrFormat, i, jb.Kind)
		}
		e := Bifurcation{Kind: Kind(k), Branch: jb.Branch, After: jb.After, S: jb.S, U: jb.U, X: jb.X,
			Eigenvalue: complex(jb.Eigenvalue[0], jb.Eigenvalue[1]), TestValue: jb.TestValue, Bracket: jb.Bracket}
		for _, z := range jb.Eigenvector {
			e.Vector = append(e.Vector, complex(z[0], z[1]))
		}
		res.Bifurcations = append(res.Bifurcations, e)
	}
	if err := res.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return res, nil
}

func parseName(names []string, s string) (int, bool) {
	for i, n := range names {
		if n == s {
			return i, true
		}
	}
	return 0, false
}

// Save writes res to path atomically (FormatV1).
func (res *Result) Save(path string) error {
	if err := res.Validate(); err != nil {
		return err
	}
	if err := atomicfile.Write(path, res.WriteJSON); err != nil {
		return fmt.Errorf("continuation: save %s: %w", path, err)
	}
	return nil
}

// Load reads a FormatV1 file and validates it.
func Load(path string) (*Result, error) {
	// A regular file within the limit: not a FIFO, not /dev/zero.
	f, _, err := boundedread.Open(path, boundedread.DefaultLimit)
	if err != nil {
		return nil, fmt.Errorf("continuation: %w", err)
	}
	defer f.Close()
	res, err := ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("continuation: load %s: %w", path, err)
	}
	return res, nil
}

// Validate checks that res is consistent: sizes, finite numbers, indices in
// range, known kinds and ends, stable only with no unstable or undecided
// mode.
func (res *Result) Validate() error {
	if res == nil {
		return fmt.Errorf("continuation: nil result")
	}
	if res.N < 1 || res.M < 1 {
		return fmt.Errorf("continuation: result has N = %d, M = %d", res.N, res.M)
	}
	if len(res.Path) < 2 {
		return fmt.Errorf("continuation: result path has %d vertices", len(res.Path))
	}
	for k, u := range res.Path {
		if err := finite(fmt.Sprintf("path vertex %d", k), u, res.M); err != nil {
			return err
		}
	}
	for i, b := range res.Branches {
		if len(b.Points) == 0 {
			return fmt.Errorf("continuation: branch %d has no points", i)
		}
		if b.End < 0 || int(b.End) >= len(endNames) {
			return fmt.Errorf("continuation: branch %d: end %d", i, b.End)
		}
		for k, p := range b.Points {
			what := fmt.Sprintf("branch %d point %d", i, k)
			if err := finite(what+" x", p.X, res.N); err != nil {
				return err
			}
			if err := finite(what+" u", p.U, res.M); err != nil {
				return err
			}
			if err := finite(what+" s", []float64{p.S, p.Residual}, 2); err != nil {
				return err
			}
			if p.NUnstable < 0 || p.NUndecided < 0 || p.NUnstable+p.NUndecided > res.N {
				return fmt.Errorf("continuation: %s: %d unstable, %d undecided modes of %d", what, p.NUnstable, p.NUndecided, res.N)
			}
			if p.Stable && (p.NUnstable > 0 || p.NUndecided > 0) {
				return fmt.Errorf("continuation: %s: stable with %d unstable and %d undecided modes", what, p.NUnstable, p.NUndecided)
			}
			if p.Proved && p.NUndecided > 0 {
				return fmt.Errorf("continuation: %s: stability proved with %d undecided modes", what, p.NUndecided)
			}
		}
	}
	for i, e := range res.Bifurcations {
		what := fmt.Sprintf("bifurcation %d", i)
		if e.Kind < 0 || int(e.Kind) >= len(kindNames) {
			return fmt.Errorf("continuation: %s: kind %d", what, e.Kind)
		}
		if e.Branch < 0 || e.Branch >= len(res.Branches) {
			return fmt.Errorf("continuation: %s: branch %d of %d", what, e.Branch, len(res.Branches))
		}
		if e.After < 0 || e.After >= len(res.Branches[e.Branch].Points) {
			return fmt.Errorf("continuation: %s: after point %d of %d", what, e.After, len(res.Branches[e.Branch].Points))
		}
		if err := finite(what+" x", e.X, res.N); err != nil {
			return err
		}
		if err := finite(what+" u", e.U, res.M); err != nil {
			return err
		}
		if err := finite(what, []float64{e.S, real(e.Eigenvalue), imag(e.Eigenvalue), e.TestValue, e.Bracket}, 5); err != nil {
			return err
		}
		if len(e.Vector) != 0 && len(e.Vector) != res.N {
			return fmt.Errorf("continuation: %s: eigenvector of %d values, want %d", what, len(e.Vector), res.N)
		}
		for _, z := range e.Vector {
			if err := finite(what+" eigenvector", []float64{real(z), imag(z)}, 2); err != nil {
				return err
			}
		}
	}
	return nil
}

func finite(what string, v []float64, n int) error {
	if len(v) != n {
		return fmt.Errorf("continuation: %s has %d values, want %d", what, len(v), n)
	}
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("continuation: %s is not finite", what)
		}
	}
	return nil
}
