package viz

import (
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

// The settings table says what is on, not "(NoRefine): yes", which reads
// as "no refinement: yes" when refinement is on.
func TestSummaryRowsSayOnOrOff(t *testing.T) {
	for _, c := range []struct {
		noRefine bool
		want     string
	}{{false, "on"}, {true, "off"}} {
		s := finder.DefaultSettings()
		s.NoRefine = c.noRefine
		found := false
		for _, r := range SummaryRows(s, nil) {
			if r.Value == "yes" || r.Value == "no" {
				t.Errorf("row %q: %q", r.Key, r.Value)
			}
			if r.Key == "Levenberg-Marquardt refinement (off with NoRefine)" {
				found = true
				if r.Value != c.want {
					t.Errorf("NoRefine %v: refinement %q, want %q", c.noRefine, r.Value, c.want)
				}
			}
		}
		if !found {
			t.Errorf("no refinement row")
		}
	}
}
