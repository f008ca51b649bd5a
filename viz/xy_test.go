package viz

import (
	"encoding/json"
	"strings"
	"testing"
)

// An XY chart is on the page with its series: markers for one, a dashed
// line for the other, the NaN point left out.
func TestXYChart(t *testing.T) {
	r := &Report{Fixed: flipFlop3(), Charts: []XY{{Title: "Frequencies", XName: "measured", YName: "predicted",
		Series: []XYSeries{
			{Name: "inputs", Points: [][2]float64{{0.25, 0.26}, {0.5, 0.51}, {0.3, nanQ}}},
			{Name: "predicted = measured", Points: [][2]float64{{0.2, 0.2}, {0.6, 0.6}}, Line: true},
		}}}}
	c, ok := chartsByID(t, r)["xy-0"]
	if !ok {
		t.Fatal("no chart xy-0")
	}
	js, err := json.Marshal(c.Option)
	if err != nil {
		t.Fatal(err)
	}
	s := string(js)
	for _, want := range []string{`"name":"inputs","symbolSize":9,"type":"scatter"`, `"data":[[0.25,0.26],[0.5,0.51]]`,
		`"name":"predicted = measured"`, `"type":"dashed"`, `"text":"Frequencies"`} {
		if !strings.Contains(s, want) {
			t.Errorf("option lacks %s: %s", want, s)
		}
	}
	var buf strings.Builder
	if err := r.Render(&buf); err != nil || !strings.Contains(buf.String(), `id="xy-0"`) {
		t.Errorf("page: %v, has the chart's div %t", err, strings.Contains(buf.String(), `id="xy-0"`))
	}
}
