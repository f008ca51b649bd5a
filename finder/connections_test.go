package finder

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestConnectionsFlipFlop: in the idealized flip-flop F(x) = tanh(2x) the
// coordinates decouple, so the unstable mode of an index-1 saddle (zero in
// coordinate j, eigenvalue 2) is e_j, and x* +/- eps e_j flows to the two
// corners that agree with the saddle off j and are +/-a at j. Every index-1
// saddle must connect exactly those two stable points, N = 2..4.
func TestConnectionsFlipFlop(t *testing.T) {
	a := flipflopA(2)
	for N := 2; N <= 4; N++ {
		res := find(t, Problem{Cell: flipflopCell(N, 2), InitialStates: grid(N, 5, -1.5, 1.5)}, nil)
		fp := res.Fixed
		saddles := 0
		for pi, p := range fp.Points {
			if p.Stability.NUnstable != 1 {
				continue
			}
			saddles++
			j := -1
			for i, v := range p.X {
				if math.Abs(v) < 1e-8 {
					j = i
				}
			}
			want := map[int]bool{}
			for _, s := range []float64{a, -a} {
				c := append([]float64(nil), p.X...)
				c[j] = s
				idx := fp.Find(c, nil, 1e-8)
				if len(idx) != 1 {
					t.Fatalf("N=%d: corner %v found %d times", N, c, len(idx))
				}
				want[idx[0]] = true
			}
			got := map[int]bool{}
			n := 0
			for _, c := range fp.Connections {
				if c.From != pi {
					continue
				}
				n++
				if c.End != EndStable {
					t.Errorf("N=%d: saddle %v mode %d direction %g ends %q (to %d), want stable", N, p.X, c.Mode, c.Direction, c.End, c.To)
					continue
				}
				got[c.To] = true
			}
			if n != 2 || len(got) != 2 || !got[firstKey(want, 0)] || !got[firstKey(want, 1)] {
				t.Errorf("N=%d: saddle %v: %d connections to %v, want 2 to the corners %v", N, p.X, n, got, want)
			}
		}
		if want := N << (N - 1); saddles != want {
			t.Errorf("N=%d: %d index-1 saddles, want %d", N, saddles, want)
		}
		t.Logf("N=%d: %s", N, ConnectionCounts(fp.Connections))
	}
}

// firstKey returns the k-th smallest key of a two-element set.
func firstKey(m map[int]bool, k int) int {
	lo, hi := math.MaxInt, math.MinInt
	for v := range m {
		lo, hi = min(lo, v), max(hi, v)
	}
	if k == 0 {
		return lo
	}
	return hi
}

// TestConnectionsTrainedLSTM: on the trained 3-bit flip-flop LSTM (the
// default example's network and initial states) each index-1 saddle sits
// between two memories: both directions of its unstable mode settle at
// certified stable points, and at two distinct ones.
func TestConnectionsTrainedLSTM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Find on the trained LSTM (seconds)")
	}
	res := find(t, flipFlopProblem(t, "lstm"), &Settings{Seed: benchSeed})
	fp := res.Fixed
	saddles := 0
	for pi, p := range fp.Points {
		if p.Stability.NUnstable != 1 || p.Stability.Marginal {
			continue
		}
		saddles++
		var to []int
		for _, c := range fp.Connections {
			if c.From != pi {
				continue
			}
			if c.End != EndStable || !fp.Points[c.To].Stability.Stable {
				t.Errorf("saddle %d mode %d direction %g ends %q at %d, want a stable point", pi, c.Mode, c.Direction, c.End, c.To)
			}
			to = append(to, c.To)
		}
		if len(to) != 2 || to[0] == to[1] {
			t.Errorf("saddle %d connects %v, want two distinct stable points", pi, to)
		}
	}
	if saddles == 0 {
		t.Fatal("no index-1 saddle")
	}
	t.Logf("%d index-1 saddles; %s; %v", saddles, ConnectionCounts(fp.Connections), res.Stats.ConnectTime)
}

// TestConnectionsComplexPair: F(x) = tanh(1.5 R(0.5) x), R a rotation, has
// one fixed point, the origin, an unstable focus (eigenvalues 1.5 e^{±0.5i}).
// Its complex pair is followed at four angles in its plane; tanh bounds the
// growth, so every trajectory ends on a rotating invariant circle: still
// moving after ConnectSteps, "unsettled".
func TestConnectionsComplexPair(t *testing.T) {
	c, s := 1.5*math.Cos(0.5), 1.5*math.Sin(0.5)
	cell := newTanhCell(2, 0, []float64{c, -s, s, c}, nil, nil)
	res := find(t, Problem{Cell: cell, InitialStates: []float64{0.01, 0.02, -0.02, 0.01}}, &Settings{ConnectSteps: 300})
	if res.Fixed.Len() != 1 || res.Fixed.Points[0].Stability.NUnstable != 2 || !res.Fixed.Points[0].Stability.Oscillatory {
		t.Fatalf("%d points, stability %+v: want the origin, an unstable focus", res.Fixed.Len(), res.Fixed.Points[0].Stability)
	}
	cs := res.Fixed.Connections
	if len(cs) != 4 {
		t.Fatalf("%d connections, want 4 (one complex pair at four angles)", len(cs))
	}
	for k, cn := range cs {
		m := res.Fixed.Points[0].Modes[cn.Mode].Value
		if cn.Direction != float64(90*k) || imag(m) <= 0 || cn.End != EndUnsettled || cn.Steps != 300 || cn.To != -1 {
			t.Errorf("connection %+v (mode %v), want direction %d, the mode with Im > 0, unsettled after 300 steps", cn, m, 90*k)
		}
	}
}

// TestConnectBudget: under a ConnectBudget of three trajectories' worth of
// steps, on the 3-unit flip-flop (saddles of index 1, 2 and 3), the
// trajectories followed are a prefix of the order (mode rank, then point,
// mode and direction), each ends exactly as without the budget, their
// steps sum within the budget, and a warning counts the rest.
func TestConnectBudget(t *testing.T) {
	p := Problem{Cell: flipflopCell(3, 2), InitialStates: grid(3, 5, -1.5, 1.5)}
	full := find(t, p, nil)
	total, longest := 0, 0
	for _, c := range full.Fixed.Connections {
		total += c.Steps
		longest = max(longest, c.Steps)
	}
	if longest > total/6 {
		t.Fatalf("the longest trajectory took %d steps of %d: the test's ConnectSteps would cut it", longest, total)
	}
	// Starts need ConnectSteps of room each: 3 at a time, half the steps.
	s := Settings{ConnectSteps: total / 6, ConnectBudget: total / 2}
	budget := s.ConnectBudget
	part := find(t, p, &s)
	if part.Fixed.Len() != full.Fixed.Len() {
		t.Fatalf("%d points with the budget, %d without", part.Fixed.Len(), full.Fixed.Len())
	}
	type key struct {
		from, mode int
		deg        float64
	}
	rank := func(r *Result, c Connection) int {
		k := 0
		for _, m := range r.Fixed.Points[c.From].Modes[:c.Mode] {
			if m.Class == ModeUnstable {
				k++
			}
		}
		return k
	}
	want := map[key]Connection{}
	var order []key
	for _, c := range full.Fixed.Connections {
		want[key{c.From, c.Mode, c.Direction}] = c
		order = append(order, key{c.From, c.Mode, c.Direction})
	}
	got := map[key]bool{}
	steps := 0
	for _, c := range part.Fixed.Connections {
		k := key{c.From, c.Mode, c.Direction}
		w, ok := want[k]
		if !ok || w != c {
			t.Errorf("with the budget %+v, without %+v", c, w)
		}
		got[k] = true
		steps += c.Steps
	}
	if steps > budget {
		t.Errorf("trajectories took %d steps, budget %d", steps, budget)
	}
	if n := len(part.Fixed.Connections); n == 0 || n >= len(full.Fixed.Connections) {
		t.Fatalf("%d of %d trajectories followed under the budget: want some, not all", n, len(full.Fixed.Connections))
	}
	// Missing (rank r, position i) must come after every followed one.
	slices.SortStableFunc(order, func(a, b key) int { return rank(full, want[a]) - rank(full, want[b]) })
	missing := false
	for _, k := range order {
		if !got[k] {
			missing = true
		} else if missing {
			t.Errorf("connection %+v (rank %d) followed after one left out", want[k], rank(full, want[k]))
		}
	}
	warned := false
	for _, w := range part.Stats.Warnings {
		warned = warned || strings.Contains(w, fmt.Sprintf("connections: %d trajectories followed, of %d of the %d unstable modes", len(part.Fixed.Connections), len(part.Fixed.Connections)/2, len(full.Fixed.Connections)/2))
	}
	if !warned {
		t.Errorf("no warning of the trajectories left out: %q", part.Stats.Warnings)
	}
	t.Logf("%d of %d followed, %d steps", len(part.Fixed.Connections), len(full.Fixed.Connections), steps)
}
