package fpjson

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/orbits"
)

// jsonFile is the top level of Format.
type jsonFile struct {
	Format  string `json:"format"`
	NStates int    `json:"n_states"`
	NInputs int    `json:"n_inputs"`
	Dtype   string `json:"dtype"`
	// Status is how the search ended (finder.Status: "Converged",
	// "Canceled", ...), so that a partial result is never taken for a
	// complete one; absent in files written before it was.
	Status string `json:"status,omitempty"`
	// Alpha is dt/τ of the flow whose Euler step the map is
	// (finder.FixedPoints.Alpha); absent when there is none, as in files
	// written before it was.
	Alpha float64 `json:"alpha,omitempty"`
	// Set by Find on Result.Fixed (see finder/complete.go, finder/connections.go); they
	// precede fixed_points, which writeGroups splices in last.
	Coverage    *jsonCoverage    `json:"coverage,omitempty"`
	Connections []jsonConnection `json:"connections,omitempty"`
	// What the reference would call fixed points among the same
	// candidates (Write, from Stats.Reference).
	Reference   *jsonReference `json:"reference_view,omitempty"`
	FixedPoints []jsonPoint    `json:"fixed_points"`

	// The other outcomes of a search (Write).
	SlowPoints  []jsonPoint `json:"slow_points,omitempty"`
	SlowRegions []jsonPoint `json:"slow_regions,omitempty"`
	Unconverged []jsonPoint `json:"unconverged,omitempty"`

	// The periodic orbits and limit cycles of a search (orbits.go).
	Orbits []jsonOrbit `json:"orbits,omitempty"`
	Cycles []jsonCycle `json:"cycles,omitempty"`
}

// jsonReference is finder.ReferenceView.
type jsonReference struct {
	TolQ       jsonFloat `json:"tol_q"`
	Candidates int       `json:"candidates"`
	Unique     int       `json:"unique"`
	Certified  int       `json:"certified"`
	Of         int       `json:"of"`
}

// writeGroups writes fixed as "fixed_points" and, when not nil, slow,
// slow regions and unconverged as "slow_points", "slow_regions" and
// "unconverged" (same N, M, dtype); ref, when not nil, as "reference_view";
// then the periodic orbits as "orbits" and the limit cycles as "cycles",
// one per line, when there are any.
func writeGroups(w io.Writer, fp, slow, regions, unconverged *finder.FixedPoints, ref *finder.ReferenceView, orbs []orbits.Orbit, cycles []orbits.Cycle, status string) error {
	for _, g := range []*finder.FixedPoints{fp, slow, regions, unconverged} {
		if g == nil {
			continue
		}
		if err := g.Validate(); err != nil {
			return err
		}
		if g.Alpha != fp.Alpha {
			return fmt.Errorf("groups of different flows: alpha = dt/tau %g and %g", fp.Alpha, g.Alpha)
		}
		if g.N != fp.N || g.M != fp.M || g.Dtype != fp.Dtype {
			return fmt.Errorf("groups of different shapes: N=%d M=%d %s and N=%d M=%d %s", fp.N, fp.M, fp.Dtype, g.N, g.M, g.Dtype)
		}
	}
	if err := checkOrbitEnds(fp.Connections, len(orbs)); err != nil {
		return err
	}
	jf := jsonFile{Format: Format, NStates: fp.N, NInputs: fp.M, Dtype: fp.Dtype, Status: status, Alpha: fp.Alpha,
		Coverage: toJSONCoverage(fp.Coverage), Connections: toJSONConnections(fp.Connections)}
	if ref != nil {
		jf.Reference = &jsonReference{TolQ: jsonFloat(ref.TolQ), Candidates: ref.Candidates, Unique: ref.Unique, Certified: ref.Certified, Of: ref.Of}
	}
	head, err := json.Marshal(jf)
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
	if err := writePoints(bw, fp); err != nil {
		return err
	}
	for _, g := range []struct {
		name string
		fp   *finder.FixedPoints
	}{{"slow_points", slow}, {"slow_regions", regions}, {"unconverged", unconverged}} {
		if g.fp != nil {
			bw.WriteString(",\n\"" + g.name + "\":")
			if err := writePoints(bw, g.fp); err != nil {
				return fmt.Errorf("%s: %w", g.name, err)
			}
		}
	}
	if js := toJSONOrbits(orbs); len(js) > 0 {
		// Checked as a reader checks them, so that a file written is a file read.
		if _, err := fromJSONOrbits(js, fp.N, fp.M, fp.Len()); err != nil {
			return err
		}
		bw.WriteString(",\n\"orbits\":[")
		for i := range js {
			b, err := json.Marshal(&js[i])
			if err != nil {
				return fmt.Errorf("orbit %d: %w", i, err)
			}
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
			bw.Write(b)
		}
		bw.WriteString("\n]")
	}
	if js := toJSONCycles(cycles); len(js) > 0 {
		if _, err := fromJSONCycles(js, fp.N, fp.M); err != nil {
			return err
		}
		bw.WriteString(",\n\"cycles\":[")
		for i := range js {
			b, err := json.Marshal(&js[i])
			if err != nil {
				return fmt.Errorf("cycle %d: %w", i, err)
			}
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
			bw.Write(b)
		}
		bw.WriteString("\n]")
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// writePoints writes the points of fp as a JSON list, one per line.
func writePoints(bw *bufio.Writer, fp *finder.FixedPoints) error {
	bw.WriteString("[")
	for i := range fp.Points {
		b, err := json.Marshal(toJSONPoint(&fp.Points[i], fp.N, fp.M, fp.Alpha))
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

// read reads "fixed_points" and the optional "slow_points" and
// "unconverged" (nil when absent).
func read(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	// The version comes first, so that a file of another version is named as
	// such rather than reported through the first field that differs.
	var head struct {
		Format *string `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, jsonError(data, err)
	}
	if head.Format == nil {
		return nil, fmt.Errorf("no \"format\" field, want %q", Format)
	}
	if *head.Format != Format {
		return nil, fmt.Errorf("format %q, want %q", *head.Format, Format)
	}
	var f jsonFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError(data, err)
	}
	// The header alone first: the shapes it gives bound every point's.
	empty := &finder.FixedPoints{N: f.NStates, M: f.NInputs, Dtype: f.Dtype, Alpha: f.Alpha}
	if err := empty.Validate(); err != nil {
		return nil, err
	}
	group := func(name string, js []jsonPoint, cov *jsonCoverage, conns []jsonConnection) (*finder.FixedPoints, error) {
		g := &finder.FixedPoints{N: empty.N, M: empty.M, Dtype: empty.Dtype, Alpha: empty.Alpha}
		if len(js) > 0 {
			g.Points = make([]finder.Point, len(js))
		}
		for i := range js {
			p, err := fromJSONPoint(&js[i], g.N, g.M, g.Alpha)
			if err != nil {
				return nil, fmt.Errorf("%spoint %d: %w", name, i, err)
			}
			g.Points[i] = p
		}
		g.Coverage, g.Connections = fromJSONCoverage(cov), fromJSONConnections(conns)
		if err := g.Validate(); err != nil {
			return nil, fmt.Errorf("%s%w", name, err)
		}
		return g, nil
	}
	out := File{Status: f.Status}
	if out.Fixed, err = group("", f.FixedPoints, f.Coverage, f.Connections); err != nil {
		return nil, err
	}
	if f.SlowPoints != nil {
		if out.Slow, err = group("slow_points: ", f.SlowPoints, nil, nil); err != nil {
			return nil, err
		}
	}
	if f.SlowRegions != nil {
		if out.SlowRegions, err = group("slow_regions: ", f.SlowRegions, nil, nil); err != nil {
			return nil, err
		}
	}
	if f.Reference != nil {
		out.Reference = &finder.ReferenceView{TolQ: float64(f.Reference.TolQ), Candidates: f.Reference.Candidates, Unique: f.Reference.Unique, Certified: f.Reference.Certified, Of: f.Reference.Of}
	}
	if f.Unconverged != nil {
		if out.Unconverged, err = group("unconverged: ", f.Unconverged, nil, nil); err != nil {
			return nil, err
		}
	}
	if out.Orbits, err = fromJSONOrbits(f.Orbits, empty.N, empty.M, out.Fixed.Len()); err != nil {
		return nil, err
	}
	if err := checkOrbitEnds(out.Fixed.Connections, len(out.Orbits)); err != nil {
		return nil, err
	}
	if out.Cycles, err = fromJSONCycles(f.Cycles, empty.N, empty.M); err != nil {
		return nil, err
	}
	return &out, nil
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

// checkOrbitEnds checks that the fixed points' connections that end at an
// orbit name one of the nOrbits orbits (finder.FixedPoints.Validate checks
// the rest; it does not know the orbits).
func checkOrbitEnds(cs []finder.Connection, nOrbits int) error {
	for i, c := range cs {
		if (c.End == finder.EndStableOrbit || c.End == finder.EndOrbit) && c.To >= nOrbits {
			return fmt.Errorf("connection %d: ends at orbit %d of %d", i, c.To, nOrbits)
		}
	}
	return nil
}
