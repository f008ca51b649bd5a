package finder

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/rnnfp/fixedpoints/internal/atomicfile"
)

// FormatV1 names the JSON layout written by WriteJSON:
//
//	{"format": "fixedpoints/v1", "n_states": N, "n_inputs": M, "dtype": "float64",
//	 "fixed_points": [{"x": [N], "u": [M], "q": q, "residual": r, "dq": dq,
//	   "n_iters": i, "n_refine": k,
//	   "condition": c,                                 (the caller's id, when given)
//	   "x_init": [N], "f": [N],                       (when known)
//	   "jacobian": [[N] x N], "input_jacobian": [[M] x N], (rows i: dF_i/dx, dF_i/du)
//	   "eigenvalues": [[re, im] x K],                  (sorted as Point.Modes)
//	   "eigenvectors_right": [[[re, im] x N] x K],     (mode k's vector, not a column)
//	   "eigenvectors_left": [[[re, im] x N] x K],
//	   "analyzed": true, "stable": b, "n_unstable": n, "max_abs_eigenvalue": a,
//	   "marginal": b, "n_marginal": n, "flip": b, "oscillatory": b, "continuous": b,
//	   "outcome": o, "reason": r, "gradient": g, "jacobian_error": e,
//	   "n_undecided": n, "eigenvalue_bounds": [b x K], "eigenvalue_conds": [kappa x K],
//	   "mode_classes": [c x K]}, ...],
//	 "slow_points": [...], "unconverged": [...]}  (optional: see Result.WriteJSON)
//
// The labels (optional, absent in files written before them and when
// unknown): "outcome" is "fixed", "slow" or "unconverged" (Point.Outcome);
// "reason" why an
// unconverged one stopped ("iteration limit", "refine limit", "stall",
// "diverged", "rise", "tolq without refinement", "canceled", "saturated");
// "gradient" the checked relative gradient (Point.Gradient);
// "jacobian_error" Point.JacobianError; "n_undecided" Stability.NUndecided;
// per mode, in the order of "eigenvalues": "eigenvalue_bounds" (Mode.Bound),
// "eigenvalue_conds" (Mode.Cond) and "mode_classes" ("stable", "unstable",
// "undecided"; Mode.Class).
//
// A set found by Find also carries, before "fixed_points", its coverage
// estimate and its saddle-attractor graph (indices are into fixed_points):
//
//	"coverage": {"found": n, "sampled": n, "completed": n, "seen_once": f1, "seen_twice": f2,
//	  "estimated_unseen": e, "method": "chao1", "still_finding": b, "hits": [n, ...]},
//	"connections": [{"from": i, "mode": k, "direction": deg, "to": j, "end": "stable", "steps": t}, ...]
//
// Fields in the second part are left out when the point has no such data (an
// unanalyzed set stays small); a reader should treat a missing field as
// unknown. "analyzed" defaults to whether "stable" is present. Numbers are
// written in the shortest form that reads back to the same float64. As JSON
// has no NaN or Inf, those are written as the strings "NaN", "Infinity" and
// "-Infinity" (which Python's float() and JavaScript's Number() parse).
// Unknown fields are ignored on reading, so v1 may gain fields.
const FormatV1 = "fixedpoints/v1"

// WriteJSON writes fp to w in the FormatV1 layout, one point per line. A set
// that fails Validate is not written.
func (fp *FixedPoints) WriteJSON(w io.Writer) error {
	if err := fp.writeJSON(w); err != nil {
		return fmt.Errorf("finder: write json: %w", err)
	}
	return nil
}

// ReadJSON reads a set written in the FormatV1 layout and validates it.
func ReadJSON(r io.Reader) (*FixedPoints, error) {
	fp, err := readJSON(r)
	if err != nil {
		return nil, fmt.Errorf("finder: read json: %w", err)
	}
	return fp, nil
}

// Save writes fp as JSON to path atomically: it writes a temporary file in
// the same directory and renames it over path, so a failed Save leaves any
// earlier file at path intact.
func (fp *FixedPoints) Save(path string) error {
	if err := atomicWriteFile(path, fp.writeJSON); err != nil {
		return fmt.Errorf("finder: save %s: %w", path, err)
	}
	return nil
}

// Load reads a set saved by Save (or written by any program in FormatV1).
func Load(path string) (*FixedPoints, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("finder: load: %w", err)
	}
	defer f.Close()
	fp, err := readJSON(f)
	if err != nil {
		return nil, fmt.Errorf("finder: load %s: %w", path, err)
	}
	return fp, nil
}

// atomicWriteFile writes path without ever leaving a half-written file
// (see package atomicfile).
func atomicWriteFile(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, write)
}

// jsonFile is the top level of FormatV1.
type jsonFile struct {
	Format  string `json:"format"`
	NStates int    `json:"n_states"`
	NInputs int    `json:"n_inputs"`
	Dtype   string `json:"dtype"`
	// Set by Find on Result.Fixed (see coverage.go, connections.go); they
	// precede fixed_points, which writeJSON splices in last.
	Coverage    *jsonCoverage    `json:"coverage,omitempty"`
	Connections []jsonConnection `json:"connections,omitempty"`
	FixedPoints []jsonPoint      `json:"fixed_points"`

	// The other outcomes of a search (Result.WriteJSON).
	SlowPoints  []jsonPoint `json:"slow_points,omitempty"`
	Unconverged []jsonPoint `json:"unconverged,omitempty"`
}

// jsonPoint is one point of FormatV1.
type jsonPoint struct {
	X         jsonFloats `json:"x"`
	U         jsonFloats `json:"u"`
	Q         *jsonFloat `json:"q"`
	Residual  *jsonFloat `json:"residual"`
	DQ        *jsonFloat `json:"dq"`
	Iters     int        `json:"n_iters"`
	Refines   int        `json:"n_refine"`
	Condition *int       `json:"condition,omitempty"`

	XInit         jsonFloats      `json:"x_init,omitempty"`
	F             jsonFloats      `json:"f,omitempty"`
	Jacobian      []jsonFloats    `json:"jacobian,omitempty"`
	InputJacobian []jsonFloats    `json:"input_jacobian,omitempty"`
	Eigenvalues   jsonComplexes   `json:"eigenvalues,omitempty"`
	Right         []jsonComplexes `json:"eigenvectors_right,omitempty"`
	Left          []jsonComplexes `json:"eigenvectors_left,omitempty"`

	Analyzed    *bool      `json:"analyzed,omitempty"`
	Stable      *bool      `json:"stable,omitempty"`
	NUnstable   *int       `json:"n_unstable,omitempty"`
	MaxAbs      *jsonFloat `json:"max_abs_eigenvalue,omitempty"`
	Marginal    *bool      `json:"marginal,omitempty"`
	NMarginal   *int       `json:"n_marginal,omitempty"`
	Flip        *bool      `json:"flip,omitempty"`
	Oscillatory *bool      `json:"oscillatory,omitempty"`
	Continuous  *bool      `json:"continuous,omitempty"`

	jsonLabels // outcome, reason, per-mode bounds (json_labels.go)
}

func (fp *FixedPoints) writeJSON(w io.Writer) error {
	return writeGroupsJSON(w, fp, nil, nil)
}

// writeGroupsJSON writes fixed as "fixed_points" and, when not nil, slow
// and unconverged as "slow_points" and "unconverged" (same N, M, dtype).
func writeGroupsJSON(w io.Writer, fp, slow, unconverged *FixedPoints) error {
	for _, g := range []*FixedPoints{fp, slow, unconverged} {
		if g == nil {
			continue
		}
		if err := g.Validate(); err != nil {
			return err
		}
		if g.N != fp.N || g.M != fp.M || g.Dtype != fp.Dtype {
			return fmt.Errorf("groups of different shapes: N=%d M=%d %s and N=%d M=%d %s", fp.N, fp.M, fp.Dtype, g.N, g.M, g.Dtype)
		}
	}
	head, err := json.Marshal(jsonFile{Format: FormatV1, NStates: fp.N, NInputs: fp.M, Dtype: fp.Dtype,
		Coverage: toJSONCoverage(fp.Coverage), Connections: toJSONConnections(fp.Connections)})
	if err != nil {
		return err
	}
	// Splice the points into the header's empty list, one per line.
	const tail = `null}`
	if !bytes.HasSuffix(head, []byte(tail)) {
		return fmt.Errorf("unexpected header %s", head)
	}
	bw := bufio.NewWriter(w)
	bw.Write(head[:len(head)-len(tail)])
	if err := writePointsJSON(bw, fp); err != nil {
		return err
	}
	for _, g := range []struct {
		name string
		fp   *FixedPoints
	}{{"slow_points", slow}, {"unconverged", unconverged}} {
		if g.fp != nil {
			bw.WriteString(",\n\"" + g.name + "\":")
			if err := writePointsJSON(bw, g.fp); err != nil {
				return fmt.Errorf("%s: %w", g.name, err)
			}
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// writePointsJSON writes the points of fp as a JSON list, one per line.
func writePointsJSON(bw *bufio.Writer, fp *FixedPoints) error {
	bw.WriteString("[")
	for i := range fp.Points {
		b, err := json.Marshal(toJSONPoint(&fp.Points[i], fp.N, fp.M))
		if err != nil {
			return fmt.Errorf("point %d: %w", i, err)
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		bw.Write(b)
	}
	bw.WriteString("\n]")
	return nil
}

func readJSON(r io.Reader) (*FixedPoints, error) {
	fp, _, _, err := readGroupsJSON(r)
	return fp, err
}

// readGroupsJSON reads "fixed_points" and the optional "slow_points" and
// "unconverged" (nil when absent).
func readGroupsJSON(r io.Reader) (fp, slow, unconverged *FixedPoints, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, nil, err
	}
	// The version comes first, so that a file of another version is named as
	// such rather than reported through the first field that differs.
	var head struct {
		Format *string `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, nil, nil, jsonError(data, err)
	}
	if head.Format == nil {
		return nil, nil, nil, fmt.Errorf("no \"format\" field, want %q", FormatV1)
	}
	if *head.Format != FormatV1 {
		return nil, nil, nil, fmt.Errorf("format %q, want %q", *head.Format, FormatV1)
	}
	var f jsonFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, nil, nil, jsonError(data, err)
	}
	fp = &FixedPoints{N: f.NStates, M: f.NInputs, Dtype: f.Dtype}
	if err := fp.checkHeader(); err != nil {
		return nil, nil, nil, err
	}
	group := func(name string, js []jsonPoint) (*FixedPoints, error) {
		g := &FixedPoints{N: fp.N, M: fp.M, Dtype: fp.Dtype}
		if len(js) > 0 {
			g.Points = make([]Point, len(js))
		}
		for i := range js {
			p, err := fromJSONPoint(&js[i], fp.N, fp.M)
			if err != nil {
				return nil, fmt.Errorf("%spoint %d: %w", name, i, err)
			}
			g.Points[i] = p
		}
		if err := g.Validate(); err != nil {
			return nil, fmt.Errorf("%s%w", name, err)
		}
		return g, nil
	}
	if fp, err = group("", f.FixedPoints); err != nil {
		return nil, nil, nil, err
	}
	fp.Coverage, fp.Connections = fromJSONCoverage(f.Coverage), fromJSONConnections(f.Connections)
	if err := fp.Validate(); err != nil {
		return nil, nil, nil, err
	}
	if f.SlowPoints != nil {
		if slow, err = group("slow_points: ", f.SlowPoints); err != nil {
			return nil, nil, nil, err
		}
	}
	if f.Unconverged != nil {
		if unconverged, err = group("unconverged: ", f.Unconverged); err != nil {
			return nil, nil, nil, err
		}
	}
	return fp, slow, unconverged, nil
}

// jsonError says where a decoding error happened and whether the file ends
// too early.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	// The scanner reports a file cut inside a number as a bad character at
	// the end rather than as an early end.
	truncated := errors.As(err, &syn) && syn.Offset >= int64(len(data))
	switch {
	case truncated || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("invalid JSON: file ends early after %d bytes (truncated?): %w", len(data), err)
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d: %w", syn.Offset, err)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("field %q at byte %d: %w", typ.Field, typ.Offset, err)
	}
	return err
}

// toJSONPoint lays out p, whose lengths Validate has checked.
func toJSONPoint(p *Point, N, M int) jsonPoint {
	j := jsonPoint{
		X: p.X, U: p.U, XInit: p.XInit, F: p.F,
		Q: ptrFloat(p.Q), Residual: ptrFloat(p.Residual), DQ: ptrFloat(p.DQ),
		Iters: p.Iters, Refines: p.Refines, Condition: p.Condition,
		Jacobian:      matrixRows(p.Jacobian, N, N),
		InputJacobian: matrixRows(p.InputJacobian, N, M),
	}
	if len(p.Modes) > 0 {
		j.Eigenvalues = make(jsonComplexes, len(p.Modes))
		var right, left bool
		for k, m := range p.Modes {
			j.Eigenvalues[k] = m.Value
			right = right || len(m.Right) > 0
			left = left || len(m.Left) > 0
		}
		if right {
			j.Right = make([]jsonComplexes, len(p.Modes))
			for k, m := range p.Modes {
				j.Right[k] = m.Right
			}
		}
		if left {
			j.Left = make([]jsonComplexes, len(p.Modes))
			for k, m := range p.Modes {
				j.Left[k] = m.Left
			}
		}
	}
	j.jsonLabels = labelsToJSON(p)
	if s := p.Stability; s.Analyzed {
		maxAbs := jsonFloat(s.MaxAbs)
		j.Analyzed, j.Stable, j.NUnstable, j.MaxAbs = &s.Analyzed, &s.Stable, &s.NUnstable, &maxAbs
		j.Marginal, j.NMarginal = &s.Marginal, &s.NMarginal
		j.Flip, j.Oscillatory, j.Continuous = &s.Flip, &s.Oscillatory, &s.Continuous
	}
	return j
}

// fromJSONPoint checks the shapes of j against N and M and builds its Point.
// Empty lists read as nil slices; a missing dq reads as NaN (unknown), while
// q and residual are required.
func fromJSONPoint(j *jsonPoint, N, M int) (Point, error) {
	p := Point{
		X: emptyAsNil(j.X), U: emptyAsNil(j.U), XInit: emptyAsNil(j.XInit), F: emptyAsNil(j.F),
		DQ:    math.NaN(),
		Iters: j.Iters, Refines: j.Refines, Condition: j.Condition,
	}
	if j.Q == nil || j.Residual == nil {
		return p, fmt.Errorf("q or residual missing")
	}
	p.Q, p.Residual = float64(*j.Q), float64(*j.Residual)
	if j.DQ != nil {
		p.DQ = float64(*j.DQ)
	}
	var err error
	if p.Jacobian, err = matrixFromRows("jacobian", j.Jacobian, N, N); err != nil {
		return p, err
	}
	if p.InputJacobian, err = matrixFromRows("input_jacobian", j.InputJacobian, N, M); err != nil {
		return p, err
	}
	K := len(j.Eigenvalues)
	if K > N {
		return p, fmt.Errorf("eigenvalues has %d values, want at most N=%d", K, N)
	}
	for _, v := range []struct {
		name string
		vecs []jsonComplexes
	}{{"eigenvectors_right", j.Right}, {"eigenvectors_left", j.Left}} {
		if v.vecs != nil && len(v.vecs) != K {
			return p, fmt.Errorf("%s has %d vectors, want one per eigenvalue (%d)", v.name, len(v.vecs), K)
		}
		for k, vec := range v.vecs {
			if len(vec) != 0 && len(vec) != N {
				return p, fmt.Errorf("%s[%d] has %d values, want N=%d", v.name, k, len(vec), N)
			}
		}
	}
	if K > 0 {
		p.Modes = make([]Mode, K)
		for k := range p.Modes {
			p.Modes[k].Value = j.Eigenvalues[k]
			if j.Right != nil && len(j.Right[k]) > 0 {
				p.Modes[k].Right = j.Right[k]
			}
			if j.Left != nil && len(j.Left[k]) > 0 {
				p.Modes[k].Left = j.Left[k]
			}
		}
	}
	s := &p.Stability
	s.Analyzed = j.Stable != nil
	if j.Analyzed != nil {
		s.Analyzed = *j.Analyzed
	}
	set := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	set(&s.Stable, j.Stable)
	set(&s.Marginal, j.Marginal)
	set(&s.Flip, j.Flip)
	set(&s.Oscillatory, j.Oscillatory)
	set(&s.Continuous, j.Continuous)
	if j.NUnstable != nil {
		s.NUnstable = *j.NUnstable
	}
	if j.NMarginal != nil {
		s.NMarginal = *j.NMarginal
	}
	if j.MaxAbs != nil {
		s.MaxAbs = float64(*j.MaxAbs)
	}
	if err := labelsFromJSON(&j.jsonLabels, &p); err != nil {
		return p, err
	}
	return p, nil
}

// Validate reports the first inconsistency of fp: N < 1, M < 0, a dtype
// other than "float64" or "float32", or a point whose vectors have the wrong
// lengths (empty optional ones aside), whose x or u holds a NaN or Inf, or
// whose counts of modes are out of range. Every set that Validate accepts
// round-trips through WriteJSON and ReadJSON.
func (fp *FixedPoints) Validate() error {
	if err := fp.checkHeader(); err != nil {
		return err
	}
	N, M := fp.N, fp.M
	for i := range fp.Points {
		if err := checkPoint(&fp.Points[i], N, M); err != nil {
			return fmt.Errorf("point %d: %w", i, err)
		}
	}
	return fp.checkGraph()
}

func (fp *FixedPoints) checkHeader() error {
	if fp.N < 1 || fp.M < 0 {
		return fmt.Errorf("n_states %d and n_inputs %d, want n_states >= 1 and n_inputs >= 0", fp.N, fp.M)
	}
	if fp.Dtype != "float64" && fp.Dtype != "float32" {
		return fmt.Errorf("dtype %q, want \"float64\" or \"float32\"", fp.Dtype)
	}
	return nil
}

func checkPoint(p *Point, N, M int) error {
	lengths := []struct {
		name     string
		got      int
		want     int
		optional bool
	}{
		{"x", len(p.X), N, false},
		{"u", len(p.U), M, false},
		{"x_init", len(p.XInit), N, true},
		{"f", len(p.F), N, true},
		{"jacobian", len(p.Jacobian), N * N, true},
		{"input_jacobian", len(p.InputJacobian), N * M, true},
	}
	for _, l := range lengths {
		if l.got != l.want && !(l.optional && l.got == 0) {
			return fmt.Errorf("%s has %d values, want %d", l.name, l.got, l.want)
		}
	}
	// A candidate that diverged (q not finite, as Find leaves it in
	// Result.All) may have a state that is not finite either; any other
	// point's state, and every input, must be finite.
	diverged := math.IsNaN(p.Q) || math.IsInf(p.Q, 0)
	for _, v := range []struct {
		name   string
		x      []float64
		finite bool
	}{{"x", p.X, !diverged}, {"u", p.U, true}} {
		for k, x := range v.x {
			if v.finite && (math.IsNaN(x) || math.IsInf(x, 0)) {
				return fmt.Errorf("%s[%d] is %v (q = %v)", v.name, k, x, p.Q)
			}
		}
	}
	if len(p.Modes) > N {
		return fmt.Errorf("%d modes, want at most N=%d", len(p.Modes), N)
	}
	for k, m := range p.Modes {
		if len(m.Right) != 0 && len(m.Right) != N || len(m.Left) != 0 && len(m.Left) != N {
			return fmt.Errorf("mode %d has eigenvectors of %d and %d values, want N=%d", k, len(m.Right), len(m.Left), N)
		}
	}
	if s := p.Stability; s.NUnstable < 0 || s.NUnstable > N || s.NMarginal < 0 || s.NMarginal > N {
		return fmt.Errorf("n_unstable %d and n_marginal %d, want each in [0, N=%d]", s.NUnstable, s.NMarginal, N)
	}
	return nil
}

// matrixRows splits a rows x cols row-major matrix into rows; nil when empty.
func matrixRows(a []float64, rows, cols int) []jsonFloats {
	if len(a) == 0 || rows == 0 {
		return nil
	}
	out := make([]jsonFloats, rows)
	for i := range out {
		out[i] = a[i*cols : (i+1)*cols]
	}
	return out
}

// matrixFromRows joins rows of a rows x cols matrix; nil when there are none.
func matrixFromRows(name string, r []jsonFloats, rows, cols int) ([]float64, error) {
	if len(r) == 0 {
		return nil, nil
	}
	if len(r) != rows {
		return nil, fmt.Errorf("%s has %d rows, want N=%d", name, len(r), rows)
	}
	// Check every row before allocating: rows*cols may overflow for a
	// corrupt header, the sum of the rows' lengths cannot.
	for i, row := range r {
		if len(row) != cols {
			return nil, fmt.Errorf("%s row %d has %d values, want %d", name, i, len(row), cols)
		}
	}
	if cols == 0 {
		return nil, nil
	}
	out := make([]float64, 0, len(r)*cols)
	for _, row := range r {
		out = append(out, row...)
	}
	return out, nil
}

func ptrFloat(x float64) *jsonFloat {
	f := jsonFloat(x)
	return &f
}

func emptyAsNil(v []float64) []float64 {
	if len(v) == 0 {
		return nil
	}
	return v
}

// jsonFloat is a float64 that writes NaN and Inf as strings.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	return appendJSONFloat(nil, float64(f)), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	v, err := parseJSONFloat(b)
	*f = jsonFloat(v)
	return err
}

// jsonFloats is a list of numbers written as jsonFloat writes one. It reads
// and writes the whole list itself: calling encoding/json once per number
// makes a set of 1024 analyzed points of 32 states take 10 s to read.
type jsonFloats []float64

func (v jsonFloats) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(v)*20)
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONFloat(b, x)
	}
	return append(b, ']'), nil
}

func (v *jsonFloats) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = nil
		return nil
	}
	s := numScanner{b: b}
	out := []float64{}
	err := s.list(func() error {
		x, err := s.number()
		out = append(out, x)
		return err
	})
	*v = out
	return err
}

// jsonComplexes is a list of complex numbers, each written as [re, im].
type jsonComplexes []complex128

func (v jsonComplexes) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(v)*40)
	b = append(b, '[')
	for i, z := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendJSONFloat(b, real(z))
		b = append(b, ',')
		b = appendJSONFloat(b, imag(z))
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

func (v *jsonComplexes) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = nil
		return nil
	}
	s := numScanner{b: b}
	out := []complex128{}
	err := s.list(func() error {
		var pair [2]float64
		n := 0
		err := s.list(func() error {
			x, err := s.number()
			if n < 2 {
				pair[n] = x
			}
			n++
			return err
		})
		if err == nil && n != 2 {
			err = fmt.Errorf("complex number as %d values, want [re, im]", n)
		}
		out = append(out, complex(pair[0], pair[1]))
		return err
	})
	*v = out
	return err
}

// numScanner reads lists of numbers from one JSON value that the decoder
// has already checked to be valid JSON, so it only needs to tell lists,
// numbers and strings apart and find where each ends.
type numScanner struct {
	b []byte
	i int
}

func (s *numScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// list reads '[' elem (',' elem)* ']', calling elem at each element.
func (s *numScanner) list(elem func() error) error {
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return fmt.Errorf("%.20s, want a list", s.b[s.i:])
	}
	s.i++
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		s.space()
		if s.i >= len(s.b) {
			return fmt.Errorf("list not closed")
		}
		c := s.b[s.i]
		s.i++
		if c == ']' {
			return nil
		}
		if c != ',' {
			return fmt.Errorf("%q in a list, want ',' or ']'", c)
		}
	}
}

// number reads a number or a string naming NaN or Inf.
func (s *numScanner) number() (float64, error) {
	s.space()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '"' {
		for s.i++; s.i < len(s.b) && s.b[s.i] != '"'; s.i++ {
			if s.b[s.i] == '\\' {
				s.i++
			}
		}
		s.i = min(s.i+1, len(s.b))
	} else {
	number:
		for ; s.i < len(s.b); s.i++ {
			switch s.b[s.i] {
			case ',', ']', ' ', '\t', '\n', '\r':
				break number
			}
		}
	}
	return parseJSONFloat(s.b[start:s.i])
}

// appendJSONFloat appends x as encoding/json writes a float64 (the shortest
// decimal that reads back exactly), or as "NaN", "Infinity", "-Infinity".
func appendJSONFloat(b []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(b, `"NaN"`...)
	case math.IsInf(x, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(x, -1):
		return append(b, `"-Infinity"`...)
	}
	abs := math.Abs(x)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, x, format, -1, 64)
	if format == 'e' {
		// Shorten e-09 to e-9 as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// parseJSONFloat reads one valid JSON value that is a number or one of the
// strings appendJSONFloat writes for NaN and Inf.
func parseJSONFloat(b []byte) (float64, error) {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		switch s {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		return 0, fmt.Errorf("number as string %q, want a number, \"NaN\", \"Infinity\" or \"-Infinity\"", s)
	}
	// A valid JSON value that starts with '-' or a digit is a JSON number,
	// whose syntax ParseFloat accepts.
	if len(b) == 0 || b[0] != '-' && (b[0] < '0' || b[0] > '9') {
		return 0, fmt.Errorf("%.20s, want a number", b)
	}
	x, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, fmt.Errorf("number %.30s out of range for float64", b)
	}
	return x, nil
}
