package heappeak

import (
	"testing"
	"time"
)

// TestMeasureSeesAnAllocation: a 64 MiB slice held for 50 ms shows in the
// peak, at least 64 MiB above the base.
func TestMeasureSeesAnAllocation(t *testing.T) {
	var keep []byte
	base, peak := Measure(time.Millisecond, func() {
		keep = make([]byte, 64<<20)
		for i := range keep {
			keep[i] = 1
		}
		time.Sleep(50 * time.Millisecond)
	})
	if peak < base+64<<20 {
		t.Errorf("peak %d, base %d: want the 64 MiB slice above the base", peak, base)
	}
	_ = keep
}
