package fpjson

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

// TestStatusWritten: the search's status is a top-level field, read back,
// so that a canceled run's JSON says it is partial. Before, the file had
// no status and a canceled result read as a complete one.
func TestStatusWritten(t *testing.T) {
	res := &finder.Result{Status: finder.Canceled, Fixed: &finder.FixedPoints{N: 1, Dtype: "float64"}}
	var buf bytes.Buffer
	if err := Write(&buf, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"status":"Canceled"`) {
		t.Fatalf("no status in %s", buf.String())
	}
	f, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != "Canceled" {
		t.Errorf("read status %q, want Canceled", f.Status)
	}
}
