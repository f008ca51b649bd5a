package sweep

import (
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/graph"
)

// The named settings map to the finder's values as the manifest's
// documentation (Settings) says, "" to the default, and another name is an
// error that names the field and both choices.
func TestSettingsNames(t *testing.T) {
	for _, c := range []struct {
		s    Settings
		want finder.Settings
	}{
		{Settings{}, finder.Settings{Dtype: graph.Float64, Batching: finder.Joint, Optimizer: finder.PerCandidate}},
		{Settings{Dtype: "float64", Method: "joint", Optimizer: "per-candidate"}, finder.Settings{Dtype: graph.Float64, Batching: finder.Joint, Optimizer: finder.PerCandidate}},
		{Settings{Dtype: "float32", Method: "sequential", Optimizer: "reference-adam"}, finder.Settings{Dtype: graph.Float32, Batching: finder.Sequential, Optimizer: finder.ReferenceAdam}},
	} {
		f, err := c.s.Finder(0)
		if err != nil || f.Dtype != c.want.Dtype || f.Batching != c.want.Batching || f.Optimizer != c.want.Optimizer {
			t.Errorf("%+v: dtype %v, batching %v, optimizer %v, error %v; want %v, %v, %v", c.s, f.Dtype, f.Batching, f.Optimizer, err, c.want.Dtype, c.want.Batching, c.want.Optimizer)
		}
	}
	for _, c := range []struct {
		s    Settings
		want string
	}{
		{Settings{Dtype: "float16"}, `dtype "float16", want float64 or float32`},
		{Settings{Method: "batched"}, `method "batched", want joint or sequential`},
		{Settings{Optimizer: "adam"}, `optimizer "adam", want per-candidate or reference-adam`},
	} {
		if _, err := c.s.Finder(0); err == nil || err.Error() != c.want {
			t.Errorf("%+v: error %v, want %q", c.s, err, c.want)
		}
	}
}
