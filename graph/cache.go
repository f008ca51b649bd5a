package graph

import (
	"container/list"
	"encoding/binary"
	"math"
	"reflect"
	"sync"
	"unsafe"

	"github.com/rnnfp/fixedpoints/cells"
	G "gorgonia.org/gorgonia"
)

// Cache keeps built and compiled programs (objectives, Jacobians, steppers,
// JVPs) for reuse: building and compiling the dozen graphs of a Find of a
// 16-unit cell took about 8 ms of its 80-100, and a Find of the same cell
// and batch sizes builds the same graphs again.
//
// A program is checked out by one caller at a time (one graph and machine
// belong to one goroutine): Objective, Jacobians, Stepper and JVP return an
// idle program no one else holds, or build a new one; Put hands it back
// when the caller is done with it, and the caller must not use it after.
//
// A program is reused only for a cell equal to the one it was built for:
// the key holds a fingerprint of everything reachable from the cell value
// (its weights' values, its exported and unexported fields, through
// pointers, slices and interfaces), compared exactly, so that a weight or
// a setting (an activation, a CTRNN's Alpha) changed since the build is a
// miss, never a program bound to the old values. Cells holding what cannot
// be compared (a func, a map, a channel) or with more than maxFingerprint
// bytes of state are never cached: they are built anew each time.
//
// The idle programs are bounded in number and in estimated bytes (their
// graphs' node values); the least recently returned are dropped first.
// Programs checked out are not counted: their holders own them. A Cache is
// safe for concurrent use.
type Cache struct {
	mu       sync.Mutex
	maxIdle  int
	maxBytes int64
	idle     map[cacheKey][]*cacheEntry
	lru      list.List // idle entries, least recently returned first
	bytes    int64     // of the idle entries
	stats    CacheStats
}

// CacheStats counts a Cache's check-outs.
type CacheStats struct {
	Hits, Misses int64 // programs reused, and built (cacheable cells only)
	Uncacheable  int64 // programs built for cells the cache cannot compare
	Evicted      int64 // idle programs dropped to keep within the bounds
	Idle         int   // programs held now
	IdleBytes    int64 // their estimated bytes
}

// maxFingerprint bounds a cell's fingerprint (about its weights' bytes):
// a larger cell's programs are not cached. Their builds are a small share
// of what they cost to run.
const maxFingerprint = 1 << 21

type programKind uint8

const (
	kindObjective programKind = iota + 1
	kindJacobians
	kindStepper
	kindJVP
)

type cacheKey struct {
	kind  programKind
	b, k  int // batch rows; chained steps (objective) or 1 for central differences (JVP)
	parts int // maxParts, which with b and N sets the row blocks (partBounds)
	dtype Dtype
	cell  string // the cell's fingerprint
}

// cacheEntry is a cached program's record; idle when held by the cache.
type cacheEntry struct {
	cache *Cache
	key   cacheKey
	prog  any
	bytes int64
	idle  bool
	elem  *list.Element
}

// NewCache returns a cache holding at most maxIdle idle programs of at
// most maxBytes estimated bytes in all.
func NewCache(maxIdle int, maxBytes int64) *Cache {
	return &Cache{maxIdle: maxIdle, maxBytes: maxBytes, idle: map[cacheKey][]*cacheEntry{}}
}

// Shared is the process's cache, the one finder.Find uses: 64 idle
// programs, 128 MiB of estimated node values at most. The estimate is
// about twice the heap they hold: after a Find of a 16-unit cell on 1024
// states its programs hold 6 MB (tanh), 23 MB (GRU), 40 MB (LSTM); a
// GRU-128's would hold 208 MB, so that only its smaller ones are kept.
// Replacing it with NewCache(0, 0), before any Find, keeps none.
var Shared = NewCache(64, 128<<20)

// Cached is a program a Cache hands out: *Objective, *Jacobians, *Stepper
// or *JVP.
type Cached interface {
	cacheEntry() *cacheEntry
}

func (o *Objective) cacheEntry() *cacheEntry { return o.ce }
func (j *Jacobians) cacheEntry() *cacheEntry { return j.ce }
func (st *Stepper) cacheEntry() *cacheEntry  { return st.ce }
func (j *JVP) cacheEntry() *cacheEntry       { return j.ce }

func (o *Objective) setEntry(e *cacheEntry) { o.ce = e }
func (j *Jacobians) setEntry(e *cacheEntry) { j.ce = e }
func (st *Stepper) setEntry(e *cacheEntry)  { st.ce = e }
func (j *JVP) setEntry(e *cacheEntry)       { j.ce = e }

func (o *Objective) size() int64 { return o.bytes }
func (j *Jacobians) size() int64 { return j.bytes }
func (st *Stepper) size() int64  { return st.bytes }
func (j *JVP) size() int64       { return j.st.bytes }

// program is what checkOut hands out: a Cached program that records its
// entry and says its estimated bytes.
type program interface {
	Cached
	setEntry(*cacheEntry)
	size() int64
}

// checkOut checks out an idle program for key and cell, or builds one, and
// records its entry in it (nil for a cell the cache cannot compare).
func checkOut[P program](c *Cache, cell cells.Cell, key cacheKey, build func() (P, error)) (P, error) {
	co, err := c.get(cell, key, func() (any, int64, error) {
		p, err := build()
		if err != nil {
			return nil, 0, err
		}
		return p, p.size(), nil
	})
	if err != nil {
		var zero P
		return zero, err
	}
	p := co.prog.(P)
	p.setEntry(co.entry)
	return p, nil
}

// Objective checks out an objective of cell for batch size B (NewObjective).
func (c *Cache) Objective(cell cells.Cell, B int, d Dtype) (*Objective, error) {
	return checkOut(c, cell, cacheKey{kind: kindObjective, b: B, k: 1, dtype: d}, func() (*Objective, error) { return NewObjective(cell, B, d) })
}

// Jacobians checks out the Jacobians of cell for B points (NewJacobians).
func (c *Cache) Jacobians(cell cells.Cell, B int, d Dtype) (*Jacobians, error) {
	return checkOut(c, cell, cacheKey{kind: kindJacobians, b: B, dtype: d}, func() (*Jacobians, error) { return NewJacobians(cell, B, d) })
}

// Stepper checks out a stepper of cell for batch size B (NewStepper).
func (c *Cache) Stepper(cell cells.Cell, B int, d Dtype) (*Stepper, error) {
	return checkOut(c, cell, cacheKey{kind: kindStepper, b: B, dtype: d}, func() (*Stepper, error) { return NewStepper(cell, B, d) })
}

// JVP checks out the Jacobian-vector products of cell for R rows (NewJVP).
func (c *Cache) JVP(cell cells.Cell, R int, central bool, d Dtype) (*JVP, error) {
	k := 0
	if central {
		k = 1
	}
	return checkOut(c, cell, cacheKey{kind: kindJVP, b: R, k: k, dtype: d}, func() (*JVP, error) { return NewJVP(cell, R, central, d) })
}

type checkedOut struct {
	prog  any
	entry *cacheEntry // nil: not cacheable
}

// get checks out an idle program for key and cell, or builds one.
func (c *Cache) get(cell cells.Cell, key cacheKey, build func() (any, int64, error)) (checkedOut, error) {
	fp, ok := fingerprint(cell)
	if ok {
		key.cell, key.parts = fp, maxParts
		c.mu.Lock()
		if l := c.idle[key]; len(l) > 0 {
			e := l[len(l)-1]
			c.removeIdle(e)
			c.stats.Hits++
			c.mu.Unlock()
			return checkedOut{prog: e.prog, entry: e}, nil
		}
		c.stats.Misses++
		c.mu.Unlock()
	} else {
		c.mu.Lock()
		c.stats.Uncacheable++
		c.mu.Unlock()
	}
	prog, bytes, err := build()
	if err != nil || !ok {
		return checkedOut{prog: prog}, err
	}
	// The key's fingerprint (up to maxFingerprint bytes, a copy per
	// entry) counts toward the bound as the program's values do.
	return checkedOut{prog: prog, entry: &cacheEntry{cache: c, key: key, prog: prog, bytes: bytes + int64(len(key.cell))}}, nil
}

// removeIdle takes e out of the idle set (c.mu held).
func (c *Cache) removeIdle(e *cacheEntry) {
	l := c.idle[e.key]
	for i, x := range l {
		if x == e {
			l = append(l[:i], l[i+1:]...)
			break
		}
	}
	if len(l) == 0 {
		delete(c.idle, e.key)
	} else {
		c.idle[e.key] = l
	}
	c.lru.Remove(e.elem)
	e.elem, e.idle = nil, false
	c.bytes -= e.bytes
}

// Put hands a program checked out of c back to it; the caller must not use
// it afterwards. A program not from c (built by a New function, or for a
// cell the cache cannot compare) or already handed back is ignored, as is
// a nil one.
func (c *Cache) Put(p Cached) {
	if p == nil || reflect.ValueOf(p).IsNil() {
		return
	}
	e := p.cacheEntry()
	if e == nil || e.cache != c {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.idle || e.bytes > c.maxBytes || c.maxIdle < 1 {
		return
	}
	e.idle = true
	e.elem = c.lru.PushBack(e)
	c.idle[e.key] = append(c.idle[e.key], e)
	c.bytes += e.bytes
	for c.lru.Len() > c.maxIdle || c.bytes > c.maxBytes {
		c.removeIdle(c.lru.Front().Value.(*cacheEntry))
		c.stats.Evicted++
	}
}

// Stats returns the cache's counts so far.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Idle, s.IdleBytes = c.lru.Len(), c.bytes
	return s
}

// graphBytes estimates the memory of a compiled graph: twice its nodes'
// values (registers, bound inputs and the values G.Read copies into), at 8
// bytes a value.
func graphBytes(g *G.ExprGraph) int64 {
	var n int64
	for _, nd := range g.AllNodes() {
		n += int64(max(1, nd.Shape().TotalSize()))
	}
	return 2 * 8 * n
}

// typeIDs numbers the types met in fingerprints, for the process's life.
var typeIDs sync.Map // reflect.Type -> uint64

var nextTypeID struct {
	sync.Mutex
	n uint64
}

func typeID(t reflect.Type) uint64 {
	if id, ok := typeIDs.Load(t); ok {
		return id.(uint64)
	}
	nextTypeID.Lock()
	defer nextTypeID.Unlock()
	if id, ok := typeIDs.Load(t); ok {
		return id.(uint64)
	}
	nextTypeID.n++
	typeIDs.Store(t, nextTypeID.n)
	return nextTypeID.n
}

// fingerprint encodes everything reachable from the cell value: two cells
// with equal fingerprints build the same graphs with the same weights. It
// reports false for a cell holding a func, map, channel or unsafe pointer
// (non-nil), or whose encoding exceeds maxFingerprint bytes.
func fingerprint(cell cells.Cell) (string, bool) {
	if cell == nil {
		return "", false
	}
	fp := fingerprinter{seen: map[seenKey]uint64{}}
	v := reflect.ValueOf(cell)
	fp.u64(typeID(v.Type()))
	if !fp.value(v) {
		return "", false
	}
	return string(fp.buf), true
}

type seenKey struct {
	p uintptr
	t reflect.Type
}

type fingerprinter struct {
	buf  []byte
	seen map[seenKey]uint64 // pointers already encoded: their order of visit
}

func (fp *fingerprinter) u64(x uint64) { fp.buf = binary.LittleEndian.AppendUint64(fp.buf, x) }

func (fp *fingerprinter) full() bool { return len(fp.buf) > maxFingerprint }

// value encodes v; false when it cannot.
func (fp *fingerprinter) value(v reflect.Value) bool {
	if fp.full() {
		return false
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			fp.u64(1)
		} else {
			fp.u64(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		fp.u64(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		fp.u64(v.Uint())
	case reflect.Float32, reflect.Float64:
		fp.u64(math.Float64bits(v.Float()))
	case reflect.Complex64, reflect.Complex128:
		fp.u64(math.Float64bits(real(v.Complex())))
		fp.u64(math.Float64bits(imag(v.Complex())))
	case reflect.String:
		fp.u64(uint64(v.Len()))
		fp.buf = append(fp.buf, v.String()...)
	case reflect.Slice:
		if v.IsNil() {
			fp.u64(math.MaxUint64)
			return true
		}
		return fp.elems(v)
	case reflect.Array:
		return fp.elems(v)
	case reflect.Struct:
		fp.u64(uint64(v.NumField()))
		for i := 0; i < v.NumField(); i++ {
			if !fp.value(v.Field(i)) {
				return false
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			fp.u64(0)
			return true
		}
		k := seenKey{v.Pointer(), v.Type()}
		if n, ok := fp.seen[k]; ok {
			fp.u64(1)
			fp.u64(n)
			return true
		}
		fp.seen[k] = uint64(len(fp.seen))
		fp.u64(2)
		return fp.value(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			fp.u64(0)
			return true
		}
		fp.u64(typeID(v.Elem().Type()))
		return fp.value(v.Elem())
	case reflect.Func, reflect.Map, reflect.Chan, reflect.UnsafePointer:
		if v.IsNil() {
			fp.u64(0)
			return true
		}
		return false
	default:
		return false
	}
	return !fp.full()
}

// elems encodes a slice's or an array's length and elements; a slice of
// numbers as its bytes at once (a cell's weights).
func (fp *fingerprinter) elems(v reflect.Value) bool {
	n := v.Len()
	fp.u64(uint64(n))
	if n == 0 {
		return true
	}
	if et := v.Type().Elem(); v.Kind() == reflect.Slice && numeric(et.Kind()) {
		size := n * int(et.Size())
		if size > maxFingerprint-len(fp.buf) {
			return false
		}
		fp.buf = append(fp.buf, unsafe.Slice((*byte)(v.UnsafePointer()), size)...)
		return true
	}
	for i := 0; i < n; i++ {
		if !fp.value(v.Index(i)) {
			return false
		}
	}
	return true
}

// numeric reports whether k is an integer, float or complex kind: its
// values are their bytes.
func numeric(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Complex128
}
