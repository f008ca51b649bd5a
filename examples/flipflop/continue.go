package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rnnfp/fixedpoints/continuation"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

// The files -continue writes in -out.
const (
	branchesJSON = "flipflop-branches.json"
	branchesHTML = "flipflop-branches.html"
)

// rampBit1 follows the fixed points found at zero input while input bit 1
// is held at a constant u ramped from 0 to +1, and says what becomes of
// each stable corner that remembers bit 1 = -1: the input that would flip
// the bit makes its attractor meet a saddle and vanish (a fold), or lose
// stability otherwise.
func rampBit1(ctx context.Context, o options, model *tasks.Model, fixed *finder.FixedPoints) error {
	M := model.Cell.InputSize()
	to := make([]float64, M)
	to[0] = 1
	path := continuation.Segment(make([]float64, M), to)
	res, err := continuation.Continue(ctx, continuation.Problem{Cell: model.Cell, Start: fixed, Path: path}, continuation.Settings{})
	if err != nil {
		return fmt.Errorf("continue: %w", err)
	}
	fmt.Fprintf(o.stdout, "\ninput bit 1 ramped from 0 to +1: %s", res.Summary())
	for k, p := range fixed.Points {
		if !p.Stability.Stable || model.Readout.Output(p.X)[0] >= 0 {
			continue
		}
		fmt.Fprintf(o.stdout, "corner %s: %s\n", corner(model, p.X), fate(model, res, k))
	}
	jsonPath, htmlPath := filepath.Join(o.out, branchesJSON), filepath.Join(o.out, branchesHTML)
	if err := res.Save(jsonPath); err != nil {
		return err
	}
	// The vertical axis is the bit-1 readout (the readout sees h, the first
	// Readout.Inputs states).
	dir := make([]float64, res.N)
	copy(dir, model.Readout.Weight[:model.Readout.Inputs])
	diag := &viz.Bifurcation{Title: "Fixed points of the flip-flop as input bit 1 ramps from 0 to +1",
		Result: res, Direction: dir, Offset: model.Readout.Bias[0], YLabel: "bit 1 readout", XLabel: "input bit 1"}
	if err := diag.WriteFile(htmlPath); err != nil {
		return err
	}
	fmt.Fprintf(o.stdout, "wrote %s and %s\n", htmlPath, jsonPath)
	return nil
}

// fate says which bifurcation the corner seeded by start meets first,
// walking its branch from it, and with which other fixed point it merges.
func fate(model *tasks.Model, res *continuation.Result, start int) string {
	for bi, b := range res.Branches {
		for j, s := range b.Seeds {
			if s != start {
				continue
			}
			forward := j == 0
			var met *continuation.Bifurcation
			for i := range res.Bifurcations {
				e := &res.Bifurcations[i]
				if e.Branch == bi && (met == nil || (e.After < met.After) == forward) {
					met = e
				}
			}
			if met == nil {
				return fmt.Sprintf("no bifurcation up to u = 1 (branch ends %v)", b.End)
			}
			with := ""
			if len(b.Seeds) == 2 {
				other := b.Points[len(b.Points)-1]
				if !forward {
					other = b.Points[0]
				}
				with = fmt.Sprintf(" with the saddle %s", corner(model, other.X))
			}
			return fmt.Sprintf("%s at u = %.6f%s (eigenvalue %.4g)", met.Kind, met.U[0], with, met.Eigenvalue)
		}
	}
	return "not followed"
}

// corner names a state by its readout, rounded: (-1, +1, 0) etc.
func corner(m *tasks.Model, x []float64) string {
	var parts []string
	for _, y := range m.Readout.Output(x) {
		switch {
		case y > 0.5:
			parts = append(parts, "+1")
		case y < -0.5:
			parts = append(parts, "-1")
		default:
			parts = append(parts, "0")
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
