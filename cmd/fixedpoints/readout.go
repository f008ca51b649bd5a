package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/rnnfp/fixedpoints/cells"
	"github.com/rnnfp/fixedpoints/internal/cli"
)

// readoutNames are the usual names of a network's linear readout in a
// PyTorch state_dict: nn.Linear attributes as models name them
// ("self.fc = nn.Linear(...)"), and readout, which tasks.SaveModel writes.
var readoutNames = []string{"readout", "fc", "linear", "out", "output", "decoder", "head"}

// findReadout returns the readout layer of sd: the one named name (with or
// without ".weight"), or, for "", the one 2-D NAME.weight whose last path
// element is a usual readout name (model.fc.weight is a readout named
// model.fc). None, or several, is a usage error that lists what the file
// holds and says to choose with -readout.
func findReadout(sd cells.StateDict, name string) (layer string, w cells.Tensor, b cells.Tensor, hasBias bool, err error) {
	if name != "" {
		layer = strings.TrimSuffix(name, ".weight")
		w, ok := sd[layer+".weight"]
		if !ok || len(w.Shape) != 2 {
			return "", w, b, false, cli.Usagef("-readout %s: no 2-D tensor %s in the file (its linear layers: %s)", strconv.Quote(name), strconv.Quote(layer+".weight"), layerList(sd))
		}
		b, hasBias = sd[layer+".bias"]
		return layer, w, b, hasBias, nil
	}
	var found []string
	for _, l := range linearLayers(sd) {
		last := l[strings.LastIndex(l, ".")+1:]
		for _, n := range readoutNames {
			if last == n {
				found = append(found, l)
			}
		}
	}
	switch len(found) {
	case 0:
		return "", w, b, false, cli.Usagef("no readout under a usual name (%s.weight); its linear layers: %s; name one with -readout NAME", strings.Join(readoutNames, ".weight, "), layerList(sd))
	case 1:
		return findReadout(sd, found[0])
	}
	return "", w, b, false, cli.Usagef("several readouts (%s); choose one with -readout NAME", quoteAll(found))
}

// linearLayers are the names NAME of the 2-D tensors NAME.weight, sorted.
func linearLayers(sd cells.StateDict) []string {
	var ls []string
	for k, t := range sd {
		if l, ok := strings.CutSuffix(k, ".weight"); ok && len(t.Shape) == 2 {
			ls = append(ls, l)
		}
	}
	sort.Strings(ls)
	return ls
}

// layerList names the linear layers of sd for an error message, quoted
// (the names come from the file) and at most ten.
func layerList(sd cells.StateDict) string {
	ls := linearLayers(sd)
	if len(ls) == 0 {
		return "none"
	}
	if len(ls) > 10 {
		return fmt.Sprintf("%s and %d more", quoteAll(ls[:10]), len(ls)-10)
	}
	return quoteAll(ls)
}

// quoteAll quotes each name and joins them with commas.
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
