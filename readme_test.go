package fixedpoints_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The README is a newcomer's page: short, with every detail one link away
// in docs/. These tests keep it so.

const readmeMaxLines = 300

func TestReadmeShort(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > readmeMaxLines {
		t.Errorf("README.md has %d lines; keep it at most %d and move details into docs/", n, readmeMaxLines)
	}
}

// TestDocsLinked checks that every docs/*.md page is linked from the README
// and that every relative link in the README and in docs/ names a file that
// exists and, with a #fragment, a heading of that file.
func TestDocsLinked(t *testing.T) {
	pages, err := filepath.Glob("docs/*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs/*.md pages (%v)", err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if !strings.Contains(string(readme), "("+filepath.ToSlash(p)) {
			t.Errorf("README.md does not link %s", p)
		}
	}
	for _, file := range append([]string{"README.md"}, pages...) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, link := range markdownLinks(string(src)) {
			target, frag, _ := strings.Cut(link, "#")
			path := file
			if target != "" {
				path = filepath.Join(filepath.Dir(file), filepath.FromSlash(target))
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s: link %q: no such file", file, link)
					continue
				}
			}
			if frag == "" || !strings.HasSuffix(path, ".md") {
				continue
			}
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !headingSlugs(string(body))[frag] {
				t.Errorf("%s: link %q: %s has no heading #%s", file, link, path, frag)
			}
		}
	}
}

var linkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// markdownLinks returns the relative link targets outside code blocks.
func markdownLinks(src string) []string {
	var out []string
	inCode := false
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
			continue
		}
		if inCode {
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
			l := m[1]
			if strings.Contains(l, "://") || strings.HasPrefix(l, "mailto:") {
				continue
			}
			out = append(out, l)
		}
	}
	return out
}

// headingSlugs returns GitHub's anchors of the headings in src: lower case,
// spaces to hyphens, punctuation other than hyphens and underscores dropped,
// repeats numbered -1, -2, ...
func headingSlugs(src string) map[string]bool {
	slugs := map[string]bool{}
	seen := map[string]int{}
	inCode := false
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
		}
		if inCode || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		s := b.String()
		if n := seen[s]; n > 0 {
			slugs[s+"-"+itoa(n)] = true
		} else {
			slugs[s] = true
		}
		seen[s]++
	}
	return slugs
}
