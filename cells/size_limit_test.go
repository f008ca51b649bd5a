package cells

import (
	"errors"
	"testing"
)

// TestNewTorchCellAbsurdSizes: sizes whose weights cannot fit are an error
// wrapping ErrTooLarge. Before, hidden 100000000 panicked in makeslice
// (or died out of memory) inside this public constructor.
func TestNewTorchCellAbsurdSizes(t *testing.T) {
	for _, c := range []struct {
		kind           string
		hidden, inputs int
	}{{"lstm", 100_000_000, 3}, {"gru", 1 << 40, 1}, {"rnn", 16, 1 << 50}} {
		cell, err := NewTorchCell(c.kind, c.hidden, c.inputs)
		if !errors.Is(err, ErrTooLarge) || cell != nil {
			t.Errorf("%s hidden %d inputs %d: err %v", c.kind, c.hidden, c.inputs, err)
		}
	}
	if s, err := NewStack("gru", 4, 1, 1_000_000_000); !errors.Is(err, ErrTooLarge) || s != nil {
		t.Errorf("a stack of 10^9 layers: err %v", err)
	}
	if _, err := NewTorchCell("gru", 64, 3); err != nil {
		t.Fatal(err)
	}
}
