package finder

import (
	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/graph"
)

// bySize caches compiled graphs by batch size: a compiled graph has a fixed
// batch, and the batches come in few sizes (powers of two, see batchRows),
// so each size is built once per Find.
type bySize[T any] struct {
	build func(B int) (T, error)
	m     map[int]T
}

func newBySize[T any](cell cells.Cell, d graph.Dtype, build func(cells.Cell, int, graph.Dtype) (T, error)) bySize[T] {
	return bySize[T]{build: func(B int) (T, error) { return build(cell, B, d) }, m: map[int]T{}}
}

func (c *bySize[T]) get(B int) (T, error) {
	if g, ok := c.m[B]; ok {
		return g, nil
	}
	g, err := c.build(B)
	if err != nil {
		return g, err
	}
	c.m[B] = g
	return g, nil
}
