package viz

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/finder"
)

func render(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The sample report: 50 trials x 64 steps x N = 32, 30 fixed and slow
// points, the trial panel. The scripts alone are 1.67 MB.
func TestReportSize(t *testing.T) {
	html := render(t, sampleReport())
	const limit = 3 << 20
	t.Logf("sample report: %d bytes (%d without the scripts)", len(html), len(html)-len(echartsJS)-len(echartsGLJS))
	if len(html) >= limit {
		t.Errorf("sample report is %d bytes, want < %d", len(html), limit)
	}
}

func TestDeterministic(t *testing.T) {
	a := render(t, sampleReport())
	b := render(t, sampleReport()) // rebuilt from the same seed
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same report differ")
	}
	r := sampleReport()
	c := render(t, r)
	d := render(t, r) // the same value twice
	if !bytes.Equal(a, c) || !bytes.Equal(c, d) {
		t.Fatal("renders of the same report differ")
	}
}

// splitScripts returns the page with its scripts' content cut out, and
// the scripts' contents.
func splitScripts(html string) (outside string, scripts []string) {
	var b strings.Builder
	for {
		i := strings.Index(html, "<script>")
		if i < 0 {
			break
		}
		j := strings.Index(html[i:], "</script>")
		if j < 0 {
			break
		}
		b.WriteString(html[:i+len("<script>")])
		scripts = append(scripts, html[i+len("<script>"):i+j])
		html = html[i+j:]
	}
	b.WriteString(html)
	return b.String(), scripts
}

func TestSelfContained(t *testing.T) {
	html := string(render(t, sampleReport()))
	if n := strings.Count(html, "<script"); n != 3 {
		t.Errorf("%d <script> elements, want 3 (echarts, echarts-gl, the charts)", n)
	}
	for _, js := range []string{echartsJS, echartsGLJS} {
		if !strings.Contains(html, "<script>"+js+"</script>") {
			t.Error("an embedded script is not inlined verbatim")
		}
	}
	outside, scripts := splitScripts(html)
	for _, bad := range []string{"src=", "href=", "http://", "https://", "@import", "url("} {
		if strings.Contains(outside, bad) {
			t.Errorf("the page outside its scripts contains %q", bad)
		}
	}
	// The charts' own script loads nothing either.
	last := scripts[len(scripts)-1]
	for _, bad := range []string{"http://", "https://", "import(", "fetch(", "XMLHttpRequest"} {
		if strings.Contains(last, bad) {
			t.Errorf("the charts' script contains %q", bad)
		}
	}
}

func TestAssetsInlineSafe(t *testing.T) {
	for name, js := range map[string]string{"echarts": echartsJS, "echarts-gl": echartsGLJS} {
		low := strings.ToLower(js)
		if strings.Contains(low, "</script") || strings.Contains(low, "<!--") {
			t.Errorf("%s contains </script or <!--: it cannot be inlined as it is", name)
		}
		if len(js) < 500000 {
			t.Errorf("%s is %d bytes: not the minified bundle?", name, len(js))
		}
	}
	if !strings.Contains(echartsJS, `version="5.6.0"`) {
		t.Error("echarts.min.js is not echarts 5.6.0 (see assets/README.md)")
	}
}

func TestEscaping(t *testing.T) {
	html := string(render(t, hostileReport()))
	if n := strings.Count(html, "<script"); n != 3 {
		t.Errorf("%d <script> elements, want 3: hostile text opened one", n)
	}
	if n := strings.Count(html, "</script>"); n != 3 {
		t.Errorf("%d </script> tags, want 3: hostile text closed one", n)
	}
	outside, _ := splitScripts(html)
	for _, bad := range []string{"<img", "<script>window", `onerror="`} {
		if strings.Contains(outside, bad) {
			t.Errorf("page outside scripts contains %q unescaped", bad)
		}
	}
	// In the option JSON, < > & are \u escapes; in HTML, entities.
	if !strings.Contains(html, `\u003c/script\u003e\u003cscript\u003ewindow.pwned=1;alert(1)`) {
		t.Error("hostile channel name not found JSON-escaped in the trial option")
	}
	if !strings.Contains(html, "<h1>&lt;/script&gt;&lt;script&gt;window.pwned=1;alert(1)&lt;/script&gt;") {
		t.Error("hostile title not found HTML-escaped in <h1>")
	}
	if !strings.Contains(html, "<tr><th>&lt;/script&gt;") {
		t.Error("hostile summary key not found HTML-escaped in the table")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	good := &Report{Fixed: flipFlop3()}
	if err := good.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	want := render(t, good)
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("written file differs from Render (err %v)", err)
	}

	// A report that cannot be rendered leaves the earlier file as it was.
	bad := &Report{Fixed: flipFlop3(), ModeScale: -1}
	if err := bad.WriteFile(path); err == nil {
		t.Error("invalid report written without error")
	}
	// A target that cannot be replaced (a directory) fails at the rename.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := good.WriteFile(blocked); err == nil {
		t.Error("write over a directory succeeded")
	}
	// A directory that does not exist fails at once.
	if err := good.WriteFile(filepath.Join(dir, "missing", "report.html")); err == nil {
		t.Error("write into a missing directory succeeded")
	}

	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
		t.Errorf("earlier report changed after failed writes (err %v)", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "blocked report.html" {
		t.Errorf("directory holds %v, want [blocked report.html]: a temporary file was left behind", names)
	}
}

func TestValidate(t *testing.T) {
	ff := flipFlop3
	short := flipFlop3()
	short.Points[4].X = short.Points[4].X[:2]
	badMode := flipFlop3()
	badMode.Points[0].Modes[1].Right = []complex128{1}
	traj := func() *finder.Trajectories {
		return &finder.Trajectories{Trials: 2, Time: 3, N: 3, States: make([]float64, 18)}
	}
	cases := []struct {
		name string
		r    *Report
		want string
	}{
		{"empty", &Report{}, "nothing to draw"},
		{"short X", &Report{Fixed: short}, "Fixed point 4: len(X) = 2"},
		{"mode length", &Report{Fixed: badMode}, "Fixed point 0 mode 1: len(Right) = 1"},
		{"N mismatch", &Report{Fixed: ff(), Slow: &finder.FixedPoints{N: 4}}, "Slow has N = 4, want 3"},
		{"states length", &Report{Trajectories: &finder.Trajectories{Trials: 2, Time: 3, N: 3, States: make([]float64, 17)}}, "17 states, want"},
		{"trajectories N", &Report{Fixed: ff(), Trajectories: &finder.Trajectories{Trials: 1, Time: 1, N: 2, States: make([]float64, 2)}}, "Trajectories has N = 2"},
		{"trial index", &Report{Trajectories: traj(), Trials: []int{2}}, "trial 2 out of range"},
		{"window", &Report{Trajectories: traj(), Start: 2, Stop: 1}, "time window [2, 1)"},
		{"window past end", &Report{Trajectories: traj(), Stop: 4}, "time window [0, 4)"},
		{"window without trajectories", &Report{Fixed: ff(), Stop: 3}, "without Trajectories"},
		{"mode scale", &Report{Fixed: ff(), ModeScale: -1}, "ModeScale"},
		{"tol", &Report{Fixed: ff(), TolQ: nanQ}, "TolQ"},
		{"trial steps", &Report{Fixed: ff(), Trial: &Trial{Inputs: make([][]float64, 3), Outputs: make([][]float64, 4)}}, "Trial.Outputs has 4 steps, want 3"},
		{"trial ragged", &Report{Fixed: ff(), Trial: &Trial{Inputs: [][]float64{{1, 2}, {1}}}}, "Trial.Inputs step 1 has 1 channels, want 2"},
		{"trial channels", &Report{Fixed: ff(), Trial: &Trial{Targets: [][]float64{{1, 2}}, Outputs: [][]float64{{1}}}}, "2 target channels, 1 output channels"},
	}
	for _, c := range cases {
		err := c.r.Render(&bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "viz: ") {
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.want)
		}
	}
	// Trajectories alone, or a report whose parts are all empty, are fine.
	for _, r := range []*Report{{Trajectories: traj()}, {Fixed: &finder.FixedPoints{N: 3}}} {
		if err := r.Render(&bytes.Buffer{}); err != nil {
			t.Errorf("valid report: %v", err)
		}
	}
}
