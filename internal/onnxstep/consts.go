package onnxstep

import (
	"fmt"
	"math"
	"slices"
)

// Const is a tensor known while translating: row-major values (integers
// held exactly as float64) and a shape.
type Const struct {
	Shape []int
	Data  []float64
	Int   bool // an integer tensor (shapes, indices)
}

// maxConst bounds the elements of a tensor computed while translating.
const maxConst = 1 << 26

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// strides returns row-major strides.
func strides(shape []int) []int {
	s := make([]int, len(shape))
	k := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = k
		k *= shape[i]
	}
	return s
}

// broadcastShape is numpy's broadcast of two shapes.
func broadcastShape(a, b []int) ([]int, error) {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := 0; i < r; i++ {
		da, db := 1, 1
		if k := i - (r - len(a)); k >= 0 {
			da = a[k]
		}
		if k := i - (r - len(b)); k >= 0 {
			db = b[k]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// expand returns c broadcast to shape (which must be a broadcast of c's).
func (c Const) expand(shape []int) Const {
	if slices.Equal(c.Shape, shape) {
		return c
	}
	out := Const{Shape: slices.Clone(shape), Data: make([]float64, size(shape)), Int: c.Int}
	off := len(shape) - len(c.Shape)
	cs := strides(c.Shape)
	os := strides(shape)
	for k := range out.Data {
		src := 0
		for i := off; i < len(shape); i++ {
			idx := (k / os[i]) % shape[i]
			if c.Shape[i-off] != 1 {
				src += idx * cs[i-off]
			}
		}
		out.Data[k] = c.Data[src]
	}
	return out
}

// binary applies f elementwise with numpy broadcasting.
func binary(a, b Const, f func(x, y float64) float64) (Const, error) {
	shape, err := broadcastShape(a.Shape, b.Shape)
	if err != nil {
		return Const{}, err
	}
	if size(shape) > maxConst {
		return Const{}, fmt.Errorf("a constant of shape %v is too large", shape)
	}
	ea, eb := a.expand(shape), b.expand(shape)
	out := Const{Shape: shape, Data: make([]float64, len(ea.Data)), Int: a.Int && b.Int}
	for i := range out.Data {
		out.Data[i] = f(ea.Data[i], eb.Data[i])
	}
	return out, nil
}

// unary applies f elementwise.
func unary(a Const, f func(float64) float64) Const {
	out := Const{Shape: slices.Clone(a.Shape), Data: make([]float64, len(a.Data))}
	for i, v := range a.Data {
		out.Data[i] = f(v)
	}
	return out
}

// ints returns the values of an integer (or integral) constant.
func (c Const) ints() ([]int, error) {
	out := make([]int, len(c.Data))
	for i, v := range c.Data {
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return nil, fmt.Errorf("value %g is not an integer", v)
		}
		out[i] = int(v)
	}
	return out, nil
}

// transpose2 returns the transpose of a matrix.
func (c Const) transpose2() Const {
	r, k := c.Shape[0], c.Shape[1]
	out := Const{Shape: []int{k, r}, Data: make([]float64, r*k), Int: c.Int}
	for i := 0; i < r; i++ {
		for j := 0; j < k; j++ {
			out.Data[j*r+i] = c.Data[i*k+j]
		}
	}
	return out
}

// transpose permutes the axes of c.
func (c Const) transpose(perm []int) Const {
	shape := make([]int, len(perm))
	for i, p := range perm {
		shape[i] = c.Shape[p]
	}
	out := Const{Shape: shape, Data: make([]float64, len(c.Data)), Int: c.Int}
	cs, os := strides(c.Shape), strides(shape)
	for k := range out.Data {
		src := 0
		for i := range shape {
			src += ((k / os[i]) % shape[i]) * cs[perm[i]]
		}
		out.Data[k] = c.Data[src]
	}
	return out
}

// take returns c's entries at idx along axis (Gather, Slice, Split).
func (c Const) take(axis int, idx []int) Const {
	shape := slices.Clone(c.Shape)
	shape[axis] = len(idx)
	out := Const{Shape: shape, Data: make([]float64, size(shape)), Int: c.Int}
	outer := size(c.Shape[:axis])
	inner := size(c.Shape[axis+1:])
	k := 0
	for o := 0; o < outer; o++ {
		for _, i := range idx {
			base := (o*c.Shape[axis] + i) * inner
			copy(out.Data[k:k+inner], c.Data[base:base+inner])
			k += inner
		}
	}
	return out
}

// concat joins constants along axis.
func concat(axis int, cs []Const) (Const, error) {
	shape := slices.Clone(cs[0].Shape)
	shape[axis] = 0
	for _, c := range cs {
		if len(c.Shape) != len(shape) {
			return Const{}, fmt.Errorf("joining ranks %d and %d", len(c.Shape), len(shape))
		}
		for i := range shape {
			if i != axis && c.Shape[i] != shape[i] {
				return Const{}, fmt.Errorf("joining shapes %v and %v on axis %d", c.Shape, cs[0].Shape, axis)
			}
		}
		shape[axis] += c.Shape[axis]
	}
	out := Const{Shape: shape, Int: cs[0].Int}
	outer := size(shape[:axis])
	for o := 0; o < outer; o++ {
		for _, c := range cs {
			n := size(c.Shape[axis:])
			out.Data = append(out.Data, c.Data[o*n:(o+1)*n]...)
		}
	}
	return out, nil
}

// matmul2 is a x b for matrices.
func matmul2(a, b Const) (Const, error) {
	if len(a.Shape) != 2 || len(b.Shape) != 2 || a.Shape[1] != b.Shape[0] {
		return Const{}, fmt.Errorf("MatMul of constants of shapes %v and %v (2-D only)", a.Shape, b.Shape)
	}
	n, k, m := a.Shape[0], a.Shape[1], b.Shape[1]
	out := Const{Shape: []int{n, m}, Data: make([]float64, n*m)}
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			s := 0.0
			for l := 0; l < k; l++ {
				s += a.Data[i*k+l] * b.Data[l*m+j]
			}
			out.Data[i*m+j] = s
		}
	}
	return out, nil
}
