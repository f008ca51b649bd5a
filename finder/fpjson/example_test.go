package fpjson_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/finder"
	"github.com/rnnfp/fixedpoints/finder/fpjson"
)

// ExampleSave saves what Find found on the idealized 2-bit flip-flop
// h' = tanh(2h) (9 fixed points: 4 stable corners, 4 saddles and the
// origin) and loads it back.
func ExampleSave() {
	rnn := cells.NewVanilla(2, 0, cells.Tanh)
	for i := range 2 {
		rnn.Params()[1].Set(i, i, 2) // weight_hh: 2I
	}
	starts := []float64{-1, -1, -1, 0.1, -1, 1, 0.1, -1, 0.1, 0.1, 0.1, 1, 1, -1, 1, 0.1, 1, 1}
	res, err := finder.Find(context.Background(), finder.Problem{Cell: rnn, InitialStates: starts}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "fpjson")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "flipflop-fixedpoints.json")
	if err := fpjson.Save(path, res); err != nil {
		fmt.Println(err)
		return
	}

	f, err := fpjson.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d fixed points, %d slow, %d unconverged\n", f.Fixed.Len(), f.Slow.Len(), f.Unconverged.Len())
	fmt.Println("by number of unstable modes:", f.Fixed.CountBySaddleIndex())
	// Output:
	// 9 fixed points, 0 slow, 0 unconverged
	// by number of unstable modes: map[0:4 1:4 2:1]
}
