package tasks

import (
	"math"
	"testing"
)

// The targets are A sin(omega (t+1)) at the frequency the static input
// asks for, omega one of the evenly spaced trained frequencies.
func TestSineWaveGenerate(t *testing.T) {
	s := SineWave{Time: 40, Frequencies: 4, MinOmega: 0.2, MaxOmega: 0.5, Amplitude: 0.5}
	w, err := s.Omegas()
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.2, 0.3, 0.4, 0.5}
	for k := range want {
		if math.Abs(w[k]-want[k]) > 1e-15 {
			t.Fatalf("omegas %v, want %v", w, want)
		}
	}
	b, err := s.Generate(200, 7)
	if err != nil {
		t.Fatal(err)
	}
	if b.Trials != 200 || b.Time != 40 || b.InputSize != 1 || b.OutputSize != 1 || b.Check() != nil {
		t.Fatalf("sizes %d x %d x %d/%d", b.Trials, b.Time, b.InputSize, b.OutputSize)
	}
	seen := map[float64]int{}
	for i := 0; i < b.Trials; i++ {
		in, tg := b.Trial(i)
		u := in[0]
		seen[u]++
		for k := range in {
			if in[k] != u {
				t.Fatalf("trial %d: input %v at step %d, %v at 0: not static", i, in[k], k, u)
			}
			// The input is omega itself (SineWaveInput).
			if d := tg[k] - 0.5*math.Sin(u*float64(k+1)); math.Abs(d) > 1e-15 {
				t.Fatalf("trial %d step %d: target %v, want 0.5 sin(%v * %d)", i, k, tg[k], u, k+1)
			}
		}
	}
	// 200 draws among 4: each about 50 times (std 6).
	if len(seen) != 4 {
		t.Fatalf("inputs %v, want the 4 trained frequencies", seen)
	}
	for u, n := range seen {
		if n < 25 || n > 75 {
			t.Errorf("frequency %v drawn %d times of 200", u, n)
		}
	}
	c, _ := s.Generate(200, 7)
	if !equalBits(b.Inputs, c.Inputs) {
		t.Error("the same seed gave different inputs")
	}
	for _, bad := range []SineWave{{MinOmega: -1}, {MinOmega: 0.5, MaxOmega: 0.2}, {MaxOmega: 4}, {Time: -1}, {Amplitude: -1}, {Frequencies: -2}, {Amplitude: math.Inf(1)}} {
		if _, err := bad.Generate(3, 1); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	if _, err := s.Generate(0, 1); err == nil {
		t.Error("0 trials: no error")
	}
}
