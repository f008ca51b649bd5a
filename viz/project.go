package viz

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// projection maps states to the three coordinates drawn: the top three
// principal components, or the state itself (padded with zeros) for N <= 3.
type projection struct {
	n     int
	mean  []float64    // nil: no centering
	basis [3][]float64 // nil rows: coordinate axes
	axes  [3]string
}

// apply projects one state.
func (p *projection) apply(x []float64) [3]float64 {
	var y [3]float64
	for k := range 3 {
		if p.basis[k] == nil {
			if k < len(x) {
				y[k] = x[k]
			}
			continue
		}
		var s float64
		for i, b := range p.basis[k] {
			xi := x[i]
			if p.mean != nil {
				xi -= p.mean[i]
			}
			s += b * xi
		}
		y[k] = s
	}
	return y
}

// applyDir projects a direction (no centering).
func (p *projection) applyDir(v []float64) [3]float64 {
	q := *p
	q.mean = nil
	return q.apply(v)
}

// coordinates draws the state itself: for N <= 3, or when there is too
// little data to fit components.
func coordinates(n int) *projection {
	p := &projection{n: n}
	for k := range 3 {
		if k < n {
			p.axes[k] = fmt.Sprintf("x%d", k+1)
		} else {
			p.axes[k] = fmt.Sprintf("(x%d = 0)", k+1)
		}
	}
	return p
}

// fitPCA fits the top three principal components of the rows of data
// (row-major, n columns) through the covariance matrix, which is
// accumulated in chunks so that memory stays O(n^2) whatever the rows.
// Each component's sign is fixed by making its largest entry positive.
func fitPCA(data []float64, n int) (*projection, error) {
	rows := len(data) / n
	if n <= 3 || rows < 2 {
		return coordinates(n), nil
	}
	mean := make([]float64, n)
	for r := range rows {
		for i, v := range data[r*n : (r+1)*n] {
			mean[i] += v
		}
	}
	for i := range mean {
		mean[i] /= float64(rows)
	}

	const chunk = 512
	cov := mat.NewSymDense(n, nil)
	part := mat.NewSymDense(n, nil)
	buf := make([]float64, chunk*n)
	for r0 := 0; r0 < rows; r0 += chunk {
		m := min(chunk, rows-r0)
		c := buf[:m*n]
		for j, v := range data[r0*n : (r0+m)*n] {
			c[j] = v - mean[j%n]
		}
		part.SymOuterK(1, mat.NewDense(m, n, c).T())
		cov.AddSym(cov, part)
	}

	var es mat.EigenSym
	if !es.Factorize(cov, true) {
		return nil, fmt.Errorf("viz: principal components: eigen-decomposition failed")
	}
	vals := es.Values(nil) // ascending
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	var total float64
	for _, v := range vals {
		total += math.Max(v, 0)
	}
	p := &projection{n: n, mean: mean}
	for k := range 3 {
		col := n - 1 - k
		b := mat.Col(nil, col, &vecs)
		big := 0
		for i := range b {
			if math.Abs(b[i]) > math.Abs(b[big]) {
				big = i
			}
		}
		if b[big] < 0 {
			for i := range b {
				b[i] = -b[i]
			}
		}
		p.basis[k] = b
		frac := 0.0
		if total > 0 {
			frac = math.Max(vals[col], 0) / total
		}
		p.axes[k] = fmt.Sprintf("PC%d (%.1f%%)", k+1, 100*frac)
	}
	return p, nil
}
