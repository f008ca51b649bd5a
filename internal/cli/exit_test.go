package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
)

// The exit status by error, wrapped or not, and what Exit prints.
func TestStatus(t *testing.T) {
	for _, c := range []struct {
		err  error
		code int
		out  string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{Usagef("-n %d: want more", 0), 2, "prog: -n 0: want more\n"},
		{fmt.Errorf("context: %w", Usagef("-x")), 2, "prog: context: -x\n"},
		{errors.New("disk full"), 1, "prog: disk full\n"},
	} {
		var b strings.Builder
		if code := Exit(&b, "prog", c.err); code != c.code || b.String() != c.out {
			t.Errorf("Exit(%v): %d, %q; want %d, %q", c.err, code, b.String(), c.code, c.out)
		}
	}
}
