package finder

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

var coverageTable = flag.Bool("coverage-table", false, "print docs/completeness.md's coverage table (estimate against the true number unseen)")

// TestCoverageTable prints, for networks whose fixed points are all known,
// the Chao1 estimate of the points unseen against the true number, from few
// random initial states, without and with completion: docs/completeness.md's table.
// Run with -coverage-table -v. Every reported point is checked against the
// known set, so the table's counts are true counts.
func TestCoverageTable(t *testing.T) {
	if !*coverageTable {
		t.Skip("run with -coverage-table -v to print docs/completeness.md's coverage table")
	}
	type family struct {
		name  string
		N     int
		cell  func() (Problem, []expected)
		noise func(r *rand.Rand) float64
	}
	var fams []family
	for N := 4; N <= 7; N++ {
		fams = append(fams, family{fmt.Sprintf("flip-flop tanh(2x), N = %d", N), N,
			func() (Problem, []expected) { return Problem{Cell: flipflopCell(N, 2)}, flipflopExpected(N, 2) },
			func(r *rand.Rand) float64 { return 2*r.Float64() - 1 }})
	}
	for _, P := range []int{3, 4} {
		fams = append(fams, family{fmt.Sprintf("Hopfield, %d patterns on blocks of 10, β = 4", P), 10 * P,
			func() (Problem, []expected) {
				cell, xi := hopfieldBlocks(P, 10, 4, 3)
				return Problem{Cell: cell}, hopfieldExpected(xi, 4)
			},
			func(r *rand.Rand) float64 { return r.NormFloat64() }})
	}
	var b strings.Builder
	fmt.Fprintln(&b, "| network | fixed points | initial states | found | estimated unseen | true unseen | found with completion | estimated unseen | true unseen |")
	fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, fam := range fams {
		for _, B := range []int{64, 256} {
			p, want := fam.cell()
			r := rand.New(rand.NewPCG(uint64(fam.N), uint64(B)))
			p.InitialStates = make([]float64, B*fam.N)
			for i := range p.InitialStates {
				p.InitialStates[i] = fam.noise(r)
			}
			row := fmt.Sprintf("| %s | %d | %d |", fam.name, len(want), B)
			for _, s := range []*Settings{{NoComplete: true, NoConnections: true}, {NoConnections: true}} {
				s.NoJacobians = true
				res := find(t, p, s)
				checkSubset(t, fam.name, res.Fixed, want)
				c := res.Stats.Coverage
				mark := ""
				if c.StillFinding {
					mark = " †"
				}
				row += fmt.Sprintf(" %d | %.1f%s | %d |", c.Found, c.EstimatedUnseen, mark, len(want)-c.Found)
				if !s.NoComplete {
					t.Logf("%s B=%d: %v; rounds %+v in %v", fam.name, B, c, res.Stats.Completion, res.Stats.CompleteTime)
				}
			}
			fmt.Fprintln(&b, row)
		}
	}
	t.Log("\n" + b.String())
}
