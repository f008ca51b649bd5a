package cells

import "github.com/rnnfp/fixedpoints/internal/interval"

// Interval helpers shared by the built-in factorizations. Matrices are
// row-major []interval.I; weights are point interval.Mat with rows = output
// units (the transpose of the stored _T params).

// weightRows returns a stored transposed weight p (in × out) as the point
// matrix W (out × in).
func weightRows(p *Param) interval.Mat {
	m := interval.Mat{Rows: p.Cols, Cols: p.Rows, Mid: make([]float64, len(p.Data))}
	for j := 0; j < p.Rows; j++ {
		for k := 0; k < p.Cols; k++ {
			m.Mid[k*p.Rows+j] = p.Data[j*p.Cols+k]
		}
	}
	return m
}

// gateWeights returns gate g's recurrent (H×H) and input (H×M) matrices.
func (c *gated) gateWeights(g int) (whh, wih interval.Mat) {
	return weightRows(c.params[4*g+1]), weightRows(c.params[4*g])
}

// affineEnc encloses W·v + b (b may be nil).
func affineEnc(w interval.Mat, v []interval.I, b []float64) []interval.I {
	out := interval.MatVec(w, interval.VecOf(v)).Intervals()
	for i := range out {
		if b != nil {
			out[i] = interval.AddScalar(out[i], b[i])
		}
	}
	return out
}

// pre encloses gate g's pre-activation W_hh x + W_ih in + b_ih + b_hh (the
// GRU's n gate takes b_hh inside the reset product: withHH false).
func (c *gated) pre(g int, x, in []interval.I, withHH bool) []interval.I {
	whh, wih := c.gateWeights(g)
	a := affineEnc(whh, x, c.params[4*g+2].Data)
	if c.inputs > 0 {
		b := affineEnc(wih, in, nil)
		for i := range a {
			a[i] = interval.Add(a[i], b[i])
		}
	}
	if withHH {
		for i, v := range c.params[4*g+3].Data {
			a[i] = interval.AddScalar(a[i], v)
		}
	}
	return a
}

func mapI(x []interval.I, f func(interval.I) interval.I) []interval.I {
	out := make([]interval.I, len(x))
	for i, v := range x {
		out[i] = f(v)
	}
	return out
}

func zipI(x, y []interval.I, f func(a, b interval.I) interval.I) []interval.I {
	out := make([]interval.I, len(x))
	for i := range x {
		out[i] = f(x[i], y[i])
	}
	return out
}

func ones(n int) []interval.I {
	out := make([]interval.I, n)
	for i := range out {
		out[i] = interval.Point(1)
	}
	return out
}

// vec converts inf–sup intervals to midpoint–radius form.
func vec(x []interval.I) interval.Vec { return interval.VecOf(x) }

// negOnes is −1 for every element (for −I).
func negOnes(n int) interval.Vec { return vec(mapI(ones(n), interval.Neg)) }
