package cli

import (
	"flag"
	"fmt"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/internal/memlimit"
)

// Limits bound what a run reads and allocates: a model file larger than
// MaxModelBytes is refused before it is read, and a job whose sizes need
// more than MaxMemory (the machine's memory when 0) before anything is
// allocated.
type Limits struct {
	MaxModelBytes int64 // -max-model-bytes
	MaxMemory     int64 // -max-memory
}

// Register defines -max-model-bytes and -max-memory on fs.
func (l *Limits) Register(fs *flag.FlagSet) {
	fs.Int64Var(&l.MaxModelBytes, "max-model-bytes", cells.DefaultMaxBytes, "largest model file read, in bytes (and the most its zip entries may inflate to)")
	fs.Int64Var(&l.MaxMemory, "max-memory", 0, "memory a job may need, in bytes, checked before it starts; 0: the machine's memory")
}

// CheckJob refuses a search of B states of a cell with N states and M
// inputs under s when its estimated need (finder.MemoryNeed) is over the
// limit, naming flags as the flags that set B (e.g. "-n-inits").
func (l Limits) CheckJob(N, M, B int, s finder.Settings, flags string) error {
	need := finder.MemoryNeed(N, M, B, s)
	what := fmt.Sprintf("%d initial states of %d values (with their Jacobians)", B, N)
	return memlimit.Check(need, memlimit.Limit(l.MaxMemory), what, flags+" (or raise -max-memory)")
}
