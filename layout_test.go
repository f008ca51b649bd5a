package fixedpoints_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// maxPackageFiles is the house limit on a package's non-test .go files: a
// package holds one idea.
const maxPackageFiles = 30

// goFiles lists the non-test .go files under dir by directory (one package
// each), skipping testdata and hidden directories.
func goFiles(t *testing.T, dir string) map[string][]string {
	t.Helper()
	pkgs := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestPackagesAtMost30Files fails when a package has more than 30 non-test
// .go files (finder once held 45: search, refinement, GMRES, Krylov-Schur,
// eigen bounds, completion and more in one package).
func TestPackagesAtMost30Files(t *testing.T) {
	for dir, files := range goFiles(t, ".") {
		if len(files) > maxPackageFiles {
			t.Errorf("%s has %d non-test .go files, want at most %d: split it into packages that each hold one idea", dir, len(files), maxPackageFiles)
		}
	}
}

// kernelName matches the names of functions and methods that implement a
// Krylov kernel: GMRES, Arnoldi, Krylov-Schur, Lanczos.
var kernelName = regexp.MustCompile(`(?i)gmres|arnoldi|krylovschur|lanczos`)

// kernelDecls returns "path: name" for every function or method declared
// in the non-test files of files whose name matches kernelName.
func kernelDecls(t *testing.T, files []string) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && kernelName.MatchString(fd.Name.Name) {
				out = append(out, path+": "+fd.Name.Name)
			}
		}
	}
	return out
}

// TestKrylovKernelsWrittenOnce fails when GMRES, Arnoldi or Krylov-Schur
// is implemented outside internal/linalg (finder and continuation each had
// their own GMRES and Arnoldi, which had drifted), or when internal/linalg
// holds more than one of each.
func TestKrylovKernelsWrittenOnce(t *testing.T) {
	linalg := filepath.Join("internal", "linalg")
	inLinalg := map[string]int{}
	for dir, files := range goFiles(t, ".") {
		for _, decl := range kernelDecls(t, files) {
			if dir != linalg {
				t.Errorf("%s: a Krylov kernel outside internal/linalg; use linalg.GMRES, linalg.KrylovSchur or linalg.RitzValues", decl)
				continue
			}
			_, name, _ := strings.Cut(decl, ": ")
			inLinalg[strings.ToLower(kernelName.FindString(name))]++
		}
	}
	// linalg's own: NewGMRES (the constructor of GMRES, whose Solve is the
	// one GMRES), arnoldi (the one Arnoldi step) and KrylovSchur.
	for kernel, want := range map[string]int{"gmres": 1, "arnoldi": 1, "krylovschur": 1} {
		if inLinalg[kernel] != want {
			t.Errorf("internal/linalg declares %d functions named like %s, want %d", inLinalg[kernel], kernel, want)
		}
	}
}
