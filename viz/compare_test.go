package viz

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// sampleComparison is five networks, one of them failed (no counts).
func sampleComparison() *Comparison {
	return &Comparison{
		Title:   `Sweep <script>alert("x")</script>`,
		Notes:   []string{"5 jobs: 4 done, 1 failed", `failed: e: cannot read "e.safetensors" <b>`},
		Columns: []string{"job", "cell", "fixed", "stable", "meta.lr", "worst_residual"},
		Rows: [][]any{
			{"a", "gru", 27, 8, 0.01, 1.1e-16},
			{"b", "gru", 3, 2, 0.001, 2.2e-16},
			{"c", "lstm", 11, 4, 0.1, math.NaN()},
			{"d<i>", "rnn", 1, 1, 0.03, 0.0},
			{"e", "lstm", nil, nil, 0.3, nil},
		},
		Y: "fixed", X: "meta.lr", Label: "job",
	}
}

func TestComparisonPage(t *testing.T) {
	var a, b bytes.Buffer
	if err := sampleComparison().WriteHTML(&a); err != nil {
		t.Fatal(err)
	}
	if err := sampleComparison().WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same comparison gave two pages")
	}
	page := a.String()
	for _, want := range []string{
		`<title>Sweep &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</title>`,
		`<li>failed: e: cannot read &#34;e.safetensors&#34; &lt;b&gt;</li>`,
		`<th>job</th><th>cell</th><th>fixed</th>`,
		`<tr><td>a</td><td>gru</td><td class="num" data-v="27">27</td>`,
		`<td>d&lt;i&gt;</td>`,
		`<td class="num" data-v="1.1e-16">1.1e-16</td>`,
		`<td>e</td><td>lstm</td><td></td><td></td>`,
		`"x":4`, `"y":2`, `"label":0`,
		`"numeric":[false,false,true,true,true,true]`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, `<script>alert`) || strings.Contains(page, "<b>") || strings.Contains(page, "d<i>") {
		t.Error("caller text reached the page unescaped")
	}
	// NaN is shown in the table, but not plotted.
	if !strings.Contains(page, `data-v="NaN">NaN</td>`) || !strings.Contains(page, `[1.1e-16,2.2e-16,null,0,null]`) {
		t.Error("NaN handled wrongly")
	}
}

func TestComparisonErrors(t *testing.T) {
	for _, c := range []struct {
		edit func(c *Comparison)
		want string
	}{
		{func(c *Comparison) { c.Y = "nope" }, `no column "nope" for the y axis`},
		{func(c *Comparison) { c.X = "nope" }, `no column "nope" for the x axis`},
		{func(c *Comparison) { c.Label = "nope" }, `no column "nope" for the labels`},
		{func(c *Comparison) { c.Columns[1] = "job" }, `column "job" twice`},
		{func(c *Comparison) { c.Rows[2] = c.Rows[2][:3] }, `row 2 has 3 values for 6 columns`},
		{func(c *Comparison) { c.Rows[1][1] = []int{1} }, `row 1, column "cell": value of type []int`},
	} {
		cmp := sampleComparison()
		c.edit(cmp)
		err := cmp.WriteHTML(&bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}

// In a browser the page runs without errors or requests, the scatter shows
// the rows with both values, a header click sorts the table, and another
// x column redraws the chart.
func TestBrowserComparison(t *testing.T) {
	tab, bl := startBrowser(t)
	path := filepath.Join(t.TempDir(), "compare.html")
	if err := sampleComparison().WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatalf("open: %v (%q)", err, bl.take())
	}
	points := func() int {
		n, err := chromedp.Run(tab, chromedp.Evaluate[int](`window.comparisonChart.getOption().series[0].data.length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := points(); n != 4 { // e has no count
		t.Errorf("scatter of fixed against meta.lr: %d points, want 4", n)
	}
	// Sort by "fixed": ascending, then descending; e (empty) stays last.
	order := func() string {
		s, err := chromedp.Run(tab, chromedp.Evaluate[string](
			`Array.prototype.map.call(document.querySelectorAll("#table tbody tr"), function (r) { return r.cells[0].textContent; }).join(",")`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	click := `document.querySelectorAll("#table th")[2].click()`
	if _, err := chromedp.Run(tab, chromedp.Evaluate[any](click)); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "d<i>,b,c,a,e" {
		t.Errorf("sorted by fixed: %s", got)
	}
	if _, err := chromedp.Run(tab, chromedp.Evaluate[any](click)); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "a,c,b,d<i>,e" {
		t.Errorf("sorted by fixed, descending: %s", got)
	}
	// x = cell: a category axis with the three kinds.
	axis, err := chromedp.Run(tab, chromedp.Evaluate[string](`(function () {
		var s = document.getElementById("xcol"); s.value = "1"; s.dispatchEvent(new Event("change"));
		var x = window.comparisonChart.getOption().xAxis[0]; return x.type + ":" + x.data.join(","); })()`))
	if err != nil {
		t.Fatal(err)
	}
	if axis != "category:gru,lstm,rnn" || points() != 4 {
		t.Errorf("x = cell: axis %s, %d points", axis, points())
	}
	for _, p := range bl.take() {
		t.Error(p)
	}
}
