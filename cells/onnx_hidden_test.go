package cells

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// TestONNXHiddenSizeChecked: a node whose hidden_size attribute disagrees
// with its weights is refused with ErrShape. Before, the attribute was
// ignored.
func TestONNXHiddenSizeChecked(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "rnn.f64.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	var m onnx.ModelProto
	if err := proto.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range m.GetGraph().GetNode() {
		for _, a := range n.GetAttribute() {
			if a.GetName() == "hidden_size" {
				a.I = a.GetI() + 3
				found = true
			}
		}
	}
	if !found {
		t.Fatal("the fixture has no hidden_size attribute")
	}
	bad, _ := proto.Marshal(&m)
	var info ModelInfo
	_, err = loadONNX(bad, Options{}, &info)
	if !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "hidden_size") {
		t.Fatalf("err %v, want ErrShape naming hidden_size", err)
	}
	if _, err := loadONNX(b, Options{}, &info); err != nil {
		t.Fatal(err)
	}
}
