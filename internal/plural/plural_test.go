package plural

import "testing"

func TestOf(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{
		{0, "input", "0 inputs"},
		{1, "input", "1 input"},
		{2, "input", "2 inputs"},
		{1, "certified fixed point", "1 certified fixed point"},
		{27, "certified fixed point", "27 certified fixed points"},
		{1, "branch", "1 branch"},
		{3, "branch", "3 branches"},
		{2, "unstable mode", "2 unstable modes"},
	} {
		if got := Of(c.n, c.noun); got != c.want {
			t.Errorf("Of(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}
