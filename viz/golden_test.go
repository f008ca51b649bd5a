package viz

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// chartsByID builds r's charts, keyed by id.
func chartsByID(t *testing.T, r *Report) map[string]chart {
	t.Helper()
	if err := r.validate(); err != nil {
		t.Fatal(err)
	}
	cs, err := r.charts()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]chart{}
	for _, c := range cs {
		m[c.ID] = c
	}
	return m
}

// qSpread is a set of candidates with q over several decades, two of them
// exactly zero and one NaN.
func qSpread() *finder.FixedPoints {
	all := &finder.FixedPoints{N: 3, M: 3}
	qs := []float64{0, 0, 3e-16, 5e-15, 9.9e-13, 1e-12, 2e-12, 4e-9, 4.5e-9, 1e-3, 0.2}
	for _, p := range flipFlop3().Points[:len(qs)] {
		all.Points = append(all.Points, finder.Point{X: p.X})
	}
	for i, q := range qs {
		all.Points[i].Q = q
	}
	nan := finder.Point{X: []float64{0, 0, 0}, Q: nanQ}
	all.Points = append(all.Points, nan)
	return all
}

var nanQ = func() float64 { z := 0.0; return z / z }()

func TestGoldenOptions(t *testing.T) {
	ff := &Report{Fixed: flipFlop3(), All: qSpread()}
	ff.Trial = flipFlopTrial(8)
	sample := &Report{Fixed: flipFlop3(), Training: sampleTraining()}
	pca := embedded(5, 2, 6, 7)
	pca.Trials = []int{1}
	pca.Start, pca.Stop = 1, 5

	cases := []struct {
		golden string
		r      *Report
		id     string
	}{
		{"fixed-points-flipflop3", ff, idFixedPoints},
		{"spectra-flipflop3", ff, idSpectra},
		{"spectra-data-flipflop3", ff, ""},
		{"magnitudes-flipflop3", ff, idMagnitudes},
		{"training", sample, idTraining},
		{"histogram", ff, idHistogram},
		{"trial", ff, idTrial},
		{"fixed-points-pca", pca, idFixedPoints},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			var v any = c.r.spectraOf() // the eigenvalues the spectra charts draw
			if c.id != "" {
				ch, ok := chartsByID(t, c.r)[c.id]
				if !ok {
					t.Fatalf("no chart %s", c.id)
				}
				v = ch.Option
			}
			got, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", c.golden+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("option of %s differs from %s (go test -update rewrites it after review):\n%s",
					c.id, path, firstDiff(got, want))
			}
		})
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + string(gl) + "\nwant: " + string(wl)
		}
	}
	return ""
}
