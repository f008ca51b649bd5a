package fixedpoints_test

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeExampleInSync checks that the README's library example is the
// body of Example (example_test.go) between its "README begin" and "README
// end" markers, one tab less indented, so the README shows code that
// compiles and whose output a test checks.
func TestReadmeExampleInSync(t *testing.T) {
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(src), "\t// README begin\n")
	if ok {
		body, _, ok = strings.Cut(body, "\t// README end\n")
	}
	if !ok {
		t.Fatal("example_test.go: no README begin/end markers")
	}
	var want strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		want.WriteString(strings.TrimPrefix(line, "\t"))
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```go\n"+want.String()+"```\n") {
		t.Errorf("README.md does not hold Example's body as a go block; copy it from example_test.go:\n%s", want.String())
	}
}
