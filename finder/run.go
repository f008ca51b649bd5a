package finder

import (
	"context"
	"time"
)

// run does the whole pipeline: search, refine, certify, post-process,
// linearize.
func (f *finder) run(ctx context.Context, p Problem) (*Result, error) {
	if err := f.search(ctx); err != nil {
		return nil, err
	}
	all := f.points(p.Conditions)
	res := &Result{All: all, Status: Converged}
	var fixed, slow []int
	for i, pt := range all.Points {
		if pt.Residual <= f.s.TolResidual {
			fixed = append(fixed, i)
		} else {
			slow = append(slow, i)
		}
	}
	f.stats.Certified = len(fixed)
	res.Fixed = subset(all, fixed)
	res.Slow = subset(all, slow)
	switch {
	case f.canceled:
		res.Status = Canceled
	case f.s.NoRefine && len(slow) > 0:
		res.Status = IterationLimit
	}
	f.stats.Runtime = time.Since(f.start)
	res.Stats = f.stats
	return res, nil
}

func subset(fp *FixedPoints, idx []int) *FixedPoints {
	out := &FixedPoints{N: fp.N, M: fp.M, Dtype: fp.Dtype}
	for _, i := range idx {
		out.Points = append(out.Points, fp.Points[i])
	}
	return out
}
