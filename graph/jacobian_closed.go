package graph

import (
	"errors"
	"fmt"
	"math"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/linalg"
	"gonum.org/v1/gonum/floats"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// closedForm computes the Jacobians of a cells.Linearized cell: one forward
// pass over the batch gives F and the coefficients of the cell's terms
// diag(l) W diag(r), and the terms are summed into each point's matrices in
// Go. Where the seeded passes run N/L backward passes over B*L rows, this is
// one forward pass over B rows plus B * (terms) * N² multiply-adds: for a
// 16-unit GRU at 1024 points, 1 pass instead of 16 over 16384 rows.
type closedForm struct {
	parts []*closedPart
	ms    []G.VM
	terms []closedTerm
	width []int       // the columns of each coefficient
	coef  [][]float64 // each coefficient over the whole batch, B x width
	bytes int64       // estimated graph memory, for Cache
}

// closedPart is the graph of a block of rows [lo, hi) of the batch.
type closedPart struct {
	lo, hi int
	fV     G.Value
	cV     []G.Value // the coefficients' values, in the order of closedForm.coef
}

// closedTerm is a cells.JacobianTerm with its block's weights copied out
// row-major (rows x cols; nil for an identity block) and its coefficients
// as indices into closedForm.coef (-1 for ones).
type closedTerm struct {
	input       bool
	row, col    int
	rows, cols  int
	w           []float64
	left, right int
}

// newClosedForm builds the closed-form Jacobians of cell for B points over
// the storage xT (B x N) and uT (B x M, nil when M = 0). It returns
// cells.ErrNoClosedForm (wrapped) when the cell has no closed form.
func newClosedForm(cell cells.Linearized, B int, d Dtype, xT, uT *tensor.Dense) (*closedForm, error) {
	N := cell.StateSize()
	cf := &closedForm{}
	bounds := partBounds(B, N)
	for p := 0; p+1 < len(bounds); p++ {
		part := &closedPart{lo: bounds[p], hi: bounds[p+1]}
		var u *tensor.Dense
		if uT != nil {
			u = rowsOf(uT, part.lo, part.hi)
		}
		m, err := cf.buildPart(cell, d, rowsOf(xT, part.lo, part.hi), u, part, p == 0)
		if err != nil {
			return nil, err
		}
		cf.parts = append(cf.parts, part)
		cf.ms = append(cf.ms, m)
	}
	cf.coef = make([][]float64, len(cf.width))
	for k, w := range cf.width {
		cf.coef[k] = make([]float64, B*w)
	}
	return cf, nil
}

// buildPart builds and compiles F and the coefficients over the part's
// rows; the first part also records the terms.
func (cf *closedForm) buildPart(cell cells.Linearized, d Dtype, xT, uT *tensor.Dense, part *closedPart, first bool) (m G.VM, err error) {
	defer recoverErr("build closed-form jacobians", &err)
	Bp, N, M := xT.Shape()[0], cell.StateSize(), cell.InputSize()
	dt := d.tensor()
	s := &step{cell: cell, dtype: d, B: Bp, N: N, M: M, g: G.NewGraph(), xT: xT, uT: uT}
	s.x = G.NewMatrix(s.g, dt, G.WithShape(Bp, N), G.WithName("X"), G.WithValue(xT))
	if M > 0 {
		s.u = G.NewMatrix(s.g, dt, G.WithShape(Bp, M), G.WithName("U"), G.WithValue(uT))
	}
	s.params = paramNodes(s.g, cell, d)
	drv, err := cell.Drives(s.u, s.params)
	if err != nil {
		return nil, fmt.Errorf("graph: cell drives: %w", err)
	}
	f, terms, err := cell.StepJacobian(s.x, drv, s.params)
	if err != nil {
		if errors.Is(err, cells.ErrNoClosedForm) {
			return nil, err
		}
		return nil, fmt.Errorf("graph: cell jacobian: %w", err)
	}
	if err := s.setF(f, nil); err != nil {
		return nil, err
	}
	idx := map[*G.Node]int{}
	var nodes G.Nodes
	coefOf := func(n *G.Node, width int) (int, error) {
		if n == nil {
			return -1, nil
		}
		if sh := n.Shape(); len(sh) != 2 || sh[0] != Bp || sh[1] != width {
			return 0, fmt.Errorf("graph: jacobian coefficient has shape %v, want (%d, %d)", sh, Bp, width)
		}
		if k, ok := idx[n]; ok {
			return k, nil
		}
		idx[n] = len(nodes)
		nodes = append(nodes, n)
		return len(nodes) - 1, nil
	}
	var ts []closedTerm
	for _, t := range terms {
		ct, err := closedTermOf(cell, d, t)
		if err != nil {
			return nil, err
		}
		if ct.left, err = coefOf(t.Left, ct.rows); err != nil {
			return nil, err
		}
		if ct.right, err = coefOf(t.Right, ct.cols); err != nil {
			return nil, err
		}
		ts = append(ts, ct)
	}
	if first {
		cf.terms = ts
		for _, n := range nodes {
			cf.width = append(cf.width, n.Shape()[1])
		}
	} else if len(ts) != len(cf.terms) || len(nodes) != len(cf.width) {
		return nil, fmt.Errorf("graph: the cell's jacobian terms differ between row blocks")
	}
	part.cV = make([]G.Value, len(nodes))
	cf.bytes += graphBytes(s.g)
	outs := G.Nodes{G.Read(s.f, &part.fV)}
	for k, n := range nodes {
		outs = append(outs, G.Read(n, &part.cV[k]))
	}
	return s.compile(outs)
}

// closedTermOf checks a term's block against the Jacobians' shapes and
// copies its weights out.
func closedTermOf(cell cells.Cell, d Dtype, t cells.JacobianTerm) (closedTerm, error) {
	N, M := cell.StateSize(), cell.InputSize()
	ct := closedTerm{input: t.Input, row: t.Row, col: t.Col}
	if t.Param < 0 {
		ct.rows, ct.cols = t.Size, t.Size
	} else {
		ps := cell.Params()
		if t.Param >= len(ps) {
			return ct, fmt.Errorf("graph: jacobian term reads param %d of %d", t.Param, len(ps))
		}
		p := ps[t.Param]
		ct.rows, ct.cols = p.Cols, p.Rows
		ct.w = make([]float64, ct.rows*ct.cols)
		for i := 0; i < ct.rows; i++ {
			for k := 0; k < ct.cols; k++ {
				v := p.Data[k*p.Cols+i]
				if d == Float32 {
					v = float64(float32(v)) // the weights the graph computes with
				}
				ct.w[i*ct.cols+k] = v
			}
		}
	}
	cols := N
	if t.Input {
		cols = M
	}
	if ct.rows < 1 || t.Row < 0 || t.Col < 0 || t.Row+ct.rows > N || t.Col+ct.cols > cols {
		return ct, fmt.Errorf("graph: jacobian term block %d x %d at (%d, %d) outside a %d x %d matrix", ct.rows, ct.cols, t.Row, t.Col, N, cols)
	}
	return ct, nil
}

// eval runs the graphs at the states and inputs already in place, and sums
// the terms into jx (B x N x N) and ju (B x N x M, or nil); f receives F.
func (cf *closedForm) eval(B, N, M int, f, jx, ju []float64) error {
	if err := runAll(cf.ms); err != nil {
		return err
	}
	for _, p := range cf.parts {
		if err := copyOut(f[p.lo*N:p.hi*N], p.fV.(tensor.Tensor)); err != nil {
			return err
		}
		for k, v := range p.cV {
			w := cf.width[k]
			if err := copyOut(cf.coef[k][p.lo*w:p.hi*w], v.(tensor.Tensor)); err != nil {
				return err
			}
		}
	}
	linalg.Parallel(B, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			jb := jx[b*N*N : (b+1)*N*N]
			var ub []float64
			if ju != nil && M > 0 {
				ub = ju[b*N*M : (b+1)*N*M]
			}
			if b > lo && cf.sameCoef(b, b-1) {
				// The same coefficients, bit for bit (a batch's padding
				// repeats its last point): the same sums.
				copy(jb, jx[(b-1)*N*N:b*N*N])
				if ub != nil {
					copy(ub, ju[(b-1)*N*M:b*N*M])
				}
				continue
			}
			clear(jb)
			if ub != nil {
				clear(ub)
			}
			for i := range cf.terms {
				t := &cf.terms[i]
				switch {
				case !t.input:
					cf.addTerm(t, b, jb, N)
				case ub != nil:
					cf.addTerm(t, b, ub, M)
				}
			}
		}
	})
	return nil
}

// sameCoef reports whether points a and b have the same coefficients, bit
// for bit, so that their matrices are the same.
func (cf *closedForm) sameCoef(a, b int) bool {
	for k, w := range cf.width {
		ca, cb := cf.coef[k][a*w:(a+1)*w], cf.coef[k][b*w:(b+1)*w]
		for i, v := range ca {
			if math.Float64bits(v) != math.Float64bits(cb[i]) {
				return false
			}
		}
	}
	return true
}

// addTerm adds point b's term t to the matrix j of stride cols.
func (cf *closedForm) addTerm(t *closedTerm, b int, j []float64, stride int) {
	var l, r []float64
	if t.left >= 0 {
		l = cf.coef[t.left][b*t.rows : (b+1)*t.rows]
	}
	if t.right >= 0 {
		r = cf.coef[t.right][b*t.cols : (b+1)*t.cols]
	}
	for i := 0; i < t.rows; i++ {
		li := 1.0
		if l != nil {
			li = l[i]
		}
		row := j[(t.row+i)*stride+t.col : (t.row+i)*stride+t.col+t.cols]
		if t.w == nil {
			v := li
			if r != nil {
				v *= r[i]
			}
			row[i] += v
			continue
		}
		w := t.w[i*t.cols : (i+1)*t.cols]
		if r == nil {
			// row += li w: gonum's axpy kernel, one rounded product and
			// one rounded addition an entry, as the loop it replaced
			// (which Go compiles without fused multiply-adds on amd64).
			floats.AddScaled(row, li, w)
			continue
		}
		for k, wk := range w {
			row[k] += li * wk * r[k]
		}
	}
}
