package graph

import (
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
)

// tapeRunall is gorgonia's (*tapeMachine).runall: the loop over a
// program's instructions that RunAll starts on a goroutine of its own. It
// reports an error on errChan or, when done, sends on doneChan; both must
// be buffered when it runs on the caller's goroutine.
//
//go:linkname tapeRunall gorgonia.org/gorgonia.(*tapeMachine).runall
func tapeRunall(m unsafe.Pointer, errChan chan error, doneChan chan struct{})

// runInlineOn lets a test run the machines by RunAll instead.
var runInlineOn = true

// isTape reports whether t is gorgonia's *tapeMachine, the machine
// runInline runs.
func isTape(t reflect.Type) bool {
	return t.Kind() == reflect.Pointer && t.Elem().Name() == "tapeMachine" && t.Elem().PkgPath() == "gorgonia.org/gorgonia"
}

// runInline runs a tape machine's program on the calling goroutine, as
// RunAll does on one of its own, and reports whether it could: not for a
// VM of another kind, one with external work (batched cgo BLAS) or one
// that queues closures (BindDualValues), which RunAll runs.
//
// RunAll locks the caller to its OS thread and waits for the goroutine it
// starts, so that every run parks one thread and wakes another: about 60
// µs a run, half the time of a 64-row step of a 16-unit RNN, and most of
// the time of the small batches the refinement evaluates. Inline, a panic
// inside an op also reaches run's recover instead of ending the process.
func runInline(m G.VM) (ok bool, err error) {
	q, ok := inlineable(m)
	if !ok {
		return false, nil
	}
	errc, done := make(chan error, 1), make(chan struct{}, 1)
	tapeRunall(reflect.ValueOf(m).UnsafePointer(), errc, done)
	select {
	case err := <-errc:
		return true, err
	default:
	}
	if q.Len() != 0 {
		// A closure was queued during the run (dual values bound): the
		// programs built here bind none; fail rather than skip it.
		return true, errQueuedClosures
	}
	return true, nil
}

// inlineable reports whether runInline runs m, with m's closure queue.
func inlineable(m G.VM) (queue reflect.Value, ok bool) {
	m = tapeOf(m)
	if !runInlineOn || m == nil || !isTape(reflect.TypeOf(m)) {
		return reflect.Value{}, false
	}
	if w, ok := m.(interface{ WorkAvailable() <-chan bool }); !ok || w.WorkAvailable() != nil {
		return reflect.Value{}, false
	}
	q := reflect.ValueOf(m).Elem().FieldByName("closureQueue")
	if !q.IsValid() || q.Kind() != reflect.Slice || q.Len() != 0 {
		return reflect.Value{}, false
	}
	return q, true
}
